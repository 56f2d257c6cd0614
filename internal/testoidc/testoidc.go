// Package testoidc starts a real OpenID Provider for tests: zitadel/oidc's
// provider (package op) with its example in-memory storage and login page,
// in process on a local port, with people who have groups.
package testoidc

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"golang.org/x/text/language"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
)

// Person is someone the provider can sign in.
type Person struct {
	Username, Password string
	Email, Name        string
	Groups             []string
}

// Provider is a running OpenID Provider with one client.
type Provider struct {
	Issuer, ClientID, ClientSecret string
	clients                        map[string]*storage.Client
}

type people map[string]*storage.User

func (p people) GetUserByID(id string) *storage.User { return p[id] }
func (p people) GetUserByUsername(name string) *storage.User {
	for _, u := range p {
		if u.Username == name {
			return u
		}
	}
	return nil
}
func (p people) ExampleClientID() string { return "" }

// withGroups adds a "groups" claim to userinfo.
type withGroups struct {
	*storage.Storage
	groups map[string][]string // by user id
}

func (s withGroups) SetUserinfoFromToken(ctx context.Context, info *zoidc.UserInfo, tokenID, subject, origin string) error {
	if err := s.Storage.SetUserinfoFromToken(ctx, info, tokenID, subject, origin); err != nil {
		return err
	}
	if g, ok := s.groups[info.Subject]; ok {
		info.AppendClaims("groups", g)
	}
	return nil
}

// Start runs a provider until the test ends. Register its client's
// redirect URI before the first sign-in.
func Start(t *testing.T, persons ...Person) *Provider {
	t.Helper()
	users, groups := people{}, map[string][]string{}
	for i, p := range persons {
		id := "user" + string(rune('a'+i))
		first, last, _ := strings.Cut(p.Name, " ")
		users[id] = &storage.User{ID: id, Username: p.Username, Password: p.Password, FirstName: first, LastName: last,
			Email: p.Email, EmailVerified: true, PreferredLanguage: language.English}
		groups[id] = p.Groups
	}
	prov := &Provider{ClientID: "vrrec-staff", ClientSecret: "client-secret-for-tests", clients: map[string]*storage.Client{}}
	store := withGroups{Storage: storage.NewStorageWithClients(users, prov.clients), groups: groups}
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	prov.Issuer = srv.URL
	handler = exampleop.SetupServer(srv.URL, store, nil, false)
	return prov
}

// Register sets the client's redirect URI.
func (p *Provider) Register(redirectURI string) {
	p.clients[p.ClientID] = storage.WebClient(p.ClientID, p.ClientSecret, redirectURI)
}

// SignIn follows authURL as a browser would, signs in at the provider's
// login page, and returns the callback URL the provider sends the browser
// back to (with code and state), without following it.
func (p *Provider) SignIn(t *testing.T, authURL, username, password string) *url.URL {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	var callback *url.URL
	client := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if !strings.HasPrefix(req.URL.String(), p.Issuer) {
			callback = req.URL
			return http.ErrUseLastResponse
		}
		return nil
	}}
	res, err := client.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	id := res.Request.URL.Query().Get("authRequestID")
	if id == "" {
		t.Fatalf("the provider did not show its login page: %s", res.Request.URL)
	}
	res, err = client.PostForm(p.Issuer+"/login/username", url.Values{"id": {id}, "username": {username}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if callback == nil {
		t.Fatalf("the provider did not send the browser back (status %d at %s)", res.StatusCode, res.Request.URL)
	}
	return callback
}
