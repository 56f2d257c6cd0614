package web

import (
	"context"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vrrec/vrrec"
)

// AdminAuth authenticates staff (admin.Auth).
type AdminAuth interface {
	// Login checks a sign-in name (an email; "admin" or none for the
	// bootstrap admin) and password, and returns the member and a session
	// cookie value with its expiry.
	Login(ctx context.Context, name, password string) (vrrec.StaffMember, string, time.Time, error)
	// Issue returns a session for a member signed in another way (single
	// sign-on).
	Issue(ctx context.Context, m vrrec.StaffMember) (string, time.Time, error)
	// Check returns the member of a live session: EUNAUTHORIZED when the
	// cookie is not one, EUNAVAILABLE when it could not be checked.
	Check(ctx context.Context, cookie string) (vrrec.StaffMember, error)
	// Logout ends the member's sessions on every instance.
	Logout(ctx context.Context, m vrrec.StaffMember) error
}

const adminCookie = "vrrec_admin"

// isAdmin reports whether the request carries a live staff session; a
// session that cannot be checked (database down) counts as none.
func (s *Server) isAdmin(r *http.Request) bool {
	_, err := s.checkAdmin(r)
	return err == nil
}

// checkAdmin returns the member of the request's session: EUNAUTHORIZED
// when there is none, EUNAVAILABLE when it could not be checked.
func (s *Server) checkAdmin(r *http.Request) (vrrec.StaffMember, error) {
	if s.cfg.Admin == nil {
		return vrrec.StaffMember{}, vrrec.Errorf(vrrec.EUNAUTHORIZED, "Unauthorized")
	}
	c, err := r.Cookie(adminCookie)
	if err != nil {
		return vrrec.StaffMember{}, vrrec.Errorf(vrrec.EUNAUTHORIZED, "Unauthorized")
	}
	return s.cfg.Admin.Check(r.Context(), c.Value)
}

// requireAdmin answers 401 {"error":"Unauthorized","login_required":true}
// to every /api/admin request without a live staff session, and 503 when
// the session cannot be checked (the database is down): asking staff to
// log in again would loop. The member goes into the request's context
// (vrrec.StaffFrom) for the role checks and the audit trail.
func (s *Server) requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m, err := s.checkAdmin(r)
		if vrrec.ErrorCode(err) == vrrec.EUNAUTHORIZED {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "Unauthorized", "login_required": true})
			return
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(vrrec.WithStaff(r.Context(), m)))
	})
}

// requireRole answers 403 to a member whose role is below min.
func (s *Server) requireRole(min vrrec.Role, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		m, _ := vrrec.StaffFrom(r.Context())
		if !m.Role.AtLeast(min) {
			s.writeError(w, r, vrrec.Errorf(vrrec.EFORBIDDEN, "Your role (%s) may not do this: it needs the %s role", m.Role, min))
			return
		}
		next(w, r)
	}
}

func (s *Server) setAdminCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: adminCookie, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: isHTTPS(r)})
}

// login answers POST /api/auth/login {"email", "password"}; without an
// email the password is the bootstrap admin's (ADMIN_PASSWORD_HASH).
// Sign-ins and refused sign-ins are audited.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if s.cfg.Admin == nil {
		s.writeError(w, r, vrrec.Errorf(vrrec.EUNAVAILABLE, "Staff sign-in is not available on this server"))
		return
	}
	m, value, expires, err := s.cfg.Admin.Login(r.Context(), req.Email, req.Password)
	if err != nil {
		s.cfg.Log.WarnContext(r.Context(), "admin login refused", "network", storedIP(s.clientIP(r)))
		if vrrec.ErrorCode(err) == vrrec.EUNAUTHORIZED {
			s.auditAs(r, triedName(req.Email), "login_failed", vrrec.ErrorMessage(err))
		}
		s.writeError(w, r, err)
		return
	}
	s.signedIn(w, r, m, value, expires, "password")
}

// signedIn sets the session cookie of a member who just signed in and
// audits it.
func (s *Server) signedIn(w http.ResponseWriter, r *http.Request, m vrrec.StaffMember, value string, expires time.Time, how string) {
	s.setAdminCookie(w, r, value, int(time.Until(expires).Seconds()))
	s.auditAs(r, m.Email, "login", how)
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "staff": m})
}

// triedName is the name a refused sign-in gave, as the audit trail keeps
// it: one short line.
func triedName(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" {
		return "admin"
	}
	name = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if utf8.RuneCountInString(name) > 100 {
		name = string([]rune(name)[:100]) + "…"
	}
	return name
}

// logout answers POST /api/auth/logout: the member's sessions end on every
// instance.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if m, err := s.checkAdmin(r); err == nil {
		if err := s.cfg.Admin.Logout(r.Context(), m); err != nil {
			s.writeError(w, r, err)
			return
		}
		s.auditAs(r, m.Email, "logout", "")
	}
	s.setAdminCookie(w, r, "", -1)
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}

// authCheck answers GET /api/auth/check: {"is_admin"} (true for any
// signed-in staff member, whatever the role) with "staff", the member,
// when signed in, and "sso", whether single sign-on is offered. 503 when
// a session cookie cannot be checked (the database is down), so the staff
// page says so instead of offering a login that cannot work either.
func (s *Server) authCheck(w http.ResponseWriter, r *http.Request) {
	m, err := s.checkAdmin(r)
	out := map[string]any{"is_admin": err == nil, "sso": s.cfg.SSO != nil}
	switch {
	case err == nil:
		out["staff"] = m
	case vrrec.ErrorCode(err) != vrrec.EUNAUTHORIZED:
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// audit records what the signed-in staff member did; a failure is logged,
// not shown.
func (s *Server) audit(r *http.Request, action, detail string) {
	m, _ := vrrec.StaffFrom(r.Context())
	s.auditAs(r, m.Email, action, detail)
}

func (s *Server) auditAs(r *http.Request, actor, action, detail string) {
	if s.cfg.Audit == nil {
		return
	}
	err := s.cfg.Audit.Audit(r.Context(), vrrec.AuditEntry{Actor: actor, Action: action, Detail: detail,
		IP: storedIP(s.clientIP(r)), Time: time.Now().UTC()})
	if err != nil {
		s.cfg.Log.WarnContext(r.Context(), "audit entry not stored", "action", action, "err", err)
	}
}
