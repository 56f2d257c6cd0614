package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/admin"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/privacy"
	"github.com/vrrec/vrrec/sqlite"
	"github.com/vrrec/vrrec/web"
)

// staffEnv is a server with staff accounts: one member of each role,
// each signed in with their own client.
type staffEnv struct {
	base     string
	db       *sqlite.DB
	accounts *admin.Accounts
	clients  map[vrrec.Role]*http.Client
	members  map[vrrec.Role]vrrec.StaffMember
}

const staffPassword = "a long staff password"

func newStaffEnv(t *testing.T, mutate func(*web.Config)) *staffEnv {
	t.Helper()
	db := testenv.SQLite(t)
	auth, err := admin.New("", "", testKey, db)
	if err != nil {
		t.Fatal(err)
	}
	e := &staffEnv{db: db, accounts: admin.NewAccounts(db), clients: map[vrrec.Role]*http.Client{}, members: map[vrrec.Role]vrrec.StaffMember{}}
	e.base = start(t, newServer(t, nil, func(c *web.Config) {
		c.Admin, c.Staff, c.Audit, c.Interactions = auth, e.accounts, db, db
		if mutate != nil {
			mutate(c)
		}
	}))
	for _, role := range vrrec.Roles {
		m, err := e.accounts.Add(context.Background(), string(role)+"@uni.example", "", role, staffPassword)
		if err != nil {
			t.Fatal(err)
		}
		e.members[role] = m
		e.clients[role] = e.signIn(t, m.Email, staffPassword)
	}
	return e
}

// signIn returns a client signed in as email.
func (e *staffEnv) signIn(t *testing.T, email, password string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	if res := do(t, client, "POST", e.base+"/api/auth/login", "application/json", `{"email":"`+email+`","password":"`+password+`"}`, nil); res.status != 200 {
		t.Fatalf("sign-in of %s: %d %s", email, res.status, res.body)
	}
	return client
}

// Every admin route answers 403 to a role below its least role, before
// doing anything, and lets the roles at or above it through.
func TestEveryAdminRouteChecksTheRole(t *testing.T) {
	e := newStaffEnv(t, nil)
	routes := web.AdminRouteRoles()
	if len(routes) < 30 {
		t.Fatalf("only %d admin routes", len(routes))
	}
	for pattern, least := range routes {
		method, path, _ := strings.Cut(pattern, " ")
		path = strings.NewReplacer("{version}", "0123456789abcdef", "{id}", "someone").Replace(path)
		for _, role := range vrrec.Roles {
			body, ctype := "", ""
			if method != "GET" {
				body, ctype = `{}`, "application/json"
			}
			res := do(t, e.clients[role], method, e.base+path, ctype, body, nil)
			switch {
			case !role.AtLeast(least) && (res.status != http.StatusForbidden || !strings.Contains(string(res.body), "needs the "+string(least)+" role")):
				t.Errorf("%s as %s: %d %s, want 403 naming the %s role", pattern, role, res.status, res.body, least)
			case role.AtLeast(least) && (res.status == http.StatusForbidden || res.status == http.StatusUnauthorized):
				t.Errorf("%s as %s: %d %s, want it let through", pattern, role, res.status, res.body)
			}
		}
	}
	// Refused requests changed nothing: no staff action was recorded.
	if entries, _ := e.db.AuditEntries(context.Background(), vrrec.AuditFilter{}); len(entries) != 3 {
		for _, a := range entries {
			if a.Action != "login" {
				t.Errorf("recorded after the role checks: %+v", a)
			}
		}
	}
}

// Admins manage accounts through the API; a change applies to the
// member's very next request; every action and sign-in is audited by
// name, filterable, and exported as CSV with formulas neutralised.
func TestStaffAccountsAPIAndAudit(t *testing.T) {
	e := newStaffEnv(t, nil)
	ctx := context.Background()
	adminClient, viewer := e.clients[vrrec.RoleAdmin], e.clients[vrrec.RoleViewer]
	if res := do(t, viewer, "GET", e.base+"/api/auth/check", "", "", nil); res.status != 200 ||
		!strings.Contains(string(res.body), `"role":"viewer"`) || !strings.Contains(string(res.body), `"email":"viewer@uni.example"`) || strings.Contains(string(res.body), "argon2") {
		t.Errorf("check: %d %s", res.status, res.body)
	}
	res := do(t, adminClient, "POST", e.base+"/api/admin/staff", "application/json", `{"email":"=cmd@uni.example","name":"Mallory","role":"editor","password":"`+staffPassword+`"}`, nil)
	if res.status != http.StatusCreated || res.json(t)["id"] == "" {
		t.Fatalf("add: %d %s", res.status, res.body)
	}
	for _, bad := range []string{`{"email":"x","role":"viewer"}`, `{"email":"ok@uni.example","role":"owner"}`, `{"email":"viewer@uni.example","role":"viewer"}`} {
		if res := do(t, adminClient, "POST", e.base+"/api/admin/staff", "application/json", bad, nil); res.status != 400 && res.status != 409 {
			t.Errorf("add %s: %d %s", bad, res.status, res.body)
		}
	}
	viewerID := e.members[vrrec.RoleViewer].ID
	// A role change applies to the member's next request.
	if res := do(t, viewer, "POST", e.base+"/api/admin/labeled-queries", "application/json", `{}`, nil); res.status != 403 {
		t.Fatalf("viewer labelling: %d", res.status)
	}
	if res := do(t, adminClient, "PATCH", e.base+"/api/admin/staff/"+viewerID, "application/json", `{"role":"editor"}`, nil); res.status != 200 {
		t.Fatalf("role change: %d %s", res.status, res.body)
	}
	if res := do(t, viewer, "POST", e.base+"/api/admin/labeled-queries", "application/json", `{}`, nil); res.status == 403 {
		t.Errorf("after the role change to editor: %d %s", res.status, res.body)
	}
	// Disabling ends the member's session at once.
	if res := do(t, adminClient, "PATCH", e.base+"/api/admin/staff/"+viewerID, "application/json", `{"disabled":true}`, nil); res.status != 200 || res.json(t)["disabled"] != true {
		t.Fatalf("disable: %d %s", res.status, res.body)
	}
	if res := do(t, viewer, "GET", e.base+"/api/admin/stats", "", "", nil); res.status != 401 {
		t.Errorf("a disabled member's request: %d, want 401", res.status)
	}
	// Nobody locks themselves out.
	self := e.members[vrrec.RoleAdmin].ID
	for _, body := range []string{`{"role":"viewer"}`, `{"disabled":true}`} {
		if res := do(t, adminClient, "PATCH", e.base+"/api/admin/staff/"+self, "application/json", body, nil); res.status != 400 {
			t.Errorf("changing oneself with %s: %d %s", body, res.status, res.body)
		}
	}
	// A password reset ends the sessions and the old password.
	editor := e.members[vrrec.RoleEditor]
	if res := do(t, adminClient, "POST", e.base+"/api/admin/staff/"+editor.ID+"/password", "application/json", `{"password":"the editor's new password"}`, nil); res.status != 200 {
		t.Fatalf("reset password: %d %s", res.status, res.body)
	}
	if res := do(t, e.clients[vrrec.RoleEditor], "GET", e.base+"/api/admin/stats", "", "", nil); res.status != 401 {
		t.Errorf("after a password reset the old session answers %d", res.status)
	}
	e.signIn(t, editor.Email, "the editor's new password")
	// A sign-out ends the session everywhere.
	if res := do(t, adminClient, "POST", e.base+"/api/auth/logout", "application/json", `{}`, nil); res.status != 200 {
		t.Fatal(res.status)
	}
	adminClient = e.signIn(t, "admin@uni.example", staffPassword)
	// A refused sign-in is audited under the name tried.
	if res := do(t, http.DefaultClient, "POST", e.base+"/api/auth/login", "application/json", `{"email":"Editor@uni.example","password":"guess"}`, nil); res.status != 401 {
		t.Errorf("a wrong password: %d", res.status)
	}
	if res := do(t, http.DefaultClient, "POST", e.base+"/api/auth/login", "application/json", `{"email":"viewer@uni.example","password":"`+staffPassword+`"}`, nil); res.status != 401 || !strings.Contains(string(res.body), "disabled") {
		t.Errorf("a disabled account signing in: %d %s", res.status, res.body)
	}

	type row struct{ actor, action, detail string }
	trail := func(query string) []row {
		t.Helper()
		res := do(t, adminClient, "GET", e.base+"/api/admin/audit"+query, "", "", nil)
		var out struct{ Entries []vrrec.AuditEntry }
		if res.status != 200 || json.Unmarshal(res.body, &out) != nil {
			t.Fatalf("audit%s: %d %s", query, res.status, res.body)
		}
		rows := []row{}
		for _, a := range out.Entries {
			if a.Time.IsZero() || time.Since(a.Time) > time.Minute {
				t.Errorf("entry without a current time: %+v", a)
			}
			rows = append(rows, row{a.Actor, a.Action, a.Detail})
		}
		return rows
	}
	all := trail("?limit=500")
	want := []row{
		{"viewer@uni.example", "login_failed", "This staff account is disabled"},
		{"editor@uni.example", "login_failed", "Wrong email or password"},
		{"admin@uni.example", "login", "password"},
		{"admin@uni.example", "logout", ""},
		{"editor@uni.example", "login", "password"},
		{"admin@uni.example", "reset_staff_password", "editor@uni.example"},
		{"admin@uni.example", "disable_staff", "viewer@uni.example"},
		{"admin@uni.example", "set_staff_role", "viewer@uni.example to editor"},
		{"admin@uni.example", "add_staff", "=cmd@uni.example as editor"},
	}
	if len(all) < len(want) {
		t.Fatalf("audit trail: %+v", all)
	}
	for i, w := range want {
		if all[i] != w {
			t.Errorf("entry %d: %+v, want %+v", i, all[i], w)
		}
	}
	if got := trail("?actor=admin@uni.example&action=disable_staff"); len(got) != 1 || got[0].detail != "viewer@uni.example" {
		t.Errorf("filtered by person and action: %+v", got)
	}
	if got := trail("?action=login_failed"); len(got) != 2 {
		t.Errorf("filtered by action: %+v", got)
	}
	res = do(t, adminClient, "GET", e.base+"/api/admin/audit?format=csv&action=add_staff", "", "", nil)
	records, err := csv.NewReader(strings.NewReader(string(res.body))).ReadAll()
	if res.status != 200 || !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") || err != nil || len(records) != 2 ||
		strings.Join(records[0], ",") != "time,actor,action,detail,network" || records[1][1] != "admin@uni.example" || records[1][3] != "'=cmd@uni.example as editor" {
		t.Errorf("CSV: %d %v %q", res.status, err, res.body)
	}
	if res := do(t, e.clients[vrrec.RoleEditor], "GET", e.base+"/api/admin/audit?format=csv", "", "", nil); res.status != 401 && res.status != 403 {
		t.Errorf("the audit CSV to a non-admin: %d", res.status)
	}
	if list, _ := e.accounts.List(ctx); len(list) != 4 {
		t.Errorf("%d accounts", len(list))
	}
}

// The audit CSV names who published a catalog version and who exported a
// student's data.
func TestAuditCSVNamesWhoPublishedAndExported(t *testing.T) {
	e := newDataEnv(t, func(c *web.Config, e *dataEnv) {
		accounts := admin.NewAccounts(e.db)
		if _, err := accounts.Add(context.Background(), "ada@uni.example", "Ada", vrrec.RoleAdmin, staffPassword); err != nil {
			t.Fatal(err)
		}
		c.Staff = accounts
		c.Privacy = &privacy.Service{Kinds: []privacy.Kind{privacy.Interactions(e.db, 0), privacy.Sessions(e.db, 0)}}
	})
	jar, _ := cookiejar.New(nil)
	e.client = &http.Client{Jar: jar}
	if res := do(t, e.client, "POST", e.base+"/api/auth/login", "application/json", `{"email":"ada@uni.example","password":"`+staffPassword+`"}`, nil); res.status != 200 {
		t.Fatalf("sign-in: %d %s", res.status, res.body)
	}
	def := e.current()
	trimmed, err := json.Marshal(def.Apps[:len(def.Apps)-1])
	if err != nil {
		t.Fatal(err)
	}
	if job := e.wait(t, jobID(t, e.upload(t, map[string]string{"vr_apps.json": string(trimmed)}))); job.State != vrrec.JobCompleted {
		t.Fatalf("upload: %+v", job)
	}
	e.publishNewest(t)
	if res := do(t, e.client, "GET", e.base+"/api/admin/students/student-7", "", "", nil); res.status != 200 {
		t.Fatalf("export: %d %s", res.status, res.body)
	}
	res := do(t, e.client, "GET", e.base+"/api/admin/audit?format=csv", "", "", nil)
	records, err := csv.NewReader(strings.NewReader(string(res.body))).ReadAll()
	if err != nil || res.status != 200 {
		t.Fatalf("CSV: %d %v", res.status, err)
	}
	found := map[string]bool{}
	for _, r := range records[1:] {
		if r[1] == "ada@uni.example" && r[0] != "" {
			found[r[2]] = true
		}
	}
	if !found["publish_catalog"] || !found["export_student"] || !found["login"] {
		t.Errorf("the CSV does not name Ada for publishing, exporting and signing in:\n%s", res.body)
	}
	// The published revision names her too.
	revs, _ := e.db.Revisions(context.Background())
	named := false
	for _, r := range revs {
		named = named || r.PublishedBy == "ada@uni.example"
	}
	if !named {
		t.Errorf("no revision published by ada@uni.example: %+v", revs)
	}
}
