// Package oidc signs staff in through an OpenID Connect provider
// (Microsoft Entra, Google Workspace, Okta, Keycloak, Shibboleth with
// SATOSA...): the authorization code flow with PKCE, state and nonce, over
// github.com/coreos/go-oidc and golang.org/x/oauth2. It checks the ID
// token's signature against the provider's published keys, its issuer,
// audience, expiry and nonce, decides whether the person may sign in (their
// email's domain or an allow-list) and with which role (from a claim such
// as groups, or a default). Accounts and sessions are the admin package's.
package oidc

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/keys"
)

// FlowLifetime is how long a person has to sign in at the provider.
const FlowLifetime = 10 * time.Minute

// Config is the provider and the sign-in policy (OIDC_* settings).
type Config struct {
	Issuer, ClientID, ClientSecret string
	// AllowedDomains are the email domains that may sign in;
	// AllowedEmails single addresses. One of them must be set.
	AllowedDomains, AllowedEmails []string
	// RoleClaim names the claim holding the person's groups ("groups");
	// RoleMap maps a group to a role; the highest mapped role wins.
	RoleClaim string
	RoleMap   map[string]vrrec.Role
	// DefaultRole is the role of a person none of whose groups is mapped;
	// empty refuses them.
	DefaultRole vrrec.Role
	// HTTPClient reaches the provider (default http.DefaultClient).
	HTTPClient *http.Client
	// Now is the clock ID tokens are checked against (default time.Now).
	Now func() time.Time
}

// Provider runs sign-ins against one OpenID Provider. Discovery happens at
// the first sign-in (and again after a failure), so a provider that is
// down at start does not stop the service.
type Provider struct {
	cfg  Config
	aead cipher.AEAD

	mu       sync.Mutex
	provider *gooidc.Provider

	// used remembers the states of finished flows until they expire, so a
	// callback replayed on this instance is refused (the provider also
	// refuses a code used twice).
	usedMu sync.Mutex
	used   map[string]time.Time
}

// New checks cfg and returns a provider; secret seals the flow cookie.
func New(cfg Config, secret []byte) (*Provider, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" {
		return nil, errors.New("OIDC_ISSUER and OIDC_CLIENT_ID are both needed for single sign-on")
	}
	if len(cfg.AllowedDomains) == 0 && len(cfg.AllowedEmails) == 0 {
		return nil, errors.New("single sign-on needs OIDC_ALLOWED_DOMAINS or OIDC_ALLOWED_EMAILS: who may sign in")
	}
	if cfg.DefaultRole != "" && !cfg.DefaultRole.Valid() {
		return nil, fmt.Errorf("OIDC_DEFAULT_ROLE %q is not viewer, editor, admin or none", cfg.DefaultRole)
	}
	for g, r := range cfg.RoleMap {
		if !r.Valid() {
			return nil, fmt.Errorf("OIDC_ROLE_MAP maps %q to %q, not viewer, editor or admin", g, r)
		}
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	block, err := aes.NewCipher(keys.Derive(secret, keys.SSOFlow))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Provider{cfg: cfg, aead: aead, used: map[string]time.Time{}}, nil
}

// discover returns the provider's configuration (its endpoints and keys),
// fetched once.
func (p *Provider) discover(ctx context.Context) (*gooidc.Provider, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.provider != nil {
		return p.provider, nil
	}
	prov, err := gooidc.NewProvider(gooidc.ClientContext(ctx, p.cfg.HTTPClient), p.cfg.Issuer)
	if err != nil {
		return nil, errors.Join(vrrec.Errorf(vrrec.EUNAVAILABLE, "The sign-in provider does not answer: try again shortly, or sign in with a password"), err)
	}
	p.provider = prov
	return prov, nil
}

func (p *Provider) oauth(prov *gooidc.Provider, redirect string) *oauth2.Config {
	return &oauth2.Config{ClientID: p.cfg.ClientID, ClientSecret: p.cfg.ClientSecret, Endpoint: prov.Endpoint(),
		RedirectURL: redirect, Scopes: []string{gooidc.ScopeOpenID, "email", "profile"}}
}

// flow is what the browser carries, sealed, between Start and Finish.
type flow struct {
	State    string `json:"state"`
	Nonce    string `json:"nonce"`
	Verifier string `json:"verifier"`
	Redirect string `json:"redirect"`
	Expires  int64  `json:"exp"`
}

func random() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Start begins a sign-in: the provider's URL to send the browser to, and
// the value of a short-lived cookie binding the flow to this browser.
// redirect is this service's callback URL, as registered at the provider.
func (p *Provider) Start(ctx context.Context, redirect string) (string, string, error) {
	prov, err := p.discover(ctx)
	if err != nil {
		return "", "", err
	}
	f := flow{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier(), Redirect: redirect,
		Expires: p.cfg.Now().Add(FlowLifetime).Unix()}
	plain, _ := json.Marshal(f)
	nonce := make([]byte, p.aead.NonceSize())
	_, _ = rand.Read(nonce)
	sealed := base64.RawURLEncoding.EncodeToString(p.aead.Seal(nonce, nonce, plain, []byte("sso flow")))
	u := p.oauth(prov, redirect).AuthCodeURL(f.State, gooidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier))
	return u, sealed, nil
}

// errRefused is the answer to a callback that is not a sign-in this
// browser started.
var errRefused = vrrec.Errorf(vrrec.EUNAUTHORIZED, "This sign-in link is not valid (expired, used already, or started in another browser): sign in again")

func (p *Provider) open(cookie string) (flow, error) {
	var f flow
	sealed, err := base64.RawURLEncoding.DecodeString(cookie)
	if err != nil || len(sealed) < p.aead.NonceSize() {
		return f, errRefused
	}
	plain, err := p.aead.Open(nil, sealed[:p.aead.NonceSize()], sealed[p.aead.NonceSize():], []byte("sso flow"))
	if err != nil || json.Unmarshal(plain, &f) != nil || p.cfg.Now().Unix() >= f.Expires {
		return f, errRefused
	}
	return f, nil
}

// claims are the ID token's (and userinfo's) claims vrrec reads.
type claims struct {
	Subject       string `json:"sub"`
	Email         string `json:"email"`
	EmailVerified *bool  `json:"email_verified"`
	Name          string `json:"name"`
	Nonce         string `json:"nonce"`
}

// Finish completes a sign-in from the provider's callback (its query) and
// the flow cookie: the state must match, the code is exchanged with the
// PKCE verifier, and the ID token must be signed by the provider's keys,
// for this client, unexpired, with the flow's nonce. The person's email
// (verified, of an allowed domain or address) and role (from RoleClaim or
// the default) decide the rest. EUNAUTHORIZED for a refused sign-in (the
// message says why; the identity names the person when the provider did),
// EUNAVAILABLE when the provider does not answer.
func (p *Provider) Finish(ctx context.Context, query url.Values, cookie string) (vrrec.SignOn, error) {
	f, err := p.open(cookie)
	if err != nil {
		return vrrec.SignOn{}, err
	}
	if subtle.ConstantTimeCompare([]byte(query.Get("state")), []byte(f.State)) != 1 || !p.use(f.State, time.Unix(f.Expires, 0)) {
		return vrrec.SignOn{}, errRefused
	}
	if e := query.Get("error"); e != "" {
		return vrrec.SignOn{}, vrrec.Errorf(vrrec.EUNAUTHORIZED, "The sign-in provider refused: %s %s", e, query.Get("error_description"))
	}
	prov, err := p.discover(ctx)
	if err != nil {
		return vrrec.SignOn{}, err
	}
	ctx = gooidc.ClientContext(ctx, p.cfg.HTTPClient)
	conf := p.oauth(prov, f.Redirect)
	tok, err := conf.Exchange(ctx, query.Get("code"), oauth2.VerifierOption(f.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return vrrec.SignOn{}, errors.Join(vrrec.Errorf(vrrec.EUNAUTHORIZED, "The sign-in provider refused the sign-in code: sign in again"), err)
		}
		return vrrec.SignOn{}, errors.Join(vrrec.Errorf(vrrec.EUNAVAILABLE, "The sign-in provider does not answer: try again shortly"), err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return vrrec.SignOn{}, vrrec.Errorf(vrrec.EUNAUTHORIZED, "The sign-in provider sent no ID token")
	}
	c, extra, err := p.verify(ctx, prov, raw, f.Nonce)
	if err != nil {
		return vrrec.SignOn{}, err
	}
	// Many providers put email and groups only in userinfo.
	if c.Email == "" || (p.cfg.RoleClaim != "" && extra[p.cfg.RoleClaim] == nil) {
		info, err := prov.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return vrrec.SignOn{}, errors.Join(vrrec.Errorf(vrrec.EUNAVAILABLE, "The sign-in provider's userinfo does not answer: try again shortly"), err)
		}
		var uc claims
		var ux map[string]any
		if err := info.Claims(&uc); err != nil || info.Claims(&ux) != nil || uc.Subject != c.Subject {
			return vrrec.SignOn{}, vrrec.Errorf(vrrec.EUNAUTHORIZED, "The sign-in provider's userinfo is not about the person signed in")
		}
		if c.Email == "" {
			c.Email, c.EmailVerified = uc.Email, uc.EmailVerified
		}
		c.Name = cmpOr(c.Name, uc.Name)
		if extra[p.cfg.RoleClaim] == nil {
			extra[p.cfg.RoleClaim] = ux[p.cfg.RoleClaim]
		}
	}
	return p.admit(c, extra)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// verify checks an ID token's signature, issuer, audience, expiry and
// nonce, and returns its claims.
func (p *Provider) verify(ctx context.Context, prov *gooidc.Provider, raw, nonce string) (claims, map[string]any, error) {
	var c claims
	extra := map[string]any{}
	tok, err := prov.Verifier(&gooidc.Config{ClientID: p.cfg.ClientID, Now: p.cfg.Now}).Verify(ctx, raw)
	if err != nil {
		var expired *gooidc.TokenExpiredError
		if errors.As(err, &expired) {
			return c, nil, errors.Join(vrrec.Errorf(vrrec.EUNAUTHORIZED, "The sign-in expired: sign in again"), err)
		}
		return c, nil, errors.Join(vrrec.Errorf(vrrec.EUNAUTHORIZED, "The sign-in provider's ID token does not check out (signature, issuer or audience)"), err)
	}
	if err := tok.Claims(&c); err != nil || tok.Claims(&extra) != nil {
		return c, nil, vrrec.Errorf(vrrec.EUNAUTHORIZED, "The sign-in provider's ID token has unreadable claims")
	}
	if subtle.ConstantTimeCompare([]byte(c.Nonce), []byte(nonce)) != 1 {
		return c, nil, vrrec.Errorf(vrrec.EUNAUTHORIZED, "The sign-in provider's ID token is not for this sign-in (nonce)")
	}
	return c, extra, nil
}

// admit applies the sign-in policy: who may sign in, with which role. A
// refused person's identity carries their email, for the audit trail.
func (p *Provider) admit(c claims, extra map[string]any) (vrrec.SignOn, error) {
	email := strings.ToLower(strings.TrimSpace(c.Email))
	if email == "" {
		return vrrec.SignOn{}, vrrec.Errorf(vrrec.EUNAUTHORIZED, "The sign-in provider gave no email address: ask it to release the email claim")
	}
	refused := vrrec.SignOn{Email: email, Name: c.Name}
	if c.EmailVerified != nil && !*c.EmailVerified {
		return refused, vrrec.Errorf(vrrec.EUNAUTHORIZED, "%s is not verified at the sign-in provider", email)
	}
	_, domain, _ := strings.Cut(email, "@")
	if !slices.Contains(p.cfg.AllowedEmails, email) && !slices.Contains(p.cfg.AllowedDomains, domain) {
		return refused, vrrec.Errorf(vrrec.EUNAUTHORIZED, "%s may not sign in to the staff pages: ask an admin to allow its domain or address", email)
	}
	id := vrrec.SignOn{Email: email, Name: c.Name, Role: p.cfg.DefaultRole}
	if p.cfg.RoleClaim != "" {
		for _, g := range groups(extra[p.cfg.RoleClaim]) {
			if r, ok := p.cfg.RoleMap[g]; ok && (!id.RoleFromClaim || r.AtLeast(id.Role)) {
				id.Role, id.RoleFromClaim = r, true
			}
		}
	}
	if !id.Role.Valid() {
		return refused, vrrec.Errorf(vrrec.EUNAUTHORIZED, "%s is in no group that has a staff role", email)
	}
	return id, nil
}

// groups reads a claim that is a list of strings or one string.
func groups(v any) []string {
	switch g := v.(type) {
	case string:
		return []string{g}
	case []any:
		var out []string
		for _, x := range g {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// use marks a flow's state as finished; false when it was already.
func (p *Provider) use(state string, expires time.Time) bool {
	p.usedMu.Lock()
	defer p.usedMu.Unlock()
	now := p.cfg.Now()
	for s, exp := range p.used {
		if now.After(exp) {
			delete(p.used, s)
		}
	}
	if _, ok := p.used[state]; ok {
		return false
	}
	p.used[state] = expires
	return true
}
