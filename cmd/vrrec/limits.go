package main

import (
	"fmt"
	"log/slog"

	goredis "github.com/redis/go-redis/v9"

	"github.com/vrrec/vrrec/config"
	"github.com/vrrec/vrrec/metrics"
	"github.com/vrrec/vrrec/ratelimit"
	"github.com/vrrec/vrrec/redis"
	"github.com/vrrec/vrrec/web"
)

// newLimits builds the rate limiter: counters in Redis when REDIS_URL is
// set, falling back to memory while Redis is down; in memory otherwise. The
// returned func describes the store in use, for /health.
func newLimits(cfg config.Config, client *goredis.Client, log *slog.Logger, m *metrics.Metrics) (*web.Limits, func() string) {
	memory := &ratelimit.Memory{}
	var store ratelimit.Store = memory
	describe := func() string { return "memory" }
	storeName := func() string { return "memory" }
	if client != nil {
		f := &ratelimit.Failover{Primary: &redis.RateLimitStore{Client: client}, Fallback: memory, Log: log, OnSwitch: m.StoreSwitched}
		storeName = func() string {
			if f.Mode() == ratelimit.ModeFallback {
				return "memory"
			}
			return "redis"
		}
		store = f
		describe = func() string {
			if f.Mode() == ratelimit.ModeFallback {
				return fmt.Sprintf("redis unreachable, counting in memory (%d switches)", f.Switches())
			}
			return fmt.Sprintf("redis (%d switches)", f.Switches())
		}
	}
	return &web.Limits{
		Limiter: &ratelimit.Limiter{Store: store},
		Default: cfg.RateLimitDefault, Chat: cfg.RateLimitChat, Login: cfg.RateLimitLogin,
		IPDefault: cfg.RateLimitIPDefault, IPChat: cfg.RateLimitIPChat, Pages: cfg.RateLimitIPPages,
		OnReject: func(route string) { m.RateLimited(route, storeName()) },
	}, describe
}
