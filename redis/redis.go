// Package redis connects vrrec to Redis (go-redis) for state that several
// instances share: rate-limit counters and the answer cache.
package redis

import (
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Open returns a client for a redis:// or rediss:// URL. It does not
// connect: Redis may come up later, and callers decide what its absence
// means. Timeouts are short because every caller has a fallback.
func Open(url string) (*goredis.Client, error) {
	opts, err := goredis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	opts.DialTimeout = 500 * time.Millisecond
	opts.ReadTimeout = 500 * time.Millisecond
	opts.WriteTimeout = 500 * time.Millisecond
	opts.MaxRetries = 0 // the fallback is faster than a retry
	return goredis.NewClient(opts), nil
}
