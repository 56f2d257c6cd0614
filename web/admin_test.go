package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/admin"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/sqlite"
	"github.com/vrrec/vrrec/web"
)

func adminServer(t *testing.T, password string) (string, *sqlite.DB) {
	t.Helper()
	db := testenv.SQLite(t)
	auth, err := admin.New("", password, testKey, db)
	if err != nil {
		t.Fatal(err)
	}
	return start(t, newServer(t, nil, func(c *web.Config) { c.Admin, c.Interactions = auth, db })), db
}

func TestAdminLoginFlow(t *testing.T) {
	base, db := adminServer(t, "staff-password")
	db.Record(context.Background(), vrrec.Interaction{ID: "1", UserID: "u", Query: "<script>x</script>", Intent: "recommendation", LatencyMS: 5, Time: time.Now()})
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}

	for _, path := range []string{"/api/admin/stats", "/api/admin/logs", "/api/admin/anything"} {
		res := do(t, client, "GET", base+path, "", "", nil)
		if res.status != 401 || strings.TrimSpace(string(res.body)) != `{"error":"Unauthorized","login_required":true}` {
			t.Errorf("%s without a session: %d %s", path, res.status, res.body)
		}
	}
	if res := do(t, client, "POST", base+"/api/auth/login", "application/json", `{"password":"wrong"}`, nil); res.status != 401 {
		t.Errorf("wrong password: %d %s", res.status, res.body)
	}
	res := do(t, client, "POST", base+"/api/auth/login", "application/json", `{"password":"staff-password"}`, nil)
	if res.status != 200 {
		t.Fatalf("login: %d %s", res.status, res.body)
	}
	raw := res.header.Get("Set-Cookie")
	for _, attr := range []string{"vrrec_admin=", "HttpOnly", "SameSite=Strict", "Max-Age=28", "Path=/"} {
		if !strings.Contains(raw, attr) {
			t.Errorf("admin cookie %q lacks %s", raw, attr)
		}
	}
	if m := do(t, client, "GET", base+"/api/auth/check", "", "", nil).json(t); m["is_admin"] != true {
		t.Errorf("check after login: %v", m)
	}
	stats := do(t, client, "GET", base+"/api/admin/stats", "", "", nil)
	if stats.status != 200 || stats.json(t)["total_interactions"] != float64(1) {
		t.Errorf("stats: %d %s", stats.status, stats.body)
	}
	logs := do(t, client, "GET", base+"/api/admin/logs?limit=10&user_id=u", "", "", nil)
	var page struct {
		Logs  []vrrec.Interaction `json:"logs"`
		Total int                 `json:"total"`
	}
	json.Unmarshal(logs.body, &page)
	if logs.status != 200 || page.Total != 1 || page.Logs[0].Query != "<script>x</script>" || strings.Contains(string(logs.body), "<script>") {
		t.Errorf("logs: %d %s (the query must come back as JSON-escaped text)", logs.status, logs.body)
	}
	db.Record(context.Background(), vrrec.Interaction{ID: "2", UserID: "v", Query: "old", Intent: "help", LatencyMS: 5, Time: time.Now().AddDate(0, 0, -3)})
	if m := do(t, client, "GET", base+"/api/admin/stats?days=2", "", "", nil).json(t); m["total_interactions"] != float64(1) {
		t.Errorf("stats of the last 2 days: %v", m["total_interactions"])
	}
	if m := do(t, client, "GET", base+"/api/admin/stats?days=7", "", "", nil).json(t); m["total_interactions"] != float64(2) {
		t.Errorf("stats of the last 7 days: %v", m["total_interactions"])
	}
	for _, bad := range []string{"0", "x", "100000"} {
		if res := do(t, client, "GET", base+"/api/admin/stats?days="+bad, "", "", nil); res.status != 400 {
			t.Errorf("days=%s: %d", bad, res.status)
		}
	}
	for query, msg := range map[string]string{
		"logs?limit=0":      "limit must be 1-500",
		"logs?offset=-1":    "offset must be 0 or more",
		"audit?limit=many":  "limit must be 1-500",
		"stats?days=100000": "days must be 1-3660",
	} {
		bad := do(t, client, "GET", base+"/api/admin/"+query, "", "", nil)
		if bad.status != 400 || bad.json(t)["error"] != msg {
			t.Errorf("%s: %d %s, want 400 %q", query, bad.status, bad.body, msg)
		}
	}

	// A cross-site POST carrying the admin cookie is refused (CSRF).
	cross := do(t, client, "POST", base+"/api/auth/logout", "application/json", `{}`, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"})
	if cross.status != http.StatusForbidden {
		t.Errorf("cross-site logout: %d", cross.status)
	}
	if m := do(t, client, "GET", base+"/api/auth/check", "", "", nil).json(t); m["is_admin"] != true {
		t.Error("the refused cross-site request logged the admin out")
	}
	old := ""
	for _, c := range res.header.Values("Set-Cookie") {
		if v, ok := strings.CutPrefix(c, "vrrec_admin="); ok {
			old, _, _ = strings.Cut(v, ";")
		}
	}
	if res := do(t, client, "POST", base+"/api/auth/logout", "application/json", `{}`, nil); res.status != 200 {
		t.Fatalf("logout: %d", res.status)
	}
	if res := do(t, client, "GET", base+"/api/admin/stats", "", "", nil); res.status != 401 {
		t.Errorf("after logout: %d", res.status)
	}
	// The browser forgot the cookie; a copy of it replayed must fail too.
	if res := do(t, nil, "GET", base+"/api/admin/stats", "", "", map[string]string{"Cookie": "vrrec_admin=" + old}); old == "" || res.status != 401 {
		t.Errorf("the old cookie replayed after logout: %d (cookie %q)", res.status, old)
	}
}

func TestLoginWithoutAdminConfigured(t *testing.T) {
	base, _ := adminServer(t, "")
	res := do(t, nil, "POST", base+"/api/auth/login", "application/json", `{"password":"x"}`, nil)
	if res.status != 503 || !strings.Contains(string(res.body), "ADMIN_PASSWORD_HASH") {
		t.Errorf("login with no admin: %d %s", res.status, res.body)
	}
}

func TestAdminConfig(t *testing.T) {
	db := testenv.SQLite(t)
	auth, _ := admin.New("", "staff-password", testKey, db)
	env := map[string]string{"OPENROUTER_API_KEY": "sk-or-v1-0123456789abcdef"}
	var changed []string
	base := start(t, newServer(t, nil, func(c *web.Config) {
		c.Admin, c.Interactions, c.Audit = auth, db, db
		c.Settings, _ = admin.NewSettings(db, func(k string) string { return env[k] }, testKey)
		c.SettingsChanged = func(_ context.Context, keys []string) { changed = keys }
	}))
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	if res := do(t, client, "GET", base+"/api/admin/config", "", "", nil); res.status != 401 {
		t.Fatalf("config without a session: %d", res.status)
	}
	do(t, client, "POST", base+"/api/auth/login", "application/json", `{"password":"staff-password"}`, nil)
	res := do(t, client, "GET", base+"/api/admin/config", "", "", nil)
	if res.status != 200 || !strings.Contains(string(res.body), `"value":"sk-o*****************cdef"`) || strings.Contains(string(res.body), "0123456789ab") {
		t.Errorf("config shows the key unmasked or not at all: %s", res.body)
	}
	post := do(t, client, "POST", base+"/api/admin/config", "application/json",
		`{"OPENROUTER_API_KEY":"sk-o*****************cdef","OPENROUTER_MODEL":"openai/gpt-4o-mini"}`, nil)
	if post.status != 200 || len(changed) != 1 || changed[0] != "OPENROUTER_MODEL" {
		t.Errorf("update: %d %s, changed %v", post.status, post.body, changed)
	}
	if bad := do(t, client, "POST", base+"/api/admin/config", "application/json", `{"SECRET_KEY":"x"}`, nil); bad.status != 400 {
		t.Errorf("an unmanaged key: %d", bad.status)
	}
	entries, _ := db.AuditEntries(context.Background(), vrrec.AuditFilter{Limit: 10})
	if len(entries) != 2 || entries[0].Action != "set_config" || entries[0].Detail != "OPENROUTER_MODEL" || entries[1].Action != "login" {
		t.Errorf("audit: %+v", entries)
	}
	for _, e := range entries {
		if strings.Contains(e.Detail, "gpt-4o") {
			t.Error("the audit trail holds a value")
		}
	}
}

// With the database down, a staff request is 503 "unavailable", not 401:
// a 401 would send staff to a login form that cannot work either.
func TestAdminWithTheDatabaseDown(t *testing.T) {
	base, db := adminServer(t, "staff-password")
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	if res := do(t, client, "POST", base+"/api/auth/login", "application/json", `{"password":"staff-password"}`, nil); res.status != 200 {
		t.Fatalf("login: %d %s", res.status, res.body)
	}
	db.Close()
	res := do(t, client, "GET", base+"/api/admin/stats", "", "", nil)
	if res.status != http.StatusServiceUnavailable || res.header.Get("Retry-After") == "" || strings.Contains(string(res.body), "login_required") {
		t.Errorf("staff request with the database down: %d %s (Retry-After %q)", res.status, res.body, res.header.Get("Retry-After"))
	}
	// The pages load; their session check answers 503 saying why rather
	// than offering a login form that cannot work either.
	if res := do(t, client, "GET", base+"/admin", "", "", map[string]string{"Accept": "text/html"}); res.status != http.StatusOK {
		t.Errorf("/admin with the database down: %d", res.status)
	}
	res = do(t, client, "GET", base+"/api/auth/check", "", "", nil)
	if res.status != http.StatusServiceUnavailable || !strings.Contains(string(res.body), "database is unavailable") {
		t.Errorf("session check with the database down: %d %s", res.status, res.body)
	}
	// Without a session cookie nothing needs the database: no session.
	if res := do(t, nil, "GET", base+"/api/auth/check", "", "", nil); res.status != 200 || !strings.Contains(string(res.body), `"is_admin":false`) {
		t.Errorf("session check without a cookie: %d %s", res.status, res.body)
	}
}
