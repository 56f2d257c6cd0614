package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/vrrec/vrrec/admin"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/web"
)

// With the database holding the data down (staff sessions, kept in another
// database, still check), the staff pages still load and every staff API
// answers 503 saying what is unavailable, with Retry-After: never 401 (a
// login would not help), never 500, and no job starts.
func TestStaffPagesWithTheDataStoreDown(t *testing.T) {
	sessions := testenv.SQLite(t)
	e := newDataEnv(t, func(c *web.Config, e *dataEnv) {
		auth, err := admin.New("", "staff-password", testKey, sessions)
		if err != nil {
			t.Fatal(err)
		}
		settings, err := admin.NewSettings(e.db, func(string) string { return "" }, testKey)
		if err != nil {
			t.Fatal(err)
		}
		c.Admin, c.Settings = auth, settings
	})
	closer, ok := e.db.(io.Closer)
	if !ok {
		t.Fatalf("%T cannot be closed", e.db)
	}
	closer.Close()

	for _, page := range []string{"/admin", "/admin/data", "/admin/config"} {
		res := do(t, e.client, "GET", e.base+page, "", "", map[string]string{"Accept": "text/html"})
		if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/html") {
			t.Errorf("%s with the database down: %d %s", page, res.status, res.header.Get("Content-Type"))
		}
	}
	var upload bytes.Buffer
	mw := multipart.NewWriter(&upload)
	part, _ := mw.CreateFormFile("files", "courses.json")
	part.Write([]byte(`[{"course_id": "95-888", "title": "Data-Focused Python"}]`))
	mw.Close()
	for _, c := range []struct{ method, path, contentType, body, says string }{
		{"GET", "/api/auth/check", "", "", ""}, // checked elsewhere: answers
		{"GET", "/api/admin/stats", "", "", "Statistics are unavailable"},
		{"GET", "/api/admin/logs", "", "", "Logs are unavailable"},
		{"GET", "/api/admin/audit", "", "", "audit trail is unavailable"},
		{"GET", "/api/admin/config", "", "", "Settings are unavailable"},
		{"POST", "/api/admin/config", "application/json", `{"OPENROUTER_MODEL": "x"}`, "Settings are unavailable"},
		{"GET", "/api/admin/data/status", "", "", "Jobs are unavailable"},
		{"GET", "/api/admin/jobs", "", "", "Jobs are unavailable"},
		{"GET", "/api/admin/jobs/ABC", "", "", "Jobs are unavailable"},
		{"POST", "/api/admin/jobs/ABC/cancel", "application/json", `{}`, "does not answer"},
		{"POST", "/api/admin/data/process/graph", "application/json", `{}`, "nothing was started"},
		{"POST", "/api/admin/data/process/skills", "application/json", `{}`, "nothing was started"},
		{"POST", "/api/admin/data/import", mw.FormDataContentType(), upload.String(), "nothing was changed"},
	} {
		res := do(t, e.client, c.method, e.base+c.path, c.contentType, c.body, nil)
		if c.says == "" {
			if res.status != http.StatusOK || !strings.Contains(string(res.body), `"is_admin":true`) {
				t.Errorf("%s %s: %d %s, want the session still recognised", c.method, c.path, res.status, res.body)
			}
			continue
		}
		if res.status != http.StatusServiceUnavailable || res.header.Get("Retry-After") == "" || !strings.Contains(string(res.body), c.says) {
			t.Errorf("%s %s with the database down: %d %s (Retry-After %q), want 503 saying %q",
				c.method, c.path, res.status, res.body, res.header.Get("Retry-After"), c.says)
		}
	}
}
