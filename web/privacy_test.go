package web_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/admin"
	"github.com/vrrec/vrrec/chat"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/privacy"
	"github.com/vrrec/vrrec/ratelimit"
	"github.com/vrrec/vrrec/sqlite"
	"github.com/vrrec/vrrec/web"
)

// privacyServer is the chat and the staff API over one SQLite database,
// with interactions recorded as they are answered and the privacy service
// over it.
func privacyServer(t *testing.T, mutate func(*web.Config)) (string, *sqlite.DB) {
	t.Helper()
	db := testenv.SQLite(t)
	auth, err := admin.New("", "staff-password", testKey, db)
	if err != nil {
		t.Fatal(err)
	}
	svc := &privacy.Service{Kinds: []privacy.Kind{privacy.Interactions(db, 0), privacy.Sessions(db, 0), privacy.Profiles(db, 0)}}
	return start(t, newServer(t, nil, func(c *web.Config) {
		eng := engine()
		chats := chat.New(func() chat.Engine { return eng }, db, slog.New(slog.DiscardHandler))
		chats.SetProfiles(db)
		c.Chat, c.Profiles, c.Welcome = chats, db, chats
		c.Journal = recordNow{db}
		c.Admin, c.Interactions, c.Audit, c.Privacy, c.Staff = auth, db, db, svc, admin.NewAccounts(db)
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
		if mutate != nil {
			mutate(c)
		}
	})), db
}

func userCookie(t *testing.T, jar http.CookieJar, base string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", base, nil)
	for _, c := range jar.Cookies(req.URL) {
		if c.Name == "user_id" {
			return c.Value
		}
	}
	return ""
}

func TestStudentForgetsTheirHistory(t *testing.T) {
	base, db := privacyServer(t, nil)
	ctx := context.Background()
	jar, _ := cookiejar.New(nil)
	student := &http.Client{Jar: jar}
	var me string
	for _, q := range []string{"I'm studying anatomy", "public speaking"} {
		res := do(t, student, "POST", base+"/chat", "application/json", `{"message":"`+q+`","session_id":"s1"}`, nil)
		if res.status != 200 {
			t.Fatalf("chat: %d %s", res.status, res.body)
		}
		me = res.json(t)["user_id"].(string)
	}
	other := do(t, nil, "POST", base+"/chat", "application/json", `{"message":"chemistry"}`, nil)
	if other.status != 200 {
		t.Fatalf("another student's chat: %d", other.status)
	}
	before, _ := db.Stats(ctx, time.Time{})
	oldCookie := userCookie(t, jar, base)

	// Another site cannot make a student forget (CSRF).
	if res := do(t, student, "POST", base+"/api/forget", "application/json", `{}`, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}); res.status != http.StatusForbidden {
		t.Errorf("cross-site forget: %d", res.status)
	}
	if _, n, _ := db.Interactions(ctx, vrrec.InteractionFilter{UserID: me}); n != 2 {
		t.Fatalf("%d interactions of the student before the forget, want 2", n)
	}

	res := do(t, student, "POST", base+"/api/forget", "application/json", `{}`, nil)
	m := res.json(t)
	if res.status != 200 || m["success"] != true || m["removed"].(map[string]any)["interactions"] != float64(2) || m["removed"].(map[string]any)["messages"] != float64(4) {
		t.Fatalf("forget: %d %s", res.status, res.body)
	}
	fresh := m["user_id"].(string)
	if fresh == me || userCookie(t, jar, base) == oldCookie || !strings.HasPrefix(userCookie(t, jar, base), fresh+".") {
		t.Errorf("the identity was not replaced: old %s, new %s, cookie %s", me, fresh, userCookie(t, jar, base))
	}
	if _, n, _ := db.Interactions(ctx, vrrec.InteractionFilter{UserID: me}); n != 0 {
		t.Errorf("%d interactions left after the forget", n)
	}
	if h, _ := db.History(ctx, me, 100); len(h) != 0 {
		t.Errorf("%d messages left after the forget", len(h))
	}
	if h := do(t, student, "GET", base+"/api/history", "", "", nil).json(t); len(h["messages"].([]any)) != 0 || h["user_id"] != fresh {
		t.Errorf("history after the forget: %v", h)
	}
	if _, n, _ := db.Interactions(ctx, vrrec.InteractionFilter{}); n != 1 {
		t.Errorf("the other student's interaction: %d rows, want 1", n)
	}
	if after, _ := db.Stats(ctx, time.Time{}); after.Total != before.Total || after.Intents[0] != before.Intents[0] {
		t.Errorf("statistics after the forget: %+v, want the counts of %+v", after, before)
	}
	// The old cookie replayed (a copy kept elsewhere) is still a valid
	// identity, with nothing stored: a new forget removes nothing.
	replay := do(t, nil, "POST", base+"/api/forget", "application/json", `{}`, map[string]string{"Cookie": "user_id=" + oldCookie})
	if replay.status != 200 || replay.json(t)["removed"].(map[string]any)["interactions"] != float64(0) {
		t.Errorf("a forget with the old cookie: %d %s", replay.status, replay.body)
	}
	// A caller with no identity has nothing to forget and gets one.
	if res := do(t, nil, "POST", base+"/api/forget", "application/json", `{}`, nil); res.status != 200 || len(res.json(t)["removed"].(map[string]any)) != 0 {
		t.Errorf("a forget without identity: %d %s", res.status, res.body)
	}
}

func TestForgetWithTheDatabaseDown(t *testing.T) {
	base, db := privacyServer(t, nil)
	jar, _ := cookiejar.New(nil)
	student := &http.Client{Jar: jar}
	if res := do(t, student, "POST", base+"/chat", "application/json", `{"message":"anatomy"}`, nil); res.status != 200 {
		t.Fatalf("chat: %d", res.status)
	}
	cookie := userCookie(t, jar, base)
	db.Close()
	res := do(t, student, "POST", base+"/api/forget", "application/json", `{}`, nil)
	if res.status != http.StatusServiceUnavailable || !strings.Contains(res.json(t)["error"].(string), "try again") {
		t.Errorf("forget with the database down: %d %s", res.status, res.body)
	}
	if userCookie(t, jar, base) != cookie {
		t.Error("a failed forget replaced the identity: the student could not try again")
	}
}

func TestStaffExportAndDeleteAStudent(t *testing.T) {
	base, db := privacyServer(t, nil)
	ctx := context.Background()
	jar, _ := cookiejar.New(nil)
	student := &http.Client{Jar: jar}
	res := do(t, student, "POST", base+"/chat", "application/json", `{"message":"I'm studying anatomy"}`, nil)
	id := res.json(t)["user_id"].(string)

	for _, method := range []string{"GET", "DELETE"} {
		if res := do(t, nil, method, base+"/api/admin/students/"+id, "", "", nil); res.status != 401 {
			t.Errorf("%s without a session: %d", method, res.status)
		}
	}
	jar2, _ := cookiejar.New(nil)
	staff := &http.Client{Jar: jar2}
	if res := do(t, staff, "POST", base+"/api/auth/login", "application/json", `{"password":"staff-password"}`, map[string]string{"X-Forwarded-For": "203.0.113.77"}); res.status != 200 {
		t.Fatalf("login: %d", res.status)
	}
	exp := do(t, staff, "GET", base+"/api/admin/students/"+id, "", "", map[string]string{"X-Forwarded-For": "2001:db8:abcd:12::9"})
	var export struct {
		UserID string `json:"user_id"`
		Data   struct {
			Interactions []vrrec.Interaction `json:"interactions"`
			Messages     []vrrec.Message     `json:"messages"`
		} `json:"data"`
	}
	if err := json.Unmarshal(exp.body, &export); err != nil || exp.status != 200 || export.UserID != id || len(export.Data.Interactions) != 1 ||
		export.Data.Interactions[0].Query != "I'm studying anatomy" || len(export.Data.Messages) != 2 {
		t.Fatalf("export: %d %s (%v)", exp.status, exp.body, err)
	}
	if !strings.Contains(exp.header.Get("Content-Disposition"), "attachment") {
		t.Errorf("export is not a download: %q", exp.header.Get("Content-Disposition"))
	}
	del := do(t, staff, "DELETE", base+"/api/admin/students/"+id, "", "", nil)
	if del.status != 200 || del.json(t)["removed"].(map[string]any)["interactions"] != float64(1) {
		t.Fatalf("delete: %d %s", del.status, del.body)
	}
	if _, n, _ := db.Interactions(ctx, vrrec.InteractionFilter{UserID: id}); n != 0 {
		t.Errorf("%d interactions left", n)
	}
	if res := do(t, staff, "DELETE", base+"/api/admin/students/"+strings.Repeat("x", 201), "", "", nil); res.status != 400 {
		t.Errorf("an id too long: %d %s", res.status, res.body)
	}
	entries, _ := db.AuditEntries(ctx, vrrec.AuditFilter{Limit: 10})
	got := map[string]vrrec.AuditEntry{}
	for _, e := range entries {
		got[e.Action] = e
	}
	// Client addresses are stored as their network only.
	if e := got["export_student"]; e.Detail != id || e.IP != "2001:db8:abcd::/48" {
		t.Errorf("export audit: %+v", e)
	}
	if e := got["forget_student"]; e.Detail != id || e.IP != "127.0.0.0/24" {
		t.Errorf("delete audit: %+v", e)
	}
	if e := got["login"]; e.IP != "203.0.113.0/24" {
		t.Errorf("login audit: %+v", e)
	}
}

func TestForgetWithoutPrivacyConfigured(t *testing.T) {
	base := start(t, newServer(t, nil, nil))
	res := do(t, nil, "POST", base+"/api/forget", "application/json", `{}`, nil)
	if res.status != http.StatusServiceUnavailable || res.json(t)["error"] == "" {
		t.Errorf("forget without a privacy service: %d %s", res.status, res.body)
	}
}

// A forget costs as much as a chat: it is held by the student's chat
// budget (and, as each forget brings a new identity, by the address's chat
// ceiling, like a client that drops its cookie).
func TestForgetCountsAsAChat(t *testing.T) {
	db := testenv.SQLite(t)
	base := limitedServer(t, &ratelimit.Memory{}, func(c *web.Config) {
		c.Privacy = &privacy.Service{Kinds: []privacy.Kind{privacy.Interactions(db, 0), privacy.Sessions(db, 0)}}
	})
	student := newStudent(t, base)
	for i := range 10 {
		if res := postChat(t, student, base, "anatomy"); res.status != 200 {
			t.Fatalf("chat %d: %d", i+1, res.status)
		}
	}
	if res := do(t, student, "POST", base+"/api/forget", "application/json", `{}`, nil); res.status != http.StatusTooManyRequests {
		t.Errorf("a forget after 10 chats in a minute: %d, want 429", res.status)
	}
	other := newStudent(t, base)
	if res := do(t, other, "POST", base+"/api/forget", "application/json", `{}`, nil); res.status != 200 {
		t.Errorf("another student's forget: %d %s", res.status, res.body)
	}
}

// The widget, in a frame on another site, proves its identity with the
// X-Vrrec-User token; a forget answers a new token for it.
func TestWidgetForgets(t *testing.T) {
	base, db := privacyServer(t, nil)
	embed := map[string]string{"X-Vrrec-Embed": "1"}
	res := do(t, nil, "POST", base+"/chat", "application/json", `{"message":"anatomy"}`, embed)
	m := res.json(t)
	token, id := m["user_token"].(string), m["user_id"].(string)
	if res.status != 200 || token == "" {
		t.Fatalf("widget chat: %d %s", res.status, res.body)
	}
	res = do(t, nil, "POST", base+"/api/forget", "application/json", `{}`, map[string]string{"X-Vrrec-Embed": "1", "X-Vrrec-User": token})
	m = res.json(t)
	if res.status != 200 || m["removed"].(map[string]any)["interactions"] != float64(1) || m["user_token"] == token || !strings.HasPrefix(m["user_token"].(string), m["user_id"].(string)+".") {
		t.Fatalf("widget forget: %d %s", res.status, res.body)
	}
	if _, n, _ := db.Interactions(context.Background(), vrrec.InteractionFilter{UserID: id}); n != 0 {
		t.Errorf("%d interactions of the widget's student left", n)
	}
}
