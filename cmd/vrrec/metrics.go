package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/vrrec/vrrec/metrics"
)

// registerMetrics exports the journal's and the LLM's state.
func (m *Main) registerMetrics() {
	jw := m.journal
	m.metrics.GaugeFunc("vrrec_journal_queue_depth", "Interactions not durable (spool full or failing), waiting in memory for the database.", func() float64 { return float64(jw.QueueDepth()) })
	m.metrics.GaugeFunc("vrrec_journal_spool_bytes", "Size of the interaction spool on disk (capped by JOURNAL_SPOOL_MAX).", func() float64 { return float64(jw.SpoolBytes()) })
	m.metrics.GaugeFunc("vrrec_journal_backlog_bytes", "Bytes of the spool not yet written to the database.", func() float64 { return float64(jw.BacklogBytes()) })
	m.metrics.CounterFunc("vrrec_journal_written_total", "Interactions written to the database.", func() float64 { return float64(jw.Written()) })
	m.metrics.CounterFunc("vrrec_journal_not_durable_total", "Answered chats whose interaction was not durable when the answer went out.", func() float64 { return float64(jw.NotDurable()) })
	m.metrics.CounterFunc("vrrec_journal_spool_full_total", "Interactions the full spool turned away (kept in memory instead).", func() float64 { return float64(jw.SpoolFull()) })
	m.metrics.CounterFunc("vrrec_journal_lost_total", "Interactions dropped: not durable and no room in memory, or not stored at shutdown.", func() float64 { return float64(jw.Lost()) })
	m.registerLLMMetrics()
	m.registerAnswerMetrics()
}

// serveMetrics serves /metrics on its own address until ctx ends and
// returns its listener.
func serveMetrics(ctx context.Context, addr string, m *metrics.Metrics, log *slog.Logger) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("METRICS_ADDR %q: /metrics cannot listen there (want host:port or :port, like :9090): %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server stopped", "err", err)
		}
	}()
	log.Info("metrics", "addr", ln.Addr().String())
	return ln, nil
}
