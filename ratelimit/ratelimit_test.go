package ratelimit_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ulule/limiter/v3"
	memstore "github.com/ulule/limiter/v3/drivers/store/memory"

	"github.com/vrrec/vrrec/ratelimit"
)

func TestParseRates(t *testing.T) {
	r, err := ratelimit.ParseRates("200/day; 50/hour, 10 per minute")
	if err != nil {
		t.Fatal(err)
	}
	if len(r) != 3 || r[0].Limit != 200 || r[0].Period != 24*time.Hour || r[1].Period != time.Hour || r[2].Limit != 10 || r[2].Period != time.Minute {
		t.Errorf("rates = %+v", r)
	}
	if r, err := ratelimit.ParseRates(""); err != nil || len(r) != 0 {
		t.Errorf("empty: %v, %v", r, err)
	}
	for _, bad := range []string{"10/fortnight", "ten/minute", "0/minute", "-1/hour", "10"} {
		if _, err := ratelimit.ParseRates(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestTakeReportsTheMostConstrainingLimit(t *testing.T) {
	l := &ratelimit.Limiter{Store: memstore.NewStore()}
	rules := []ratelimit.Rule{
		{Name: "default", Rates: must(ratelimit.ParseRates("50/hour"))},
		{Name: "chat", Rates: must(ratelimit.ParseRates("3/minute"))},
	}
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		d, err := l.Take(ctx, "1.2.3.4", rules...)
		if err != nil || !d.Allowed || d.Limit != 3 || d.Remaining != int64(3-i) {
			t.Fatalf("take %d: %+v, %v", i, d, err)
		}
	}
	d, _ := l.Take(ctx, "1.2.3.4", rules...)
	if d.Allowed || d.Rate != "3/minute" || d.RetryAfter(time.Now()) < 1 || d.RetryAfter(time.Now()) > 60 {
		t.Errorf("4th take: %+v", d)
	}
	if d, _ := l.Take(ctx, "5.6.7.8", rules...); !d.Allowed {
		t.Error("another client shares the budget")
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// flaky is a store that fails while down is set.
type flaky struct {
	limiter.Store
	down  atomic.Bool
	calls atomic.Int32
}

func (f *flaky) Get(ctx context.Context, key string, rate limiter.Rate) (limiter.Context, error) {
	f.calls.Add(1)
	if f.down.Load() {
		return limiter.Context{}, errors.New("connection refused")
	}
	return f.Store.Get(ctx, key, rate)
}

func TestFailoverSwitchesAndComesBack(t *testing.T) {
	primary := &flaky{Store: memstore.NewStore()}
	var switched []string
	f := &ratelimit.Failover{Primary: primary, Fallback: memstore.NewStore(), RetryAfter: 50 * time.Millisecond,
		OnSwitch: func(to string) { switched = append(switched, to) }}
	rate := must(ratelimit.ParseRates("100/minute"))[0]
	ctx := context.Background()

	if _, err := f.Get(ctx, "k", rate); err != nil || f.Mode() != ratelimit.ModePrimary {
		t.Fatalf("healthy: %v, %s", err, f.Mode())
	}
	primary.down.Store(true)
	for i := 0; i < 5; i++ {
		if _, err := f.Get(ctx, "k", rate); err != nil {
			t.Fatalf("a failing primary must not fail the call: %v", err)
		}
	}
	// Within RetryAfter the broken primary is not asked again.
	if calls := primary.calls.Load(); calls != 2 {
		t.Errorf("primary asked %d times, want 2 (one success, one failure, then left alone)", calls)
	}
	if f.Mode() != ratelimit.ModeFallback || f.FallbackCalls() != 5 {
		t.Errorf("mode %s, fallback calls %d", f.Mode(), f.FallbackCalls())
	}
	primary.down.Store(false)
	time.Sleep(60 * time.Millisecond)
	if _, err := f.Get(ctx, "k", rate); err != nil || f.Mode() != ratelimit.ModePrimary {
		t.Errorf("after recovery: %v, %s", err, f.Mode())
	}
	if len(switched) != 2 || switched[0] != ratelimit.ModeFallback || switched[1] != ratelimit.ModePrimary || f.Switches() != 2 {
		t.Errorf("switches %v (%d)", switched, f.Switches())
	}
}
