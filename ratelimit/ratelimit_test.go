package ratelimit_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ulule/limiter/v3"

	"github.com/vrrec/vrrec/config"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/ratelimit"
	"github.com/vrrec/vrrec/redis"
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// redisStore is a Redis store on a fresh redis-server.
func redisStore(t *testing.T, url string) *redis.RateLimitStore {
	t.Helper()
	client := must(redis.Open(url))
	t.Cleanup(func() { client.Close() })
	return &redis.RateLimitStore{Client: client}
}

// stores runs a test on memory and on a real Redis.
func stores(t *testing.T, test func(t *testing.T, newStore func() ratelimit.Store)) {
	t.Run("memory", func(t *testing.T) {
		m := &ratelimit.Memory{}
		test(t, func() ratelimit.Store { return m })
	})
	t.Run("redis", func(t *testing.T) {
		r := testenv.StartRedis(t)
		// Each call is another instance: its own client, the same server.
		test(t, func() ratelimit.Store { return redisStore(t, r.URL) })
	})
}

func TestTakeReportsTheMostConstrainingLimit(t *testing.T) {
	stores(t, func(t *testing.T, newStore func() ratelimit.Store) {
		l := &ratelimit.Limiter{Store: newStore()}
		rules := func(client string) []ratelimit.Rule {
			return []ratelimit.Rule{
				{Name: "default", Client: client, Rates: must(config.ParseRates("50/hour"))},
				{Name: "chat", Client: client, Rates: must(config.ParseRates("3/minute"))},
			}
		}
		ctx := context.Background()
		for i := 1; i <= 3; i++ {
			d, err := l.Take(ctx, rules("1.2.3.4")...)
			if err != nil || !d.Allowed || d.Limit != 3 || d.Remaining != int64(3-i) || d.Rule != "chat" {
				t.Fatalf("take %d: %+v, %v", i, d, err)
			}
		}
		d, _ := l.Take(ctx, rules("1.2.3.4")...)
		if d.Allowed || d.Rate != "3/minute" || d.Rule != "chat" || d.RetryAfter(time.Now()) < 59 || d.RetryAfter(time.Now()) > 60 {
			t.Errorf("4th take: %+v (retry after %d)", d, d.RetryAfter(time.Now()))
		}
		if d, _ := l.Take(ctx, rules("5.6.7.8")...); !d.Allowed {
			t.Error("another client shares the budget")
		}
		if d, err := l.Take(ctx); err != nil || !d.Allowed || d.Limit != 0 {
			t.Errorf("no rules: %+v, %v", d, err)
		}
	})
}

// A refused request uses no budget: a burst refused by the per-second
// limit leaves the hour untouched. Before, every counter advanced on every
// request, so one burst of 100 used the hour's 50 for an hour.
func TestRefusedRequestsUseNoBudget(t *testing.T) {
	stores(t, func(t *testing.T, newStore func() ratelimit.Store) {
		l := &ratelimit.Limiter{Store: newStore()}
		rules := []ratelimit.Rule{
			{Name: "default", Client: "u:1", Rates: must(config.ParseRates("5/hour"))},
			{Name: "chat", Client: "u:1", Rates: must(config.ParseRates("3/second"))},
		}
		ctx := context.Background()
		allowed := 0
		for i := 0; i < 100; i++ {
			if d := must(l.Take(ctx, rules...)); d.Allowed {
				allowed++
			}
		}
		if allowed != 3 {
			t.Fatalf("%d of a burst of 100 allowed, want 3", allowed)
		}
		time.Sleep(1100 * time.Millisecond) // the second ends
		for i := 4; i <= 5; i++ {
			d := must(l.Take(ctx, rules...))
			if !d.Allowed || d.Rule != "default" || d.Remaining != int64(5-i) {
				t.Fatalf("request %d after the burst: %+v; want allowed with %d left of the hour", i, d, 5-i)
			}
		}
		d := must(l.Take(ctx, rules...))
		if d.Allowed || d.Rule != "default" || d.RetryAfter(time.Now()) < 3500 {
			t.Errorf("6th counted request: %+v; want refused by the hour", d)
		}
	})
}

// Many requests at once, from several instances, with overlapping limits:
// exactly the budget passes, and the counters hold exactly the allowed
// requests. Students a and b (5 each) share an address allowed 8.
func TestTakeIsExactUnderConcurrency(t *testing.T) {
	stores(t, func(t *testing.T, newStore func() ratelimit.Store) {
		instances := []*ratelimit.Limiter{{Store: newStore()}, {Store: newStore()}, {Store: newStore()}}
		student := func(id string) []ratelimit.Rule {
			return []ratelimit.Rule{
				{Name: "chat", Client: id, Rates: must(config.ParseRates("5/minute;100/hour"))},
				{Name: "ip-chat", Client: "ip:10.0.0.1", Rates: must(config.ParseRates("8/minute;100/hour"))},
			}
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		allowed := map[string]int{}
		for i := 0; i < 300; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := []string{"u:a", "u:b"}[i%2]
				d, err := instances[i%len(instances)].Take(context.Background(), student(id)...)
				if err != nil {
					t.Error(err)
					return
				}
				if d.Allowed {
					mu.Lock()
					allowed[id]++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if allowed["u:a"]+allowed["u:b"] != 8 || allowed["u:a"] > 5 || allowed["u:b"] > 5 {
			t.Errorf("allowed %v: want 8 in all, at most 5 each", allowed)
		}
		// The hour counters hold the 8 allowed requests and nothing else:
		// a student with room left gets exactly 100-8 more of the hour.
		probe := []ratelimit.Rule{{Name: "ip-chat", Client: "ip:10.0.0.1", Rates: must(config.ParseRates("100/hour"))}}
		if d := must(instances[0].Take(context.Background(), probe...)); !d.Allowed || d.Remaining != 100-8-1 {
			t.Errorf("the address's hour after the burst: %+v; want %d left", d, 100-8-1)
		}
	})
}

func TestMemoryWindowsEnd(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	m := &ratelimit.Memory{Now: func() time.Time { return now }}
	l := &ratelimit.Limiter{Store: m}
	rule := ratelimit.Rule{Name: "chat", Client: "u:1", Rates: must(config.ParseRates("2/minute"))}
	for i := 0; i < 2; i++ {
		if !must(l.Take(context.Background(), rule)).Allowed {
			t.Fatal("refused within the limit")
		}
	}
	now = now.Add(59 * time.Second)
	if d := must(l.Take(context.Background(), rule)); d.Allowed || !d.Reset.Equal(now.Add(time.Second)) || d.RetryAfter(now) != 1 {
		t.Errorf("at 59 s: %+v", d)
	}
	now = now.Add(time.Second)
	if d := must(l.Take(context.Background(), rule)); !d.Allowed || d.Remaining != 1 || !d.Reset.Equal(now.Add(time.Minute)) {
		t.Errorf("at 60 s, a new window: %+v", d)
	}
}

// flaky is a store that fails while down is set.
type flaky struct {
	ratelimit.Store
	down  atomic.Bool
	calls atomic.Int32
}

func (f *flaky) Take(ctx context.Context, c []ratelimit.Counter) (bool, []ratelimit.Window, error) {
	f.calls.Add(1)
	if f.down.Load() {
		return false, nil, errors.New("connection refused")
	}
	return f.Store.Take(ctx, c)
}

func TestFailoverSwitchesAndComesBack(t *testing.T) {
	primary := &flaky{Store: &ratelimit.Memory{}}
	var switched []string
	f := &ratelimit.Failover{Primary: primary, Fallback: &ratelimit.Memory{}, RetryAfter: 50 * time.Millisecond,
		OnSwitch: func(to string) { switched = append(switched, to) }}
	counters := []ratelimit.Counter{{Key: "k", Rate: must(config.ParseRates("100/minute"))[0]}}
	ctx := context.Background()

	if _, _, err := f.Take(ctx, counters); err != nil || f.Mode() != ratelimit.ModePrimary {
		t.Fatalf("healthy: %v, %s", err, f.Mode())
	}
	primary.down.Store(true)
	for i := 0; i < 5; i++ {
		if ok, w, err := f.Take(ctx, counters); err != nil || !ok || w[0].Count != int64(i+1) {
			t.Fatalf("a failing primary must not fail the call: %v, %v, %v", ok, w, err)
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
	if ok, w, err := f.Take(ctx, counters); err != nil || !ok || w[0].Count != 2 || f.Mode() != ratelimit.ModePrimary {
		t.Errorf("after recovery: %v %v %v, %s; want the primary's count (2)", ok, w, err, f.Mode())
	}
	if len(switched) != 2 || switched[0] != ratelimit.ModeFallback || switched[1] != ratelimit.ModePrimary || f.Switches() != 2 {
		t.Errorf("switches %v (%d)", switched, f.Switches())
	}
}

// Redis down is an error, never a decision (Failover then counts in
// memory); a restarted, empty Redis needs nothing redone.
func TestRedisDownIsAnError(t *testing.T) {
	r := testenv.StartRedis(t)
	s := redisStore(t, r.URL)
	counters := []ratelimit.Counter{{Key: "k", Rate: limiter.Rate{Formatted: "1/minute", Period: time.Minute, Limit: 1}}}
	if ok, _, err := s.Take(context.Background(), counters); err != nil || !ok {
		t.Fatalf("up: %v, %v", ok, err)
	}
	r.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if ok, w, err := s.Take(ctx, counters); err == nil {
		t.Errorf("no error with Redis down: %v %v", ok, w)
	}
	r.Start() // an empty Redis: the script is loaded again on its own
	if ok, w, err := s.Take(context.Background(), counters); err != nil || !ok || w[0].Count != 1 {
		t.Errorf("after a restart: %v %v %v", ok, w, err)
	}
}

func ExampleLimiter_Take() {
	l := &ratelimit.Limiter{Store: &ratelimit.Memory{}}
	student := ratelimit.Rule{Name: "chat", Client: "u:42", Rates: must(config.ParseRates("2/minute"))}
	for i := 0; i < 3; i++ {
		d, _ := l.Take(context.Background(), student)
		fmt.Println(d.Allowed, d.Remaining)
	}
	// Output:
	// true 1
	// true 0
	// false 0
}
