package web

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/vrrec/vrrec"
)

// SSO signs staff in through an OpenID Provider (oidc.Provider).
type SSO interface {
	// Start returns the provider's URL to send the browser to and the
	// value of a cookie binding the flow to the browser.
	Start(ctx context.Context, redirect string) (string, string, error)
	// Finish checks the provider's callback and returns who signed in and
	// with which role (EUNAUTHORIZED, saying why, when refused; the
	// identity then names the refused person when known).
	Finish(ctx context.Context, query url.Values, cookie string) (vrrec.SignOn, error)
}

// SSOAccounts finds or makes the account of a person signed in through
// single sign-on (admin.Accounts).
type SSOAccounts interface {
	SignInSSO(ctx context.Context, email, name string, role vrrec.Role, syncRole bool) (vrrec.StaffMember, error)
}

const (
	ssoCookie   = "vrrec_sso"
	ssoPath     = "/api/auth/sso/"
	ssoCallback = "/api/auth/sso/callback"
)

func (s *Server) needSSO(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.SSO == nil || s.cfg.SSOAccounts == nil || s.cfg.Admin == nil {
			s.writeError(w, r, vrrec.Errorf(vrrec.ENOTFOUND, "Single sign-on is not configured on this server (OIDC_ISSUER)"))
			return
		}
		h(w, r)
	}
}

// ssoStart answers GET /api/auth/sso/start: a redirect to the provider,
// with a 10-minute cookie holding the flow's state, nonce and PKCE
// verifier, sealed. The cookie is SameSite=Lax: the provider's redirect
// back is a cross-site navigation.
func (s *Server) ssoStart(w http.ResponseWriter, r *http.Request) {
	scheme := "http"
	if isHTTPS(r) {
		scheme = "https"
	}
	to, flow, err := s.cfg.SSO.Start(r.Context(), scheme+"://"+r.Host+ssoCallback)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Value: flow, Path: ssoPath, MaxAge: 600, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: isHTTPS(r)})
	http.Redirect(w, r, to, http.StatusFound)
}

// ssoCallbackPage answers the provider's redirect back: a staff session
// and the dashboard, or a page saying why the sign-in was refused. Both
// are in the audit trail.
func (s *Server) ssoCallbackPage(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(ssoCookie)
	flow := ""
	if err == nil {
		flow = c.Value
	}
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Value: "", Path: ssoPath, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: isHTTPS(r)})
	refuse := func(actor string, err error) {
		if vrrec.ErrorCode(err) == vrrec.EUNAUTHORIZED {
			s.auditAs(r, actor, "login_failed", "single sign-on: "+vrrec.ErrorMessage(err))
		}
		s.cfg.Log.WarnContext(r.Context(), "single sign-on refused", "err", err)
		writePage(w, status(vrrec.ErrorCode(err)), vrrec.ErrorMessage(err)+" — back to the staff sign-in: /admin")
	}
	id, err := s.cfg.SSO.Finish(r.Context(), r.URL.Query(), flow)
	if err != nil {
		who := id.Email // a person the policy refused
		if who == "" {
			who = "sso"
		}
		refuse(who, err)
		return
	}
	m, err := s.cfg.SSOAccounts.SignInSSO(r.Context(), id.Email, id.Name, id.Role, id.RoleFromClaim)
	if err == nil && m.Disabled {
		err = vrrec.Errorf(vrrec.EUNAUTHORIZED, "This staff account is disabled")
	}
	if err != nil {
		refuse(id.Email, err)
		return
	}
	value, expires, err := s.cfg.Admin.Issue(r.Context(), m)
	if err != nil {
		refuse(id.Email, err)
		return
	}
	s.setAdminCookie(w, r, value, int(time.Until(expires).Seconds()))
	s.auditAs(r, m.Email, "login", "single sign-on as "+string(m.Role))
	http.Redirect(w, r, "/admin", http.StatusSeeOther)
}
