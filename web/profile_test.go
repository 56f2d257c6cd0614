package web_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/vrrec/vrrec/web"
)

// TestStudentProfileAPI: what a student says of their studies shows in
// GET /api/profile; they edit it (within limits, from this site only) and
// clear it; the visit returns it.
func TestStudentProfileAPI(t *testing.T) {
	base, db := privacyServer(t, nil)
	jar, _ := cookiejar.New(nil)
	student := &http.Client{Jar: jar}
	get := func() map[string]any {
		t.Helper()
		res := do(t, student, "GET", base+"/api/profile", "", "", nil)
		if res.status != 200 {
			t.Fatalf("GET /api/profile: %d %s", res.status, res.body)
		}
		return res.json(t)["profile"].(map[string]any)
	}
	if p := get(); len(p) != 0 {
		t.Errorf("a new student's profile: %v", p)
	}
	chat := postChat(t, student, base, "I'm a sophomore in nursing")
	if chat.status != 200 || !strings.Contains(string(chat.body), `"profile":{"major":"nursing","year":"second year"`) {
		t.Fatalf("the chat's reply does not carry the profile: %d %s", chat.status, chat.body)
	}
	if p := get(); p["major"] != "nursing" || p["year"] != "second year" || p["language"] != "en" {
		t.Errorf("after the statement: %v", p)
	}
	user := chat.json(t)["user_id"].(string)

	put := func(body string, header map[string]string) response {
		return do(t, student, "PUT", base+"/api/profile", "application/json", body, header)
	}
	res := put(`{"major":" biology ","courses":["15-112"," ","15-112","21-127"],"interests":["astronomy"]}`, nil)
	if res.status != 200 {
		t.Fatalf("PUT: %d %s", res.status, res.body)
	}
	if p, _, _ := db.Profile(context.Background(), user); p.Major != "biology" || p.Year != "" || strings.Join(p.Courses, ",") != "15-112,21-127" ||
		p.Language != "en" || p.UpdatedAt.IsZero() {
		t.Errorf("stored after the edit: %+v", p)
	}
	for _, bad := range []string{`{"major":"` + strings.Repeat("x", 101) + `"}`, `{"courses":[` + strings.Repeat(`"a",`, 20) + `"b"]}`, `{"major":`} {
		if res := put(bad, nil); res.status != 400 {
			t.Errorf("PUT %.40s: %d, want 400", bad, res.status)
		}
	}
	if res := put(`{"major":"art"}`, map[string]string{"Sec-Fetch-Site": "cross-site"}); res.status != 403 {
		t.Errorf("a cross-site PUT: %d, want 403", res.status)
	}
	if p := get(); p["major"] != "biology" {
		t.Errorf("a refused edit changed the profile: %v", p)
	}
	visit := do(t, student, "POST", base+"/api/visit", "application/json", `{}`, nil)
	if visit.status != 200 || visit.json(t)["profile"].(map[string]any)["major"] != "biology" || visit.json(t)["message"] != nil {
		t.Errorf("visit: %d %s", visit.status, visit.body)
	}
	if res := do(t, student, "DELETE", base+"/api/profile", "", "", nil); res.status != 200 {
		t.Fatalf("DELETE: %d %s", res.status, res.body)
	}
	if p := get(); len(p) != 0 {
		t.Errorf("after DELETE: %v", p)
	}
	if p, v, _ := db.Profile(context.Background(), user); p.Stated() || v.At.IsZero() {
		t.Errorf("cleared: the profile %+v stays, or the visit %+v went", p, v)
	}
}

func TestProfileRoutesWithoutAStore(t *testing.T) {
	base := start(t, newServer(t, nil, func(c *web.Config) { c.Profiles, c.Welcome = nil, nil }))
	for _, m := range []string{"GET", "PUT", "DELETE"} {
		if res := do(t, nil, m, base+"/api/profile", "application/json", `{}`, nil); res.status != 503 {
			t.Errorf("%s /api/profile without a store: %d", m, res.status)
		}
	}
	if res := do(t, nil, "POST", base+"/api/visit", "application/json", `{}`, nil); res.status != 503 {
		t.Errorf("POST /api/visit without a store: %d", res.status)
	}
}

// The forget deletes the profile with the rest, and the staff export holds it until then.
func TestForgetDeletesTheProfile(t *testing.T) {
	base, db := privacyServer(t, nil)
	jar, _ := cookiejar.New(nil)
	student := &http.Client{Jar: jar}
	user := postChat(t, student, base, "I'm a nursing student").json(t)["user_id"].(string)
	res := do(t, student, "POST", base+"/api/forget", "application/json", `{}`, nil)
	if res.status != 200 || res.json(t)["removed"].(map[string]any)["profile"] != float64(1) {
		t.Fatalf("forget: %d %s", res.status, res.body)
	}
	if p, v, _ := db.Profile(context.Background(), user); p.Stated() || !v.At.IsZero() {
		t.Errorf("after the forget: %+v %+v", p, v)
	}
	if p := do(t, student, "GET", base+"/api/profile", "", "", nil).json(t)["profile"].(map[string]any); len(p) != 0 {
		t.Errorf("the new identity's profile: %v", p)
	}
}
