package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vrrec/vrrec"
)

// Usage makes the staff's reports on how students used the service
// (usage.Reports). Errors mean the database or the sentence model did not
// answer.
type Usage interface {
	// Feedback summarises the votes cast since the given time (zero: all).
	Feedback(ctx context.Context, since time.Time) (vrrec.FeedbackReport, error)
	// Demand groups what students asked since then that nothing fit, or
	// only weakly, into topics.
	Demand(ctx context.Context, since time.Time) (vrrec.DemandReport, error)
}

// Labels keeps the questions staff label from the log as evaluation
// queries (eval.Stored). SaveLabeledQuery answers EINVALID for a label the
// served catalog cannot hold; Export writes them in the eval/ file format.
type Labels interface {
	SaveLabeledQuery(ctx context.Context, q vrrec.LabeledQuery) error
	LabeledQueries(ctx context.Context) ([]vrrec.LabeledQuery, error)
	Export(ctx context.Context) ([]byte, error)
}

// since reads the period of a staff report, ?days=N: today and the N-1
// days before it, whole days in UTC as the per-day counts; zero (absent)
// is all time.
func since(r *http.Request) (time.Time, error) {
	days, err := queryInt(r, "days", 0, 1, 3660)
	if err != nil || days == 0 {
		return time.Time{}, err
	}
	return time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -(days - 1)), nil
}

// needUsage answers 503 when the usage reports are not wired.
func (s *Server) needUsage(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.Usage == nil || s.cfg.Labels == nil {
			s.writeError(w, r, vrrec.Errorf(vrrec.EUNAVAILABLE, "Usage reports are not available"))
			return
		}
		next(w, r)
	}
}

// feedbackReport answers GET /api/admin/feedback?days=N.
func (s *Server) feedbackReport(w http.ResponseWriter, r *http.Request) {
	from, err := since(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rep, err := s.cfg.Usage.Feedback(r.Context(), from)
	if err != nil {
		s.writeError(w, r, vrrec.Unavailable(err, "Feedback is unavailable: the database does not answer"))
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// demandReport answers GET /api/admin/demand?days=N[&format=csv].
func (s *Server) demandReport(w http.ResponseWriter, r *http.Request) {
	from, err := since(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "csv" {
		s.writeError(w, r, vrrec.Errorf(vrrec.EINVALID, "format must be json or csv"))
		return
	}
	rep, err := s.cfg.Usage.Demand(r.Context(), from)
	if err != nil {
		s.writeError(w, r, vrrec.Unavailable(err, "The demand report is unavailable: the database or the sentence model does not answer"))
		return
	}
	if format != "csv" {
		writeJSON(w, http.StatusOK, rep)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="unmet-demand.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"topic", "questions", "students", "nothing_fits", "last_asked", "per_day", "examples"})
	for _, t := range rep.Topics {
		days := make([]string, len(t.Trend))
		for i, d := range t.Trend {
			days[i] = strconv.Itoa(d.Count)
		}
		_ = cw.Write([]string{vrrec.CSVCell(t.Topic), strconv.Itoa(t.Count), strconv.Itoa(t.Students), strconv.Itoa(t.NothingFits),
			t.LastAsked.UTC().Format(time.RFC3339), strings.Join(days, " "), vrrec.CSVCell(strings.Join(t.Examples, " | "))})
	}
	cw.Flush()
}

// labeledQueries answers GET /api/admin/labeled-queries.
func (s *Server) labeledQueries(w http.ResponseWriter, r *http.Request) {
	qs, err := s.cfg.Labels.LabeledQueries(r.Context())
	if err != nil {
		s.writeError(w, r, vrrec.Unavailable(err, "Labeled queries are unavailable: the database does not answer"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"queries": qs})
}

// saveLabeledQuery answers POST /api/admin/labeled-queries {"query",
// "relevant", "acceptable", "interaction_id"}: a real question kept as an
// evaluation query; the same question again replaces its labels.
func (s *Server) saveLabeledQuery(w http.ResponseWriter, r *http.Request) {
	var q vrrec.LabeledQuery
	if err := decodeJSON(w, r, &q); err != nil {
		s.writeError(w, r, err)
		return
	}
	m, _ := vrrec.StaffFrom(r.Context())
	q.CreatedBy, q.CreatedAt = m.Email, time.Now().UTC()
	if err := s.cfg.Labels.SaveLabeledQuery(r.Context(), q); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.audit(r, "label_query", fmt.Sprintf("%d relevant, %d acceptable (interaction %s)", len(q.Relevant), len(q.Acceptable), q.InteractionID))
	writeJSON(w, http.StatusOK, map[string]any{"success": true})
}

// exportLabeledQueries answers GET /api/admin/labeled-queries/export: the
// labeled queries as an eval/ file, for `vrrec eval --queries`.
func (s *Server) exportLabeledQueries(w http.ResponseWriter, r *http.Request) {
	b, err := s.cfg.Labels.Export(r.Context())
	if err != nil {
		s.writeError(w, r, vrrec.Unavailable(err, "Labeled queries are unavailable: the database does not answer"))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="from-use.json"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}
