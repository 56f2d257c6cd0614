package ratelimit

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ulule/limiter/v3"
)

// Store modes.
const (
	ModePrimary  = "primary"
	ModeFallback = "fallback"
)

// Failover is a limiter.Store that counts in primary and, when primary
// fails, in fallback for the same call, so a request never fails because
// the shared store is down. After a failure primary is left alone for
// RetryAfter, then tried again; the first success switches back. Each
// switch is logged once and counted.
type Failover struct {
	Primary    limiter.Store
	Fallback   limiter.Store
	Timeout    time.Duration // per primary call; default 250 ms
	RetryAfter time.Duration // default 2 s
	Log        *slog.Logger
	// OnSwitch, when set, is told each switch ("primary" or "fallback").
	OnSwitch func(to string)

	mu        sync.Mutex
	down      bool
	retryAt   time.Time
	switches  atomic.Int64
	fallbacks atomic.Int64 // calls answered by the fallback
}

var _ limiter.Store = (*Failover)(nil)

// Mode reports which store answers now.
func (f *Failover) Mode() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return ModeFallback
	}
	return ModePrimary
}

// Switches returns how many times the store switched between primary and
// fallback.
func (f *Failover) Switches() int64 { return f.switches.Load() }

// FallbackCalls returns how many calls the fallback answered.
func (f *Failover) FallbackCalls() int64 { return f.fallbacks.Load() }

func (f *Failover) tryPrimary() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return !f.down || time.Now().After(f.retryAt)
}

func (f *Failover) setDown(down bool, err error) {
	f.mu.Lock()
	changed := f.down != down
	f.down = down
	if down {
		retry := f.RetryAfter
		if retry <= 0 {
			retry = 2 * time.Second
		}
		f.retryAt = time.Now().Add(retry)
	}
	f.mu.Unlock()
	if !changed {
		return
	}
	f.switches.Add(1)
	to := ModePrimary
	if down {
		to = ModeFallback
		f.log().Warn("rate-limit store unreachable: counting in memory until it answers again", "err", err)
	} else {
		f.log().Info("rate-limit store answers again: shared counting resumed")
	}
	if f.OnSwitch != nil {
		f.OnSwitch(to)
	}
}

func (f *Failover) log() *slog.Logger {
	if f.Log == nil {
		return slog.Default()
	}
	return f.Log
}

func (f *Failover) do(ctx context.Context, call func(limiter.Store, context.Context) (limiter.Context, error)) (limiter.Context, error) {
	if f.Primary != nil && f.tryPrimary() {
		timeout := f.Timeout
		if timeout <= 0 {
			timeout = 250 * time.Millisecond
		}
		pctx, cancel := context.WithTimeout(ctx, timeout)
		res, err := call(f.Primary, pctx)
		cancel()
		if err == nil {
			f.setDown(false, nil)
			return res, nil
		}
		if ctx.Err() != nil { // the request itself is gone
			return limiter.Context{}, ctx.Err()
		}
		f.setDown(true, err)
	}
	f.fallbacks.Add(1)
	return call(f.Fallback, ctx)
}

// Get implements limiter.Store.
func (f *Failover) Get(ctx context.Context, key string, rate limiter.Rate) (limiter.Context, error) {
	return f.do(ctx, func(s limiter.Store, ctx context.Context) (limiter.Context, error) { return s.Get(ctx, key, rate) })
}

// Peek implements limiter.Store.
func (f *Failover) Peek(ctx context.Context, key string, rate limiter.Rate) (limiter.Context, error) {
	return f.do(ctx, func(s limiter.Store, ctx context.Context) (limiter.Context, error) { return s.Peek(ctx, key, rate) })
}

// Reset implements limiter.Store.
func (f *Failover) Reset(ctx context.Context, key string, rate limiter.Rate) (limiter.Context, error) {
	return f.do(ctx, func(s limiter.Store, ctx context.Context) (limiter.Context, error) { return s.Reset(ctx, key, rate) })
}

// Increment implements limiter.Store.
func (f *Failover) Increment(ctx context.Context, key string, n int64, rate limiter.Rate) (limiter.Context, error) {
	return f.do(ctx, func(s limiter.Store, ctx context.Context) (limiter.Context, error) {
		return s.Increment(ctx, key, n, rate)
	})
}
