package web

import (
	"context"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/vrrec/vrrec"
)

// AdminAuth authenticates staff (admin.Auth).
type AdminAuth interface {
	Configured() bool
	// Login returns a session cookie value and its expiry.
	Login(ctx context.Context, password string) (string, time.Time, error)
	// Check's error means the session could not be checked (EUNAVAILABLE).
	Check(ctx context.Context, cookie string) (bool, error)
	Logout(ctx context.Context) error
}

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

const adminCookie = "vrrec_admin"

// isAdmin reports whether the request carries a live admin session; a
// session that cannot be checked (database down) counts as none.
func (s *Server) isAdmin(r *http.Request) bool {
	ok, _ := s.checkAdmin(r)
	return ok
}

// checkAdmin is isAdmin telling, by its error, a session that could not be
// checked from one that is not live.
func (s *Server) checkAdmin(r *http.Request) (bool, error) {
	if s.cfg.Admin == nil {
		return false, nil
	}
	c, err := r.Cookie(adminCookie)
	if err != nil {
		return false, nil
	}
	return s.cfg.Admin.Check(r.Context(), c.Value)
}

// requireAdmin answers 401 {"error":"Unauthorized","login_required":true}
// to every /api/admin request without a live admin session, and 503 when
// the session cannot be checked (the database is down): asking staff to
// log in again would loop.
func (s *Server) requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, err := s.checkAdmin(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if !ok {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "Unauthorized", "login_required": true})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) setAdminCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: adminCookie, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: isHTTPS(r)})
}

// login answers POST /api/auth/login {"password"}.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Password string `json:"password"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if s.cfg.Admin == nil || !s.cfg.Admin.Configured() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{
			"error": "No admin is configured: set ADMIN_PASSWORD_HASH (from vrrec hash-password) or ADMIN_PASSWORD"})
		return
	}
	value, expires, err := s.cfg.Admin.Login(r.Context(), req.Password)
	if err != nil {
		s.cfg.Log.WarnContext(r.Context(), "admin login refused", "network", storedIP(s.clientIP(r)))
		s.writeError(w, r, err)
		return
	}
	s.setAdminCookie(w, r, value, int(time.Until(expires).Seconds()))
	s.audit(r, "login", "")
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}

// logout answers POST /api/auth/logout.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Admin != nil && s.isAdmin(r) {
		if err := s.cfg.Admin.Logout(r.Context()); err != nil {
			s.writeError(w, r, err)
			return
		}
		s.audit(r, "logout", "")
	}
	s.setAdminCookie(w, r, "", -1)
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}

// authCheck answers GET /api/auth/check: {"is_admin"}, or 503 when a
// session cookie cannot be checked (the database is down), so the staff
// page says so instead of offering a login that cannot work either.
func (s *Server) authCheck(w http.ResponseWriter, r *http.Request) {
	ok, err := s.checkAdmin(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"is_admin": ok})
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

// audit records what a staff member did; a failure is logged, not shown.
func (s *Server) audit(r *http.Request, action, detail string) {
	if s.cfg.Audit == nil {
		return
	}
	err := s.cfg.Audit.Audit(r.Context(), vrrec.AuditEntry{Actor: "admin", Action: action, Detail: detail,
		IP: storedIP(s.clientIP(r)), Time: time.Now().UTC()})
	if err != nil {
		s.cfg.Log.WarnContext(r.Context(), "audit entry not stored", "action", action, "err", err)
	}
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
