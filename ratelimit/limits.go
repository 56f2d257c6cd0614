// Package ratelimit limits requests per client: rates as ulule/limiter's
// Rate (config.ParseRates reads the old system's notation,
// "200/day;50/hour"), fixed-window counters in Redis (redis.RateLimitStore,
// shared by instances) or in memory (Memory), and a store that counts in
// Redis and falls back to memory within the same request when Redis fails,
// switching back once it answers again (Failover). A request is counted
// against all of its limits or none: a refused request uses no budget.
package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/ulule/limiter/v3"
)

// Rule is a named group of rates counted for one client: a student's
// signed id, or an address. Each rate has its own counter per client.
type Rule struct {
	Name   string
	Client string
	Rates  []limiter.Rate
}

// Counter is one rate counted for one client, under Key.
type Counter struct {
	Key  string
	Rate limiter.Rate
}

// Window is where a counter stands: the requests counted in its current
// window, and when that window ends. Windows are fixed: the first request
// counted opens one for Rate.Period.
type Window struct {
	Count int64
	Reset time.Time
}

// Store keeps counters.
//
// Take counts one request against every counter when each of them has room
// for it (fewer than its Rate.Limit requests in the current window), and
// against none of them otherwise. It reports whether it counted, and each
// counter's window afterwards, in the order given. Take is atomic:
// concurrent calls, from this process or any other sharing the store,
// behave as if they ran one after another, so a store never lets more
// requests through than a limit allows and a refused request never uses
// budget.
type Store interface {
	Take(ctx context.Context, counters []Counter) (bool, []Window, error)
}

// Decision is the outcome of counting one request against some rules.
type Decision struct {
	Allowed bool
	// The most constraining limit: the reached one with the latest reset
	// when the request is refused, else the one with the fewest left.
	Limit, Remaining int64
	Reset            time.Time
	Rate             string // e.g. "10/minute"
	Rule             string // the name of the rule Rate belongs to
}

// RetryAfter returns the whole seconds until the limit resets, at least 1.
func (d Decision) RetryAfter(now time.Time) int {
	s := int(d.Reset.Sub(now).Seconds() + 0.999)
	return max(s, 1)
}

// Limiter counts requests per client in a store.
type Limiter struct {
	Store  Store
	Prefix string // key prefix, default "vrrec:rl"
}

// Take counts one request against every rate of every rule, all or
// nothing: the request is allowed when every counter has room, and only
// then does any counter advance. A refused request uses no budget, so a
// burst refused by the minute limit does not also fill the hour and the
// day. A rule without rates limits nothing; no rules at all allow the
// request with Limit 0. The error is non-nil only when the store failed (a
// Failover store never does).
func (l *Limiter) Take(ctx context.Context, rules ...Rule) (Decision, error) {
	prefix := l.Prefix
	if prefix == "" {
		prefix = "vrrec:rl"
	}
	var counters []Counter
	var names []string
	seen := map[string]bool{}
	for _, rule := range rules {
		for _, rate := range rule.Rates {
			key := fmt.Sprintf("%s:%s:%d-%s:%s", prefix, rule.Name, rate.Limit, rate.Period, rule.Client)
			if seen[key] { // a rate listed twice is one limit
				continue
			}
			seen[key] = true
			counters = append(counters, Counter{Key: key, Rate: rate})
			names = append(names, rule.Name)
		}
	}
	if len(counters) == 0 {
		return Decision{Allowed: true}, nil
	}
	ok, windows, err := l.Store.Take(ctx, counters)
	if err != nil {
		return Decision{}, fmt.Errorf("rate limit: %w", err)
	}
	if len(windows) != len(counters) {
		return Decision{}, fmt.Errorf("rate limit: the store answered %d counters for %d", len(windows), len(counters))
	}
	d := Decision{Allowed: ok, Remaining: -1}
	for i, c := range counters {
		w, limit := windows[i], c.Rate.Limit
		if !ok {
			// Refused: the full counters hold the request back; the one
			// that frees up last decides when to come back.
			if w.Count >= limit && (d.Remaining < 0 || w.Reset.After(d.Reset)) {
				d = Decision{Allowed: false, Limit: limit, Remaining: 0, Reset: w.Reset, Rate: c.Rate.Formatted, Rule: names[i]}
			}
			continue
		}
		if left := max(limit-w.Count, 0); d.Remaining < 0 || left < d.Remaining {
			d = Decision{Allowed: true, Limit: limit, Remaining: left, Reset: w.Reset, Rate: c.Rate.Formatted, Rule: names[i]}
		}
	}
	if d.Remaining < 0 { // a store that refused with no counter full
		return Decision{}, fmt.Errorf("rate limit: the store refused a request with room on every counter")
	}
	return d, nil
}
