package redis

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Cache stores values in Redis with a TTL, shared by every instance. It
// satisfies llm.Cache. A cache must never slow an answer: each call is
// bounded by a short timeout, and after a failure Redis is skipped (a miss)
// for a while instead of being waited on again.
type Cache struct {
	Client *goredis.Client
	Prefix string // default "vrrec:"

	downUntil atomic.Int64 // unix nanoseconds
}

const (
	cacheTimeout = 150 * time.Millisecond
	cachePause   = 2 * time.Second
)

var errPaused = errors.New("redis cache paused after a failure")

// call runs f under the cache's timeout unless Redis recently failed.
func (c *Cache) call(ctx context.Context, f func(ctx context.Context) error) error {
	if time.Now().UnixNano() < c.downUntil.Load() {
		return errPaused
	}
	cctx, cancel := context.WithTimeout(ctx, cacheTimeout)
	defer cancel()
	err := f(cctx)
	if err != nil && !errors.Is(err, goredis.Nil) && ctx.Err() == nil {
		c.downUntil.Store(time.Now().Add(cachePause).UnixNano())
	}
	return err
}

func (c *Cache) key(k string) string {
	if c.Prefix == "" {
		return "vrrec:" + k
	}
	return c.Prefix + k
}

// Get returns the value under key; a miss is (nil, false, nil).
func (c *Cache) Get(ctx context.Context, key string) ([]byte, bool, error) {
	var b []byte
	err := c.call(ctx, func(ctx context.Context) (err error) {
		b, err = c.Client.Get(ctx, c.key(key)).Bytes()
		return err
	})
	if errors.Is(err, goredis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}

// Set stores value under key for ttl.
func (c *Cache) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return c.call(ctx, func(ctx context.Context) error { return c.Client.Set(ctx, c.key(key), value, ttl).Err() })
}
