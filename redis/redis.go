// Package redis connects vrrec to Redis (go-redis) for state that several
// instances share: rate-limit counters today.
package redis

import (
	"context"
	"fmt"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/ulule/limiter/v3"
	uluredis "github.com/ulule/limiter/v3/drivers/store/redis"
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

// LimiterStore is the ulule/limiter Redis store, created on first use: the
// library loads its Lua scripts when created, which needs Redis up, and
// vrrec must start while Redis is down.
type LimiterStore struct {
	Client *goredis.Client
	Prefix string

	mu    sync.Mutex
	store limiter.Store
}

var _ limiter.Store = (*LimiterStore)(nil)

func (s *LimiterStore) get(ctx context.Context) (limiter.Store, error) {
	s.mu.Lock()
	st := s.store
	s.mu.Unlock()
	if st != nil {
		return st, nil
	}
	// Connect outside the lock, so requests do not queue behind a Redis
	// that does not answer.
	if err := s.Client.Ping(ctx).Err(); err != nil {
		return nil, err
	}
	st, err := uluredis.NewStoreWithOptions(s.Client, limiter.StoreOptions{Prefix: s.Prefix})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.store == nil {
		s.store = st
	}
	return s.store, nil
}

// Get implements limiter.Store.
func (s *LimiterStore) Get(ctx context.Context, key string, rate limiter.Rate) (limiter.Context, error) {
	st, err := s.get(ctx)
	if err != nil {
		return limiter.Context{}, err
	}
	return st.Get(ctx, key, rate)
}

// Peek implements limiter.Store.
func (s *LimiterStore) Peek(ctx context.Context, key string, rate limiter.Rate) (limiter.Context, error) {
	st, err := s.get(ctx)
	if err != nil {
		return limiter.Context{}, err
	}
	return st.Peek(ctx, key, rate)
}

// Reset implements limiter.Store.
func (s *LimiterStore) Reset(ctx context.Context, key string, rate limiter.Rate) (limiter.Context, error) {
	st, err := s.get(ctx)
	if err != nil {
		return limiter.Context{}, err
	}
	return st.Reset(ctx, key, rate)
}

// Increment implements limiter.Store.
func (s *LimiterStore) Increment(ctx context.Context, key string, n int64, rate limiter.Rate) (limiter.Context, error) {
	st, err := s.get(ctx)
	if err != nil {
		return limiter.Context{}, err
	}
	return st.Increment(ctx, key, n, rate)
}
