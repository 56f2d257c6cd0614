package web_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/admin"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/internal/testoidc"
	"github.com/vrrec/vrrec/oidc"
	"github.com/vrrec/vrrec/sqlite"
	"github.com/vrrec/vrrec/web"
)

var ssoPeople = []testoidc.Person{
	{Username: "ada", Password: "ada-password", Email: "ada@uni.example", Name: "Ada Lovelace", Groups: []string{"vr-admins"}},
	{Username: "grace", Password: "grace-password", Email: "grace@uni.example", Name: "Grace Hopper", Groups: []string{"staff"}},
	{Username: "mallory", Password: "mallory-password", Email: "mallory@elsewhere.example", Name: "Mallory", Groups: []string{"vr-admins"}},
}

// ssoServer is the staff API with single sign-on through a real OpenID
// Provider started for the test.
func ssoServer(t *testing.T) (string, *sqlite.DB, *testoidc.Provider) {
	t.Helper()
	op := testoidc.Start(t, ssoPeople...)
	p, err := oidc.New(oidc.Config{Issuer: op.Issuer, ClientID: op.ClientID, ClientSecret: op.ClientSecret, AllowedDomains: []string{"uni.example"},
		RoleClaim: "groups", RoleMap: map[string]vrrec.Role{"vr-admins": vrrec.RoleAdmin}, DefaultRole: vrrec.RoleViewer}, testKey)
	if err != nil {
		t.Fatal(err)
	}
	db := testenv.SQLite(t)
	auth, err := admin.New("", "", testKey, db)
	if err != nil {
		t.Fatal(err)
	}
	accounts := admin.NewAccounts(db)
	base := start(t, newServer(t, nil, func(c *web.Config) {
		c.Admin, c.Staff, c.Audit, c.Interactions = auth, accounts, db, db
		c.SSO, c.SSOAccounts = p, accounts
	}))
	op.Register(base + "/api/auth/sso/callback")
	return base, db, op
}

// ssoSignIn runs a sign-in as a browser would and returns the client and
// the callback's response (not followed).
func ssoSignIn(t *testing.T, base string, op *testoidc.Provider, user, password string) (*http.Client, *url.URL, response) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res := do(t, client, "GET", base+"/api/auth/sso/start", "", "", nil)
	if res.status != http.StatusFound {
		t.Fatalf("start: %d %s", res.status, res.body)
	}
	back := op.SignIn(t, res.header.Get("Location"), user, password)
	return client, back, do(t, client, "GET", back.String(), "", "", map[string]string{"Accept": "text/html"})
}

func TestSSOSignInEndToEnd(t *testing.T) {
	base, db, op := ssoServer(t)
	if res := do(t, http.DefaultClient, "GET", base+"/api/auth/check", "", "", nil); !strings.Contains(string(res.body), `"sso":true`) {
		t.Errorf("check does not offer single sign-on: %s", res.body)
	}
	// First sign-in: the account is made with the role of the groups claim.
	ada, back, res := ssoSignIn(t, base, op, "ada", "ada-password")
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/admin" {
		t.Fatalf("callback: %d %s", res.status, res.body)
	}
	check := do(t, ada, "GET", base+"/api/auth/check", "", "", nil)
	if !strings.Contains(string(check.body), `"email":"ada@uni.example"`) || !strings.Contains(string(check.body), `"role":"admin"`) || !strings.Contains(string(check.body), `"sso":true`) {
		t.Fatalf("after the sign-in: %s", check.body)
	}
	m, err := admin.NewAccounts(db).Find(context.Background(), "ada@uni.example")
	if err != nil || !m.SSO || m.Name != "Ada Lovelace" || m.Role != vrrec.RoleAdmin || m.LastSignIn.IsZero() || m.PasswordHash != "" {
		t.Errorf("the account made: %+v, %v", m, err)
	}
	if res := do(t, ada, "GET", base+"/api/admin/staff", "", "", nil); res.status != 200 {
		t.Errorf("an admin by groups lists staff: %d", res.status)
	}
	// The callback replayed (same state, same code, same cookie) is refused.
	if res := do(t, ada, "GET", back.String(), "", "", map[string]string{"Accept": "text/html"}); res.status != http.StatusUnauthorized {
		t.Errorf("a replayed callback: %d %s", res.status, res.body)
	}
	// A person in no mapped group gets the default role.
	grace, _, res := ssoSignIn(t, base, op, "grace", "grace-password")
	if res.status != http.StatusSeeOther {
		t.Fatalf("grace: %d %s", res.status, res.body)
	}
	if res := do(t, grace, "GET", base+"/api/admin/staff", "", "", nil); res.status != http.StatusForbidden {
		t.Errorf("a viewer lists staff: %d", res.status)
	}
	// A disallowed domain is refused with a page saying why; no account.
	_, _, res = ssoSignIn(t, base, op, "mallory", "mallory-password")
	if res.status != http.StatusUnauthorized || !strings.Contains(string(res.body), "may not sign in") {
		t.Errorf("a disallowed domain: %d %s", res.status, res.body)
	}
	if _, err := admin.NewAccounts(db).Find(context.Background(), "mallory@elsewhere.example"); vrrec.ErrorCode(err) != vrrec.ENOTFOUND {
		t.Errorf("an account for the refused person: %v", err)
	}
	// A disabled account cannot come back through single sign-on.
	admin.NewAccounts(db).SetDisabled(context.Background(), m.ID, true)
	if _, _, res := ssoSignIn(t, base, op, "ada", "ada-password"); res.status != http.StatusUnauthorized || !strings.Contains(string(res.body), "disabled") {
		t.Errorf("a disabled account's sign-in: %d %s", res.status, res.body)
	}
	// Sign-out ends the session.
	if res := do(t, grace, "POST", base+"/api/auth/logout", "application/json", `{}`, nil); res.status != 200 {
		t.Fatal(res.status)
	}
	if res := do(t, grace, "GET", base+"/api/admin/stats", "", "", nil); res.status != http.StatusUnauthorized {
		t.Errorf("after sign-out: %d", res.status)
	}
	// Everything is in the audit trail under the person.
	entries, _ := db.AuditEntries(context.Background(), vrrec.AuditFilter{})
	var got []string
	for _, e := range entries {
		got = append(got, e.Actor+" "+e.Action)
	}
	want := []string{"grace@uni.example logout", "ada@uni.example login_failed", "mallory@elsewhere.example login_failed", "grace@uni.example login", "sso login_failed", "ada@uni.example login"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("audit trail:\n got %q\nwant %q", got, want)
	}
	// Without single sign-on configured its routes say so.
	plain := start(t, newServer(t, nil, nil))
	if res := do(t, http.DefaultClient, "GET", plain+"/api/auth/sso/start", "", "", nil); res.status != http.StatusNotFound || !strings.Contains(string(res.body), "OIDC_ISSUER") {
		t.Errorf("start without single sign-on: %d %s", res.status, res.body)
	}
}
