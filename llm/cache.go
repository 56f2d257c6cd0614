package llm

import (
	"context"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
)

// MemoryCache is an in-memory LRU cache with one TTL for every entry, the
// default when no Redis is configured.
type MemoryCache struct {
	lru *expirable.LRU[string, []byte]
}

var _ Cache = (*MemoryCache)(nil)

// NewMemoryCache keeps up to size answers for ttl each.
func NewMemoryCache(size int, ttl time.Duration) *MemoryCache {
	return &MemoryCache{lru: expirable.NewLRU[string, []byte](size, nil, ttl)}
}

// Get implements Cache.
func (c *MemoryCache) Get(_ context.Context, key string) ([]byte, bool, error) {
	v, ok := c.lru.Get(key)
	return v, ok, nil
}

// Set implements Cache; the TTL is the cache's own.
func (c *MemoryCache) Set(_ context.Context, key string, value []byte, _ time.Duration) error {
	c.lru.Add(key, value)
	return nil
}
