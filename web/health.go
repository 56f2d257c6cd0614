package web

import (
	"context"
	"net/http"
	"time"
)

// probeTimeout bounds each readiness probe.
const probeTimeout = 2 * time.Second

func (s *Server) probe(ctx context.Context) (map[string]string, bool) {
	out := make(map[string]string, len(s.cfg.Checks))
	ready := true
	for _, c := range s.cfg.Checks {
		pctx, cancel := context.WithTimeout(ctx, probeTimeout)
		err := c.Probe(pctx)
		cancel()
		switch {
		case err != nil && c.Optional:
			out[c.Name] = "degraded: " + err.Error()
		case err != nil:
			out[c.Name] = "unavailable: " + err.Error()
			ready = false
		default:
			out[c.Name] = "ready"
		}
	}
	return out, ready
}

// health answers GET /health: the process is alive, with each component's
// state. It answers 200 even when a component is down: that is /ready's job.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	components, _ := s.probe(r.Context())
	body := map[string]any{"status": "healthy", "components": components}
	for k, v := range s.cfg.Info() {
		body[k] = v
	}
	writeJSON(w, http.StatusOK, body)
}

// ready answers GET /ready: 200 when every dependency answers, 503 otherwise.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	components, ok := s.probe(r.Context())
	if !ok {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "not ready", "components": components})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "components": components})
}
