package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ulule/limiter/v3"
)

var periods = map[string]time.Duration{
	"second": time.Second, "seconds": time.Second, "s": time.Second,
	"minute": time.Minute, "minutes": time.Minute, "m": time.Minute, "min": time.Minute,
	"hour": time.Hour, "hours": time.Hour, "h": time.Hour,
	"day": 24 * time.Hour, "days": 24 * time.Hour, "d": 24 * time.Hour,
}

// ParseRates reads rates as Flask-Limiter wrote them: "200/day;50/hour",
// also "10 per minute". Separators are ";" or ",". An empty string is no
// limit at all.
func ParseRates(s string) ([]limiter.Rate, error) {
	var out []limiter.Rate
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' }) {
		part = strings.ToLower(strings.TrimSpace(part))
		if part == "" {
			continue
		}
		n, unit, ok := strings.Cut(part, "/")
		if !ok {
			n, unit, ok = strings.Cut(part, " per ")
		}
		limit, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
		period, known := periods[strings.TrimSpace(unit)]
		if !ok || err != nil || limit <= 0 || !known {
			return nil, fmt.Errorf("rate %q: want N/second, N/minute, N/hour or N/day", part)
		}
		out = append(out, limiter.Rate{Formatted: fmt.Sprintf("%d/%s", limit, strings.TrimSuffix(strings.TrimSpace(unit), "s")), Period: period, Limit: limit})
	}
	return out, nil
}
