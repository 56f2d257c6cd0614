package web

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// probeTimeout bounds each readiness probe.
const probeTimeout = 2 * time.Second

// probeTTL is how long probe results are reused: /health and /ready are
// public and unlimited, so a flood of them costs at most one database ping
// a second.
const probeTTL = time.Second

// probes is one round of readiness probes: each component's state, with
// the error behind it for staff.
type probes struct {
	at     time.Time
	states map[string]string // ready, degraded or unavailable
	errs   map[string]string // the failing probes' errors
	ready  bool
}

// probeCache shares probe rounds between requests.
type probeCache struct {
	mu   sync.Mutex
	last probes
}

// probe runs the readiness probes, or returns the last round when it is
// younger than probeTTL.
func (s *Server) probe(ctx context.Context) probes {
	s.probes.mu.Lock()
	defer s.probes.mu.Unlock()
	if time.Since(s.probes.last.at) < probeTTL {
		return s.probes.last
	}
	p := probes{at: time.Now(), states: map[string]string{}, errs: map[string]string{}, ready: true}
	for _, c := range s.cfg.Checks {
		pctx, cancel := context.WithTimeout(ctx, probeTimeout)
		err := c.Probe(pctx)
		cancel()
		switch {
		case err != nil && c.Optional:
			p.states[c.Name], p.errs[c.Name] = "degraded", err.Error()
		case err != nil:
			p.states[c.Name], p.errs[c.Name] = "unavailable", err.Error()
			p.ready = false
		default:
			p.states[c.Name] = "ready"
		}
	}
	s.probes.last = p
	return p
}

// status sums up the components: healthy, or degraded when one is not
// ready.
func (p probes) status() string {
	for _, st := range p.states {
		if st != "ready" {
			return "degraded"
		}
	}
	return "healthy"
}

// health answers GET /health: the process is alive, with each component's
// state and nothing else (no errors, addresses or versions: it is public).
// It answers 200 even when a component is down: that is /ready's job.
// Staff read the details at /api/admin/health.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	p := s.probe(r.Context())
	writeJSON(w, http.StatusOK, map[string]any{"status": p.status(), "components": p.states})
}

// ready answers GET /ready: 200 when every required dependency answers,
// 503 otherwise.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	p := s.probe(r.Context())
	if !p.ready {
		w.Header().Set("Retry-After", retryAfter)
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "not ready", "components": p.states})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "components": p.states})
}

// adminHealth answers GET /api/admin/health for staff: the components with
// the errors behind them, and what the service reports of itself (catalog,
// database, graph, model, limits, journal).
func (s *Server) adminHealth(w http.ResponseWriter, r *http.Request) {
	p := s.probe(r.Context())
	body := map[string]any{"status": p.status(), "components": p.states, "errors": p.errs}
	if s.cfg.Info != nil {
		for k, v := range s.cfg.Info() {
			body[k] = v
		}
	}
	writeJSON(w, http.StatusOK, body)
}
