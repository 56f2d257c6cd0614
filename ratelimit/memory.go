package ratelimit

import (
	"context"
	"sync"
	"time"
)

// Memory is a Store in this process's memory: one instance's counters,
// and the fallback while Redis is down. The zero value is ready to use.
type Memory struct {
	// Now is the clock, time.Now when nil; tests move it.
	Now func() time.Time

	mu        sync.Mutex
	windows   map[string]Window
	nextSweep time.Time
}

var _ Store = (*Memory)(nil)

// sweepEvery is how often ended windows are dropped, so clients that went
// away do not hold memory.
const sweepEvery = time.Minute

// Take implements Store. One lock makes it atomic; it is held for a few
// map operations.
func (m *Memory) Take(_ context.Context, counters []Counter) (bool, []Window, error) {
	now := time.Now()
	if m.Now != nil {
		now = m.Now()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.windows == nil {
		m.windows = map[string]Window{}
	}
	if now.After(m.nextSweep) {
		for k, w := range m.windows {
			if !now.Before(w.Reset) {
				delete(m.windows, k)
			}
		}
		m.nextSweep = now.Add(sweepEvery)
	}
	out := make([]Window, len(counters))
	ok := true
	for i, c := range counters {
		w, found := m.windows[c.Key]
		if !found || !now.Before(w.Reset) { // no window open: the next request opens one
			w = Window{Reset: now.Add(c.Rate.Period)}
		}
		out[i] = w
		if w.Count >= c.Rate.Limit {
			ok = false
		}
	}
	if ok {
		for i, c := range counters {
			out[i].Count++
			m.windows[c.Key] = out[i]
		}
	}
	return ok, out, nil
}
