package web

import (
	"context"
	"net/http"

	"github.com/vrrec/vrrec"
)

// LLMSpend reports the language model's spend per day beside its daily
// budget, as JSON (llm.SpendReport), for the last days.
type LLMSpend func(ctx context.Context, days int) (any, error)

// llmSpend answers GET /api/admin/llm-spend?days=14: the model's calls,
// tokens and (when its price is configured) cost per day, from the usage
// its API reported, and today's share of the budget.
func (s *Server) llmSpend(w http.ResponseWriter, r *http.Request) {
	if s.cfg.LLMSpend == nil {
		s.writeError(w, r, vrrec.Errorf(vrrec.EUNAVAILABLE, "The LLM spend is not recorded on this server"))
		return
	}
	days, err := queryInt(r, "days", 14, 1, 366)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rep, err := s.cfg.LLMSpend(r.Context(), days)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}
