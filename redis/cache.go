package redis

import (
	"context"
	"errors"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/sony/gobreaker/v2"
)

// Cache stores values in Redis with a TTL, shared by every instance. It
// satisfies llm.Cache. A cache must never slow an answer: each call is
// bounded by a short timeout, and after a failure a circuit breaker
// (sony/gobreaker, as everywhere in vrrec) skips Redis (a miss) for a
// while instead of waiting on it again; then one call tries it.
type Cache struct {
	Client *goredis.Client
	Prefix string // default "vrrec:"

	once    sync.Once
	breaker *gobreaker.CircuitBreaker[struct{}]
}

const (
	cacheTimeout = 150 * time.Millisecond
	cachePause   = 2 * time.Second
)

// ErrPaused is what the cache answers while it skips Redis after a
// failure.
var ErrPaused = errors.New("redis cache paused after a failure")

// errCallerGone marks a failure caused by the caller leaving, which says
// nothing about Redis.
var errCallerGone = errors.New("caller gone")

// call runs f under the cache's timeout unless Redis recently failed.
func (c *Cache) call(ctx context.Context, f func(ctx context.Context) error) error {
	c.once.Do(func() {
		c.breaker = gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
			Name:        "redis cache",
			MaxRequests: 1,
			Timeout:     cachePause,
			ReadyToTrip: func(n gobreaker.Counts) bool { return n.ConsecutiveFailures >= 1 },
			IsSuccessful: func(err error) bool {
				return err == nil || errors.Is(err, goredis.Nil) || errors.Is(err, errCallerGone)
			},
		})
	})
	_, err := c.breaker.Execute(func() (struct{}, error) {
		cctx, cancel := context.WithTimeout(ctx, cacheTimeout)
		defer cancel()
		err := f(cctx)
		if err != nil && ctx.Err() != nil {
			return struct{}{}, errors.Join(errCallerGone, err)
		}
		return struct{}{}, err
	})
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return ErrPaused
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
