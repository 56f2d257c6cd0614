package redis

import (
	"context"
	"errors"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Cache stores values in Redis with a TTL, shared by every instance. It
// satisfies llm.Cache.
type Cache struct {
	Client *goredis.Client
	Prefix string // default "vrrec:"
}

func (c *Cache) key(k string) string {
	if c.Prefix == "" {
		return "vrrec:" + k
	}
	return c.Prefix + k
}

// Get returns the value under key; a miss is (nil, false, nil).
func (c *Cache) Get(ctx context.Context, key string) ([]byte, bool, error) {
	b, err := c.Client.Get(ctx, c.key(key)).Bytes()
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
	return c.Client.Set(ctx, c.key(key), value, ttl).Err()
}
