package web

import (
	"context"
	"math"
	"net/http"
	"strings"

	"github.com/vrrec/vrrec"
)

// SettingsStore keeps the managed settings staff change at run time
// (admin.Settings). An error from List, or from Update other than EINVALID
// (an unknown key or a bad value), means the database does not answer.
type SettingsStore interface {
	// List returns every managed setting, secrets masked.
	List(ctx context.Context) ([]vrrec.Setting, error)
	// Update stores values (masked values posted back are ignored) and
	// returns the keys that changed.
	Update(ctx context.Context, values map[string]string) ([]string, error)
}

// adminStats answers GET /api/admin/stats?days=N: totals, latency, popular
// intents and apps, interactions per day; of the last N days, or all time.
func (s *Server) adminStats(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Interactions == nil {
		s.writeError(w, r, vrrec.Errorf(vrrec.EUNAVAILABLE, "no interaction log"))
		return
	}
	from, err := since(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st, err := s.cfg.Interactions.Stats(r.Context(), from)
	if err != nil {
		s.writeError(w, r, vrrec.Unavailable(err, "Statistics are unavailable: the database does not answer"))
		return
	}
	ids := make([]string, len(st.Apps))
	for i, c := range st.Apps {
		ids[i] = c.Key
	}
	writeJSON(w, http.StatusOK, struct {
		vrrec.Stats
		AppNames map[string]string `json:"app_names"`
	}{st, s.appNames(ids)})
}

// appNames maps the ids of the served catalog's apps among ids to their
// names, so staff pages show names beside slugs.
func (s *Server) appNames(ids []string) map[string]string {
	out := map[string]string{}
	if s.cfg.AppName == nil {
		return out
	}
	for _, id := range ids {
		if _, done := out[id]; !done {
			if name := s.cfg.AppName(id); name != "" {
				out[id] = name
			}
		}
	}
	return out
}

// adminLogs answers GET /api/admin/logs?limit=50&offset=0&user_id=.
func (s *Server) adminLogs(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Interactions == nil {
		s.writeError(w, r, vrrec.Errorf(vrrec.EUNAVAILABLE, "no interaction log"))
		return
	}
	q := r.URL.Query()
	limit, err := queryInt(r, "limit", 50, 1, 500)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	offset, err := queryInt(r, "offset", 0, 0, math.MaxInt)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	logs, total, err := s.cfg.Interactions.Interactions(r.Context(), vrrec.InteractionFilter{UserID: q.Get("user_id"), Limit: limit, Offset: offset})
	if err != nil {
		s.writeError(w, r, vrrec.Unavailable(err, "Logs are unavailable: the database does not answer"))
		return
	}
	var ids []string
	for _, it := range logs {
		ids = append(ids, it.Apps...)
	}
	writeJSON(w, http.StatusOK, map[string]any{"logs": logs, "total": total, "limit": limit, "offset": offset, "app_names": s.appNames(ids)})
}

// adminConfig answers GET /api/admin/config: the managed settings, secrets
// masked, with where each value comes from.
func (s *Server) adminConfig(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Settings == nil {
		s.writeError(w, r, vrrec.Errorf(vrrec.EUNAVAILABLE, "settings are not available"))
		return
	}
	list, err := s.cfg.Settings.List(r.Context())
	if err != nil {
		s.writeError(w, r, vrrec.Unavailable(err, "Settings are unavailable: the database does not answer"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"settings": list})
}

// updateConfig answers POST /api/admin/config {"KEY": "value", ...}.
func (s *Server) updateConfig(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Settings == nil {
		s.writeError(w, r, vrrec.Errorf(vrrec.EUNAVAILABLE, "settings are not available"))
		return
	}
	var values map[string]string
	if err := decodeJSON(w, r, &values); err != nil {
		s.writeError(w, r, err)
		return
	}
	changed, err := s.cfg.Settings.Update(r.Context(), values)
	if err != nil {
		s.writeError(w, r, vrrec.Unavailable(err, "Settings are unavailable: the database does not answer; nothing was changed"))
		return
	}
	if len(changed) > 0 {
		s.audit(r, "set_config", strings.Join(changed, ", ")) // names only, never values
		if s.cfg.SettingsChanged != nil {
			s.cfg.SettingsChanged(r.Context(), changed)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "changed": nonNilStrings(changed)})
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
