package main

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/internal/testenv"
)

// renamedCatalog writes the embedded catalog in the upstream format to a
// new directory, with the apps at idx renamed: a catalog a little different
// from the one served. It returns the directory and the version it makes.
func renamedCatalog(t *testing.T, idx ...int) (dir, version string) {
	t.Helper()
	dir = t.TempDir()
	def := filepath.Join(testenv.RepoRoot(), "catalog", "default")
	for _, f := range catalog.Files {
		b, err := os.ReadFile(filepath.Join(def, f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "vr_apps.json" {
			var apps []map[string]any
			if err := json.Unmarshal(b, &apps); err != nil {
				t.Fatal(err)
			}
			for _, i := range idx {
				apps[i]["name"] = apps[i]["name"].(string) + " (renamed)"
			}
			b, _ = json.Marshal(apps)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cat, _, err := readCatalogDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, catalog.Version(cat)
}

// cliCommands lists every command and subcommand the usage texts name.
func cliCommands() []string {
	var out []string
	for _, m := range regexp.MustCompile(`(?m)^  vrrec ([a-z-]+)`).FindAllStringSubmatch(usage, -1) {
		out = append(out, m[1])
	}
	for _, u := range []string{catalogUsage, staffUsage, studentUsage} {
		for _, m := range regexp.MustCompile(`(?m)^  vrrec ([a-z-]+ [a-z-]+)`).FindAllStringSubmatch(u, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

// Every command that changes something records exactly one entry per
// change in the audit trail, naming who ran it (cli: and the operating
// system user), when and what; commands that only read record nothing.
// A command the usage names that this test does not run fails it.
func TestAuditContractCLI(t *testing.T) {
	dir := t.TempDir()
	a, va := renamedCatalog(t, 0)
	b, vb := renamedCatalog(t, 1)
	c, _ := renamedCatalog(t, 2)
	steps := []struct {
		args    []string
		stdin   string
		actions []string // newest last; none for a command that only reads
	}{
		{[]string{"staff", "add", "ada@uni.example", "--role", "editor"}, "a long enough password\n", []string{"add_staff"}},
		{[]string{"staff", "role", "ada@uni.example", "admin"}, "", []string{"set_staff_role"}},
		{[]string{"staff", "add", "bob@uni.example", "--sso"}, "", []string{"add_staff"}},
		{[]string{"staff", "disable", "bob@uni.example"}, "", []string{"disable_staff"}},
		{[]string{"staff", "disable", "bob@uni.example", "--enable"}, "", []string{"enable_staff"}},
		{[]string{"staff", "reset-password", "ada@uni.example"}, "another long password\n", []string{"reset_staff_password"}},
		{[]string{"staff", "list"}, "", nil},
		{[]string{"import", "--dir", a}, "", []string{"start_job"}},
		{[]string{"catalog", "list"}, "", nil},
		{[]string{"catalog", "diff", va}, "", nil},
		{[]string{"catalog", "publish", va, "--confirm-worse", "--confirm-unknown"}, "", []string{"publish_catalog"}},
		{[]string{"catalog", "rollback"}, "", []string{"publish_catalog"}},
		{[]string{"import", "--dir", b}, "", []string{"start_job"}},
		{[]string{"catalog", "discard", vb}, "", []string{"discard_catalog_draft"}},
		{[]string{"import", "--dir", c, "--publish", "--confirm-worse", "--confirm-unknown"}, "", []string{"start_job", "publish_catalog"}},
		{[]string{"extract-skills", "--offline", "--import"}, "", []string{"start_job"}},
		{[]string{"build-graph"}, "", nil}, // GRAPH_BACKEND=memory: statistics only
		{[]string{"recommend", "anatomy"}, "", nil},
		{[]string{"student", "export", "student-1"}, "", []string{"export_student"}},
		{[]string{"student", "forget", "student-1"}, "", []string{"forget_student"}},
	}
	// Not run here: they change nothing a person could be accountable for
	// (eval, healthcheck and hash-password only read or print; serve's
	// routes are TestAuditContractAPI's).
	notRun := []string{"serve", "healthcheck", "hash-password", "eval", "catalog", "staff", "student"}
	ran := map[string]bool{}
	for _, s := range steps {
		ran[s.args[0]] = true
		if len(s.args) > 1 {
			ran[s.args[0]+" "+s.args[1]] = true
		}
	}
	for _, cmd := range cliCommands() {
		if !ran[cmd] && !slices.Contains(notRun, cmd) {
			t.Errorf("vrrec %s is not covered by the audit contract: add it to the steps", cmd)
		}
	}

	t.Setenv("GRAPH_BACKEND", "memory")
	seen := len(auditTrail(t, dir))
	for _, s := range steps {
		start := time.Now()
		out, err := runCLIWithInput(t, dir, s.stdin, s.args...)
		if err != nil {
			t.Fatalf("vrrec %s: %v\n%s", strings.Join(s.args, " "), err, out)
		}
		entries := auditTrail(t, dir) // newest first
		added := entries[:len(entries)-seen]
		seen = len(entries)
		if len(added) != len(s.actions) {
			t.Errorf("vrrec %s: %d audit entries %+v, want %v", strings.Join(s.args, " "), len(added), added, s.actions)
			continue
		}
		for i, action := range s.actions {
			checkCLIEntry(t, added[len(added)-1-i], start, action, "vrrec "+s.args[0])
		}
	}
}

// apiStep is one request of the API audit contract. actions are what a
// request that succeeds records; refusable steps may also be refused
// (a source that is not configured) and then record nothing.
type apiStep struct {
	method, path, body string
	files              string // a catalog directory to upload as multipart files
	actions            []string
	refusable          bool
}

// stateChangingRoutes reads web/routes.go: every route that changes
// something (any method but GET) and the routes that read a student's
// data (recorded too).
func stateChangingRoutes(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "web", "routes.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range regexp.MustCompile(`"((?:POST|PATCH|PUT|DELETE|GET) /api/[^"]+)"`).FindAllStringSubmatch(string(src), -1) {
		if !strings.HasPrefix(m[1], "GET ") || strings.Contains(m[1], "/students/") {
			out = append(out, m[1])
		}
	}
	return out
}

// Every state-changing staff route, through the real `vrrec serve`,
// records exactly one audit entry naming the signed-in person, the time
// and the action; a refused request and a read record nothing. A route in
// web/routes.go that this test does not send fails it.
func TestAuditContractAPI(t *testing.T) {
	_, base, logs := startServe(t, map[string]string{"GRAPH_BACKEND": "memory", "LLM_BASE_URL": "", "OPENROUTER_API_KEY": ""})
	dataDir := os.Getenv("DATA_DIR")
	if out, err := runCLIWithInput(t, dataDir, "a long enough password\n", "staff", "add", "ada@uni.example", "--role", "admin"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	a, va := renamedCatalog(t, 0)
	b, vb := renamedCatalog(t, 1)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: time.Minute}
	var staffID, lastJob string
	send := func(s apiStep) (int, map[string]any) {
		t.Helper()
		var body io.Reader = strings.NewReader(s.body)
		ctype := "application/json"
		if s.files != "" {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			for _, f := range catalog.Files {
				b, _ := os.ReadFile(filepath.Join(s.files, f))
				w, _ := mw.CreateFormFile("files", f)
				w.Write(b)
			}
			mw.Close()
			body, ctype = &buf, mw.FormDataContentType()
		}
		path := strings.NewReplacer("{staff}", staffID, "{job}", lastJob).Replace(s.path)
		req, _ := http.NewRequest(s.method, base+path, body)
		if s.body != "" || s.files != "" {
			req.Header.Set("Content-Type", ctype)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		raw, _ := io.ReadAll(res.Body)
		json.Unmarshal(raw, &out)
		if id, ok := out["job_id"].(string); ok {
			lastJob = id
			waitJob(t, client, base, id)
		}
		if id, ok := out["id"].(string); ok && s.path == "/api/admin/staff" {
			staffID = id
		}
		if res.StatusCode >= 300 && !s.refusable {
			t.Fatalf("%s %s: %d %s\nlogs:\n%s", s.method, path, res.StatusCode, raw, logs)
		}
		return res.StatusCode, out
	}
	steps := []apiStep{
		{method: "POST", path: "/api/auth/login", body: `{"email":"ada@uni.example","password":"a long enough password"}`, actions: []string{"login"}},
		{method: "GET", path: "/api/admin/stats"},
		{method: "GET", path: "/api/admin/audit"},
		{method: "POST", path: "/api/admin/demand/topics", body: `{"topic":"welding"}`, actions: []string{"add_search_topic"}},
		{method: "POST", path: "/api/admin/labeled-queries", body: `{"query":"anatomy for nurses","relevant":["medicalholodeck"]}`, actions: []string{"label_query"}},
		{method: "POST", path: "/api/admin/data/import", files: a, actions: []string{"start_job"}},
		{method: "POST", path: "/api/admin/data/versions/" + va + "/publish", body: `{"confirm_worse":true,"confirm_unknown":true}`, actions: []string{"publish_catalog"}},
		{method: "POST", path: "/api/admin/data/import", files: b, actions: []string{"start_job"}},
		{method: "DELETE", path: "/api/admin/data/versions/" + vb, actions: []string{"discard_catalog_draft"}},
		{method: "POST", path: "/api/admin/data/process/skills", actions: []string{"start_job"}},
		{method: "POST", path: "/api/admin/data/process/graph", actions: []string{"start_job"}, refusable: true},
		{method: "POST", path: "/api/admin/data/update/courses", actions: []string{"start_job"}, refusable: true},
		{method: "POST", path: "/api/admin/data/update/apps", actions: []string{"start_job"}, refusable: true},
		{method: "POST", path: "/api/admin/data/scrape/courses", actions: []string{"start_job"}, refusable: true},
		{method: "POST", path: "/api/admin/data/search/apps", actions: []string{"start_job"}, refusable: true},
		{method: "POST", path: "/api/admin/jobs/{job}/cancel", actions: []string{"cancel_job"}, refusable: true}, // the job is over: refused
		{method: "POST", path: "/api/admin/config", body: `{"APP_SEARCH_TOPICS":"anatomy, welding"}`, actions: []string{"set_config"}},
		{method: "POST", path: "/api/admin/staff", body: `{"email":"carol@uni.example","role":"viewer","password":"a third long password"}`, actions: []string{"add_staff"}},
		{method: "PATCH", path: "/api/admin/staff/{staff}", body: `{"role":"editor"}`, actions: []string{"set_staff_role"}},
		{method: "PATCH", path: "/api/admin/staff/{staff}", body: `{"disabled":true}`, actions: []string{"disable_staff"}},
		{method: "PATCH", path: "/api/admin/staff/{staff}", body: `{"disabled":false}`, actions: []string{"enable_staff"}},
		{method: "POST", path: "/api/admin/staff/{staff}/password", body: `{"password":"a fourth long password"}`, actions: []string{"reset_staff_password"}},
		{method: "GET", path: "/api/admin/students/student-1", actions: []string{"export_student"}},
		{method: "DELETE", path: "/api/admin/students/student-1", actions: []string{"forget_student"}},
		{method: "POST", path: "/api/forget", actions: nil, refusable: true}, // a student's own: no staff entry
		{method: "POST", path: "/api/feedback", actions: nil, refusable: true},
		// What a student tells about their studies is theirs: no staff entry.
		{method: "PUT", path: "/api/profile", actions: nil, refusable: true},
		{method: "DELETE", path: "/api/profile", actions: nil, refusable: true},
		{method: "POST", path: "/api/visit", actions: nil, refusable: true},
		{method: "POST", path: "/api/auth/logout", body: `{}`, actions: []string{"logout"}},
	}
	sent := map[string]bool{}
	for _, s := range steps {
		pattern := regexp.MustCompile(`/[0-9a-f]{16}(/|$)`).ReplaceAllString(s.path, "/{version}$1")
		pattern = strings.NewReplacer("{staff}", "{id}", "{job}", "{id}", "student-1", "{id}").Replace(pattern)
		sent[s.method+" "+pattern] = true
	}
	for _, r := range stateChangingRoutes(t) {
		if !sent[r] {
			t.Errorf("%s is not covered by the audit contract: add it to the steps", r)
		}
	}

	seen := len(auditTrail(t, dataDir))
	for _, s := range steps {
		start := time.Now()
		status, _ := send(s)
		t.Logf("%s %s: %d", s.method, s.path, status)
		entries := auditTrail(t, dataDir)
		added := entries[:len(entries)-seen]
		seen = len(entries)
		want := s.actions
		if status >= 300 {
			want = nil
		}
		if len(added) != len(want) {
			t.Errorf("%s %s (%d): %d audit entries %+v, want %v", s.method, s.path, status, len(added), added, want)
			continue
		}
		for i, action := range want {
			e := added[len(added)-1-i]
			if e.Actor != "ada@uni.example" || e.Action != action || e.Time.Before(start.Add(-time.Second)) || e.Time.After(time.Now().Add(time.Second)) {
				t.Errorf("%s %s: audit entry %+v, want %s by ada@uni.example now", s.method, s.path, e, action)
			}
		}
	}
}

// waitJob waits until the job id is over.
func waitJob(t *testing.T, client *http.Client, base, id string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		res, err := client.Get(base + "/api/admin/jobs/" + id)
		if err != nil {
			t.Fatal(err)
		}
		var job struct {
			State string `json:"state"`
		}
		json.NewDecoder(res.Body).Decode(&job)
		res.Body.Close()
		if job.State != "" && job.State != "running" {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("job %s still running after 2 minutes", id)
}
