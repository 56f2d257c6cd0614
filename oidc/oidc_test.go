package oidc

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/internal/testoidc"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

const callback = "http://vrrec.test/api/auth/sso/callback"

func people() []testoidc.Person {
	return []testoidc.Person{
		{Username: "ada", Password: "ada-password", Email: "Ada@Uni.Example", Name: "Ada Lovelace", Groups: []string{"staff", "vr-admins"}},
		{Username: "grace", Password: "grace-password", Email: "grace@uni.example", Name: "Grace Hopper", Groups: []string{"staff"}},
		{Username: "mallory", Password: "mallory-password", Email: "mallory@elsewhere.example", Name: "Mallory", Groups: []string{"vr-admins"}},
		{Username: "nogroup", Password: "nogroup-password", Email: "nogroup@uni.example", Name: "No Group"},
	}
}

func setup(t *testing.T, mutate func(*Config)) (*Provider, *testoidc.Provider) {
	t.Helper()
	op := testoidc.Start(t, people()...)
	op.Register(callback)
	cfg := Config{Issuer: op.Issuer, ClientID: op.ClientID, ClientSecret: op.ClientSecret, AllowedDomains: []string{"uni.example"},
		RoleClaim: "groups", RoleMap: map[string]vrrec.Role{"vr-admins": vrrec.RoleAdmin, "vr-editors": vrrec.RoleEditor}, DefaultRole: vrrec.RoleViewer}
	if mutate != nil {
		mutate(&cfg)
	}
	p, err := New(cfg, secret)
	if err != nil {
		t.Fatal(err)
	}
	return p, op
}

// signIn runs the browser's part: start, the provider's login page, the
// callback's query.
func signIn(t *testing.T, p *Provider, op *testoidc.Provider, user, password string) (url.Values, string) {
	t.Helper()
	authURL, cookie, err := p.Start(context.Background(), callback)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(authURL)
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("state") == "" || q.Get("nonce") == "" || q.Get("redirect_uri") != callback {
		t.Fatalf("the authorization request lacks PKCE, state or nonce: %s", authURL)
	}
	back := op.SignIn(t, authURL, user, password)
	if !strings.HasPrefix(back.String(), callback) {
		t.Fatalf("the provider sent the browser to %s", back)
	}
	return back.Query(), cookie
}

func TestSignInWithRolesFromGroups(t *testing.T) {
	p, op := setup(t, nil)
	ctx := context.Background()
	query, cookie := signIn(t, p, op, "ada", "ada-password")
	id, err := p.Finish(ctx, query, cookie)
	if err != nil || id.Email != "ada@uni.example" || id.Name != "Ada Lovelace" || id.Role != vrrec.RoleAdmin || !id.RoleFromClaim {
		t.Fatalf("ada: %+v, %v", id, err)
	}
	// The same callback again is refused: the state was used.
	if _, err := p.Finish(ctx, query, cookie); vrrec.ErrorCode(err) != vrrec.EUNAUTHORIZED || !strings.Contains(err.Error(), "not valid") {
		t.Errorf("a replayed callback: %v", err)
	}
	query, cookie = signIn(t, p, op, "grace", "grace-password")
	if id, err := p.Finish(ctx, query, cookie); err != nil || id.Role != vrrec.RoleViewer || id.RoleFromClaim {
		t.Errorf("grace, in no mapped group: %+v, %v; want the default role", id, err)
	}
}

func TestSignInRefusals(t *testing.T) {
	p, op := setup(t, nil)
	ctx := context.Background()
	for _, c := range []struct{ user, says string }{
		{"mallory", "may not sign in"},
	} {
		query, cookie := signIn(t, p, op, c.user, c.user+"-password")
		if _, err := p.Finish(ctx, query, cookie); vrrec.ErrorCode(err) != vrrec.EUNAUTHORIZED || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want EUNAUTHORIZED saying %q", c.user, err, c.says)
		}
	}
	// A callback whose state is not this browser's flow.
	query, cookie := signIn(t, p, op, "grace", "grace-password")
	forged := url.Values{"code": query["code"], "state": {"another-state"}}
	if _, err := p.Finish(ctx, forged, cookie); vrrec.ErrorCode(err) != vrrec.EUNAUTHORIZED {
		t.Errorf("a callback with another state: %v", err)
	}
	_, otherCookie := signIn(t, p, op, "grace", "grace-password")
	if _, err := p.Finish(ctx, query, otherCookie); vrrec.ErrorCode(err) != vrrec.EUNAUTHORIZED {
		t.Errorf("a callback with another flow's cookie: %v", err)
	}
	if _, err := p.Finish(ctx, query, "garbage"); vrrec.ErrorCode(err) != vrrec.EUNAUTHORIZED {
		t.Errorf("a callback with a forged cookie: %v", err)
	}
	// With no default role, a person in no mapped group is refused.
	strict, op2 := setup(t, func(c *Config) { c.DefaultRole = "" })
	query, cookie = signIn(t, strict, op2, "nogroup", "nogroup-password")
	if _, err := strict.Finish(ctx, query, cookie); vrrec.ErrorCode(err) != vrrec.EUNAUTHORIZED || !strings.Contains(err.Error(), "no group") {
		t.Errorf("no group, no default role: %v", err)
	}
	// An allow-listed address from another domain may sign in.
	listed, op3 := setup(t, func(c *Config) { c.AllowedEmails = []string{"mallory@elsewhere.example"} })
	query, cookie = signIn(t, listed, op3, "mallory", "mallory-password")
	if id, err := listed.Finish(ctx, query, cookie); err != nil || id.Role != vrrec.RoleAdmin {
		t.Errorf("an allow-listed address: %+v, %v", id, err)
	}
}

// The ID token is checked: signature against the provider's published
// keys (found by discovery), audience, expiry, nonce.
func TestIDTokenChecks(t *testing.T) {
	p, op := setup(t, nil)
	ctx := context.Background()
	query, cookie := signIn(t, p, op, "ada", "ada-password")
	f, err := p.open(cookie)
	if err != nil {
		t.Fatal(err)
	}
	prov, err := p.discover(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := p.oauth(prov, f.Redirect).Exchange(ctx, query.Get("code"), oauth2.VerifierOption(f.Verifier))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if _, _, err := p.verify(ctx, prov, raw, f.Nonce); err != nil {
		t.Fatalf("the provider's own token: %v", err)
	}
	parts := strings.Split(raw, ".")
	sig := []byte(parts[2])
	sig[len(sig)/2] ^= 0x01
	if sig[len(sig)/2] == parts[2][len(sig)/2] {
		t.Fatal("tampering changed nothing")
	}
	tampered := parts[0] + "." + parts[1] + "." + string(sig)
	payload := []byte(parts[1])
	payload[10] ^= 0x02
	for name, bad := range map[string]string{"signature": tampered, "payload": parts[0] + "." + string(payload) + "." + parts[2]} {
		if _, _, err := p.verify(ctx, prov, bad, f.Nonce); vrrec.ErrorCode(err) != vrrec.EUNAUTHORIZED {
			t.Errorf("tampered %s: %v", name, err)
		}
	}
	if _, _, err := p.verify(ctx, prov, raw, "another nonce"); vrrec.ErrorCode(err) != vrrec.EUNAUTHORIZED || !strings.Contains(err.Error(), "nonce") {
		t.Errorf("another nonce: %v", err)
	}
	other, _ := New(Config{Issuer: op.Issuer, ClientID: "another-client", AllowedDomains: []string{"uni.example"}, DefaultRole: vrrec.RoleViewer}, secret)
	if _, _, err := other.verify(ctx, prov, raw, f.Nonce); vrrec.ErrorCode(err) != vrrec.EUNAUTHORIZED || !strings.Contains(err.Error(), "audience") {
		t.Errorf("a token for another client: %v", err)
	}
	later, _ := New(Config{Issuer: op.Issuer, ClientID: op.ClientID, AllowedDomains: []string{"uni.example"}, DefaultRole: vrrec.RoleViewer,
		Now: func() time.Time { return time.Now().Add(25 * time.Hour) }}, secret)
	if _, _, err := later.verify(ctx, prov, raw, f.Nonce); vrrec.ErrorCode(err) != vrrec.EUNAUTHORIZED || !strings.Contains(err.Error(), "expired") {
		t.Errorf("an expired token: %v", err)
	}
	// A flow older than FlowLifetime is refused before anything else.
	if _, err := later.open(cookie); err == nil {
		t.Error("an expired flow cookie opened")
	}
}

// An email the provider says is not verified is refused (this provider
// leaves email_verified out when false, so the policy is checked alone).
func TestUnverifiedEmailIsRefused(t *testing.T) {
	p, _ := New(Config{Issuer: "https://idp.example", ClientID: "c", AllowedDomains: []string{"uni.example"}, DefaultRole: vrrec.RoleViewer}, secret)
	no, yes := false, true
	if _, err := p.admit(claims{Email: "ada@uni.example", EmailVerified: &no}, nil); vrrec.ErrorCode(err) != vrrec.EUNAUTHORIZED || !strings.Contains(err.Error(), "not verified") {
		t.Errorf("unverified: %v", err)
	}
	if id, err := p.admit(claims{Email: "ada@uni.example", EmailVerified: &yes}, nil); err != nil || id.Role != vrrec.RoleViewer {
		t.Errorf("verified: %+v, %v", id, err)
	}
}

func TestConfigIsChecked(t *testing.T) {
	for name, cfg := range map[string]Config{
		"no issuer":       {ClientID: "c", AllowedDomains: []string{"uni.example"}},
		"no one allowed":  {Issuer: "https://idp.example", ClientID: "c"},
		"bad default":     {Issuer: "https://idp.example", ClientID: "c", AllowedDomains: []string{"uni.example"}, DefaultRole: "owner"},
		"bad mapped role": {Issuer: "https://idp.example", ClientID: "c", AllowedDomains: []string{"uni.example"}, RoleMap: map[string]vrrec.Role{"g": "root"}},
	} {
		if _, err := New(cfg, secret); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// A provider that does not answer is a clear, retryable error.
	p, _ := New(Config{Issuer: "http://127.0.0.1:1", ClientID: "c", AllowedDomains: []string{"uni.example"}}, secret)
	if _, _, err := p.Start(context.Background(), callback); vrrec.ErrorCode(err) != vrrec.EUNAVAILABLE {
		t.Errorf("start with the provider down: %v", err)
	}
}
