package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"
)

// Store modes.
const (
	ModePrimary  = "primary"
	ModeFallback = "fallback"
)

// Failover is a Store that counts in Primary (Redis) and, when Primary
// fails, in Fallback (memory) for the same call, so a request never fails
// because the shared store is down. A circuit breaker (sony/gobreaker, as
// the LLM's) opens on a failure: Primary is then left alone for
// RetryAfter, after which one call tries it again and its success switches
// back. Each switch is logged once and counted. While it falls back, each
// instance counts on its own: a client spread over n instances gets up to
// n times its budget until Redis answers again. A call that times out after
// Redis counted it is counted again in memory: the client loses one
// request.
type Failover struct {
	Primary    Store
	Fallback   Store
	Timeout    time.Duration // per primary call; default 250 ms
	RetryAfter time.Duration // default 2 s
	Log        *slog.Logger
	// OnSwitch, when set, is told each switch ("primary" or "fallback").
	// It runs inside the breaker: it must not call back into the Failover.
	OnSwitch func(to string)

	once      sync.Once
	breaker   *gobreaker.CircuitBreaker[taken]
	lastErr   atomic.Pointer[error]
	switches  atomic.Int64
	fallbacks atomic.Int64 // calls answered by the fallback
}

var _ Store = (*Failover)(nil)

// taken is what Primary answered.
type taken struct {
	ok      bool
	windows []Window
}

// callerGone marks a primary failure caused by the request ending, which
// says nothing about Primary's health.
type callerGone struct{ err error }

func (c callerGone) Error() string { return c.err.Error() }
func (c callerGone) Unwrap() error { return c.err }

func (f *Failover) cb() *gobreaker.CircuitBreaker[taken] {
	f.once.Do(func() {
		retry := f.RetryAfter
		if retry <= 0 {
			retry = 2 * time.Second
		}
		f.breaker = gobreaker.NewCircuitBreaker[taken](gobreaker.Settings{
			Name:        "rate-limit store",
			MaxRequests: 1,
			Timeout:     retry,
			ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= 1 },
			IsSuccessful: func(err error) bool {
				var gone callerGone
				return err == nil || errors.As(err, &gone)
			},
			OnStateChange: func(_ string, from, to gobreaker.State) { f.switched(from, to) },
		})
	})
	return f.breaker
}

// switched logs and counts a move between the primary and the fallback;
// the breaker's half-open state still counts as falling back.
func (f *Failover) switched(from, to gobreaker.State) {
	var mode string
	switch {
	case from == gobreaker.StateClosed && to == gobreaker.StateOpen:
		mode = ModeFallback
		var err error
		if p := f.lastErr.Load(); p != nil {
			err = *p
		}
		f.log().Warn("rate-limit store unreachable: counting in memory until it answers again", "err", err)
	case to == gobreaker.StateClosed:
		mode = ModePrimary
		f.log().Info("rate-limit store answers again: shared counting resumed")
	default:
		return
	}
	f.switches.Add(1)
	if f.OnSwitch != nil {
		f.OnSwitch(mode)
	}
}

// Mode reports which store answers now.
func (f *Failover) Mode() string {
	if f.Primary == nil || f.cb().State() != gobreaker.StateClosed {
		return ModeFallback
	}
	return ModePrimary
}

// Switches returns how many times the store switched between primary and
// fallback.
func (f *Failover) Switches() int64 { return f.switches.Load() }

// FallbackCalls returns how many calls the fallback answered.
func (f *Failover) FallbackCalls() int64 { return f.fallbacks.Load() }

func (f *Failover) log() *slog.Logger {
	if f.Log == nil {
		return slog.Default()
	}
	return f.Log
}

// Take implements Store.
func (f *Failover) Take(ctx context.Context, counters []Counter) (bool, []Window, error) {
	if f.Primary != nil {
		timeout := f.Timeout
		if timeout <= 0 {
			timeout = 250 * time.Millisecond
		}
		t, err := f.cb().Execute(func() (taken, error) {
			pctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			ok, windows, err := f.Primary.Take(pctx, counters)
			if err != nil {
				if ctx.Err() != nil { // the request itself is gone
					return taken{}, callerGone{err}
				}
				f.lastErr.Store(&err)
			}
			return taken{ok, windows}, err
		})
		var gone callerGone
		switch {
		case err == nil:
			return t.ok, t.windows, nil
		case errors.As(err, &gone):
			return false, nil, fmt.Errorf("rate-limit store: %w", ctx.Err())
		}
	}
	f.fallbacks.Add(1)
	return f.Fallback.Take(ctx, counters)
}
