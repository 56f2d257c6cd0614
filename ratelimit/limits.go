package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/ulule/limiter/v3"
)

// Rule is a named group of rates; each rate has its own counter per client.
type Rule struct {
	Name  string
	Rates []limiter.Rate
}

// Decision is the outcome of counting one request against some rules.
type Decision struct {
	Allowed bool
	// The most constraining limit: the reached one with the latest reset
	// when the request is refused, else the one with the fewest left.
	Limit, Remaining int64
	Reset            time.Time
	Rate             string // e.g. "10/minute"
}

// RetryAfter returns the whole seconds until the limit resets, at least 1.
func (d Decision) RetryAfter(now time.Time) int {
	s := int(d.Reset.Sub(now).Seconds() + 0.999)
	return max(s, 1)
}

// Limiter counts requests per client in a store.
type Limiter struct {
	Store  limiter.Store
	Prefix string // key prefix, default "vrrec"
}

// Take counts one request of client against every rate of every rule and
// decides. All counters advance, as Flask-Limiter did, so a refused request
// still uses budget. The error is non-nil only when the store failed (a
// Failover store never does).
func (l *Limiter) Take(ctx context.Context, client string, rules ...Rule) (Decision, error) {
	d := Decision{Allowed: true, Remaining: -1}
	prefix := l.Prefix
	if prefix == "" {
		prefix = "vrrec"
	}
	for _, rule := range rules {
		for _, rate := range rule.Rates {
			key := fmt.Sprintf("%s:%s:%d-%s:%s", prefix, rule.Name, rate.Limit, rate.Period, client)
			c, err := l.Store.Get(ctx, key, rate)
			if err != nil {
				return Decision{}, fmt.Errorf("rate limit %s: %w", rule.Name, err)
			}
			reset := time.Unix(c.Reset, 0)
			switch {
			case c.Reached && (d.Allowed || reset.After(d.Reset)):
				d = Decision{Allowed: false, Limit: c.Limit, Remaining: 0, Reset: reset, Rate: rate.Formatted}
			case d.Allowed && (d.Remaining < 0 || c.Remaining < d.Remaining):
				d = Decision{Allowed: true, Limit: c.Limit, Remaining: c.Remaining, Reset: reset, Rate: rate.Formatted}
			}
		}
	}
	return d, nil
}
