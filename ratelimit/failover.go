package ratelimit

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Store modes.
const (
	ModePrimary  = "primary"
	ModeFallback = "fallback"
)

// Failover is a Store that counts in Primary (Redis) and, when Primary
// fails, in Fallback (memory) for the same call, so a request never fails
// because the shared store is down. After a failure Primary is left alone
// for RetryAfter, then tried again; the first success switches back. Each
// switch is logged once and counted. While it falls back, each instance
// counts on its own: a client spread over n instances gets up to n times
// its budget until Redis answers again. A call that times out after Redis
// counted it is counted again in memory: the client loses one request.
type Failover struct {
	Primary    Store
	Fallback   Store
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

var _ Store = (*Failover)(nil)

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

// Take implements Store.
func (f *Failover) Take(ctx context.Context, counters []Counter) (bool, []Window, error) {
	if f.Primary != nil && f.tryPrimary() {
		timeout := f.Timeout
		if timeout <= 0 {
			timeout = 250 * time.Millisecond
		}
		pctx, cancel := context.WithTimeout(ctx, timeout)
		ok, windows, err := f.Primary.Take(pctx, counters)
		cancel()
		if err == nil {
			f.setDown(false, nil)
			return ok, windows, nil
		}
		if ctx.Err() != nil { // the request itself is gone
			return false, nil, fmt.Errorf("rate-limit store: %w", ctx.Err())
		}
		f.setDown(true, err)
	}
	f.fallbacks.Add(1)
	return f.Fallback.Take(ctx, counters)
}
