package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/vrrec/vrrec"
)

// AdminAuth authenticates staff (admin.Auth).
type AdminAuth interface {
	Configured() bool
	// Login returns a session cookie value and its expiry.
	Login(password string) (string, time.Time, error)
	Check(ctx context.Context, cookie string) bool
	Logout(ctx context.Context) error
}

const adminCookie = "vrrec_admin"

func (s *Server) isAdmin(r *http.Request) bool {
	if s.cfg.Admin == nil {
		return false
	}
	c, err := r.Cookie(adminCookie)
	return err == nil && s.cfg.Admin.Check(r.Context(), c.Value)
}

// requireAdmin answers 401 {"error":"Unauthorized","login_required":true}
// to every /api/admin request without a live admin session.
func (s *Server) requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.isAdmin(r) {
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
	value, expires, err := s.cfg.Admin.Login(req.Password)
	if err != nil {
		s.cfg.Log.WarnContext(r.Context(), "admin login refused", "ip", s.clientIP(r).String())
		s.writeError(w, r, err)
		return
	}
	s.setAdminCookie(w, r, value, int(time.Until(expires).Seconds()))
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}

// logout answers POST /api/auth/logout.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Admin != nil && s.isAdmin(r) {
		if err := s.cfg.Admin.Logout(r.Context()); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	s.setAdminCookie(w, r, "", -1)
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}

// authCheck answers GET /api/auth/check.
func (s *Server) authCheck(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]bool{"is_admin": s.isAdmin(r)})
}

// adminStats answers GET /api/admin/stats: totals, latency, popular intents
// and apps, interactions per day.
func (s *Server) adminStats(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Interactions == nil {
		s.writeError(w, r, vrrec.Errorf(vrrec.EUNAVAILABLE, "no interaction log"))
		return
	}
	st, err := s.cfg.Interactions.Stats(r.Context(), time.Time{})
	if err != nil {
		s.writeError(w, r, vrrec.Errorf(vrrec.EUNAVAILABLE, "stats: %v", err))
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// adminLogs answers GET /api/admin/logs?limit=50&offset=0&user_id=.
func (s *Server) adminLogs(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Interactions == nil {
		s.writeError(w, r, vrrec.Errorf(vrrec.EUNAVAILABLE, "no interaction log"))
		return
	}
	q := r.URL.Query()
	limit, offset := 50, 0
	var err error
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 500 {
			s.writeError(w, r, vrrec.Errorf(vrrec.EINVALID, "limit must be 1-500"))
			return
		}
	}
	if v := q.Get("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			s.writeError(w, r, vrrec.Errorf(vrrec.EINVALID, "offset must be 0 or more"))
			return
		}
	}
	logs, total, err := s.cfg.Interactions.Interactions(r.Context(), vrrec.InteractionFilter{UserID: q.Get("user_id"), Limit: limit, Offset: offset})
	if err != nil {
		s.writeError(w, r, vrrec.Errorf(vrrec.EUNAVAILABLE, "logs: %v", err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"logs": logs, "total": total, "limit": limit, "offset": offset})
}
