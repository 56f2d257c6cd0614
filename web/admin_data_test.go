package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/admin"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/graph"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/jobs"
	"github.com/vrrec/vrrec/skills"
	"github.com/vrrec/vrrec/sources"
	"github.com/vrrec/vrrec/web"
	"github.com/vrrec/vrrec/webfetch"
)

// dataEnv is a server with data management on a SQLite store. Reload
// serves the stored catalog; hold, when set, blocks it so a job stays
// running until the test lets it go or cancels it.
type dataEnv struct {
	base    string
	client  *http.Client
	db      vrrec.Store
	runner  *jobs.Runner
	stop    context.CancelFunc
	source  atomic.Value // string
	reloads atomic.Int32
	data    *jobs.Data

	mu   sync.Mutex
	cat  *vrrec.Catalog
	hold chan struct{}
}

func (e *dataEnv) current() *vrrec.Catalog {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cat
}

func newDataEnv(t *testing.T, mutate ...func(*web.Config, *dataEnv)) *dataEnv {
	t.Helper()
	return newDataEnvOn(t, testenv.SQLite(t), mutate...)
}

// dataStores are the backends the job flows are checked on: the embedded
// SQLite and MongoDB (FerretDB in process, or MONGODB_TEST_URI).
func dataStores(t *testing.T) map[string]func(t *testing.T) vrrec.Store {
	return map[string]func(t *testing.T) vrrec.Store{
		"sqlite":  func(t *testing.T) vrrec.Store { return testenv.SQLite(t) },
		"mongodb": func(t *testing.T) vrrec.Store { return testenv.MongoDB(t) },
	}
}

func newDataEnvOn(t *testing.T, store vrrec.Store, mutate ...func(*web.Config, *dataEnv)) *dataEnv {
	t.Helper()
	e := &dataEnv{db: store}
	e.source.Store("")
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	e.cat = cat
	ctx, stop := context.WithCancel(context.Background())
	e.stop = stop
	e.runner = jobs.New(ctx, e.db, jobs.Options{CancelPoll: 20 * time.Millisecond, Log: slog.New(slog.DiscardHandler)})
	t.Cleanup(func() { stop(); e.runner.Wait() })
	data := &jobs.Data{
		History: &catalog.History{Store: e.db},
		Current: e.current,
		Reload: func(ctx context.Context, run *jobs.Run) error {
			e.mu.Lock()
			hold := e.hold
			e.mu.Unlock()
			if hold != nil {
				select {
				case <-hold:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			cat, _, err := e.db.LoadCatalog(ctx)
			if err != nil {
				return err
			}
			e.mu.Lock()
			e.cat = cat
			e.mu.Unlock()
			e.reloads.Add(1)
			run.Logf("serving %d apps", len(cat.Apps))
			return nil
		},
		Extractor:    func() skills.Extractor { return skills.NewOfflineExtractor(e.current().Skills) },
		Embedder:     testenv.Embedder(t),
		ExtractState: t.TempDir() + "/extract.jsonl",
		Sources: func(jobType string) (sources.Source, error) {
			file := map[string]string{jobs.TypeUpdateCourses: catalog.CoursesFile, jobs.TypeUpdateApps: catalog.AppsFile}[jobType]
			if file == "" {
				return nil, vrrec.Errorf(vrrec.EINVALID, "no %s source in this test", jobType)
			}
			return sources.NewUpstream(e.source.Load().(string), file, &webfetch.Client{})
		},
	}
	e.data = data
	auth, err := admin.New("", "staff-password", testKey, e.db)
	if err != nil {
		t.Fatal(err)
	}
	e.base = start(t, newServer(t, nil, func(c *web.Config) {
		c.Admin, c.Interactions, c.Audit, c.CourseLog = auth, e.db, e.db, e.db
		c.DataAdmin = &web.DataAdmin{Jobs: jobs.Control{Runner: e.runner, Data: data}, History: e.db, Info: func(context.Context) map[string]any {
			return map[string]any{"graph": map[string]any{"backend": "memory", "state": "ok", "stats": graph.StatsOf(e.current())}}
		}}
		for _, m := range mutate {
			m(c, e)
		}
	}))
	jar, _ := cookiejar.New(nil)
	e.client = &http.Client{Jar: jar}
	if res := do(t, e.client, "POST", e.base+"/api/auth/login", "application/json", `{"password":"staff-password"}`, nil); res.status != 200 {
		t.Fatalf("login: %d %s", res.status, res.body)
	}
	return e
}

// upload posts files as the dashboard's import form does.
func (e *dataEnv) upload(t *testing.T, files map[string]string) response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for name, content := range files {
		part, _ := w.CreateFormFile("files", name)
		part.Write([]byte(content))
	}
	w.Close()
	return do(t, e.client, "POST", e.base+"/api/admin/data/import", w.FormDataContentType(), body.String(), nil)
}

// wait polls the job API until the job has left "running".
func (e *dataEnv) wait(t *testing.T, id string) vrrec.Job {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		res := do(t, e.client, "GET", e.base+"/api/admin/jobs/"+id, "", "", nil)
		var job vrrec.Job
		if err := json.Unmarshal(res.body, &job); err != nil || res.status != 200 {
			t.Fatalf("job %s: %d %s", id, res.status, res.body)
		}
		if job.State != vrrec.JobRunning {
			return job
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("job %s still running", id)
	return vrrec.Job{}
}

// publishNewest publishes the newest draft, as staff do from the data
// page, confirming it if it scores worse, and returns the publishing job.
func (e *dataEnv) publishNewest(t *testing.T) vrrec.Job {
	t.Helper()
	var list struct {
		Versions []catalog.Entry `json:"versions"`
	}
	res := do(t, e.client, "GET", e.base+"/api/admin/data/versions", "", "", nil)
	if err := json.Unmarshal(res.body, &list); err != nil || res.status != 200 || len(list.Versions) == 0 || list.Versions[0].State != catalog.StateDraft {
		t.Fatalf("versions: %d %s, want a draft first", res.status, res.body)
	}
	job := e.wait(t, jobID(t, do(t, e.client, "POST", e.base+"/api/admin/data/versions/"+list.Versions[0].Version+"/publish",
		"application/json", `{"confirm_worse": true}`, nil)))
	if job.State != vrrec.JobCompleted {
		t.Fatalf("publish: %+v", job)
	}
	return job
}

func jobID(t *testing.T, res response) string {
	t.Helper()
	if res.status != http.StatusAccepted {
		t.Fatalf("start: %d %s, want 202", res.status, res.body)
	}
	id, _ := res.json(t)["job_id"].(string)
	if id == "" {
		t.Fatalf("no job_id in %s", res.body)
	}
	return id
}

func TestDataRoutesNeedASession(t *testing.T) {
	e := newDataEnv(t)
	for _, r := range [][2]string{{"GET", "/api/admin/data/status"}, {"POST", "/api/admin/data/import"}, {"POST", "/api/admin/data/process/graph"},
		{"POST", "/api/admin/data/update/courses"}, {"GET", "/api/admin/jobs"}, {"GET", "/api/admin/jobs/x"}, {"POST", "/api/admin/jobs/x/cancel"}, {"GET", "/api/admin/audit"}} {
		res := do(t, nil, r[0], e.base+r[1], "application/json", `{}`, nil)
		if res.status != 401 || !strings.Contains(string(res.body), `"login_required":true`) {
			t.Errorf("%s %s without a session: %d %s", r[0], r[1], res.status, res.body)
		}
	}
	// With a session but from another site: refused before anything starts.
	res := do(t, e.client, "POST", e.base+"/api/admin/data/process/graph", "application/json", `{}`,
		map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"})
	if res.status != http.StatusForbidden {
		t.Errorf("cross-site job start: %d", res.status)
	}
	if jobsList, _ := e.db.Jobs(context.Background(), 5); len(jobsList) != 0 {
		t.Errorf("a refused request started a job: %+v", jobsList)
	}
}

func TestImportUploadRunsAJob(t *testing.T) {
	for name, open := range dataStores(t) {
		t.Run(name, func(t *testing.T) { testImportUploadRunsAJob(t, newDataEnvOn(t, open(t))) })
	}
}

func testImportUploadRunsAJob(t *testing.T, e *dataEnv) {
	courses := "course_id,title,department,description\n" +
		"95-888,Data-Focused Python,Heinz College,Python for data analysis\n" +
		",Missing id,Heinz College,x\n" +
		"95-729,E-Commerce Technology,Heinz College,Web security and payments\n"
	res := e.upload(t, map[string]string{"courses.csv": courses})
	id := jobID(t, res)
	var body struct {
		Job    vrrec.Job      `json:"job"`
		Report catalog.Report `json:"report"`
	}
	json.Unmarshal(res.body, &body)
	if body.Job.Type != jobs.TypeImport || body.Job.State != vrrec.JobRunning {
		t.Errorf("job in the 202: %+v", body.Job)
	}
	found := false
	for _, p := range body.Report.Problems {
		if p.File == "courses.csv" && p.Index == 1 && strings.Contains(p.Reason, "course_id") {
			found = true
		}
	}
	if !found {
		t.Errorf("the bad row is not reported by file and index: %+v", body.Report.Problems)
	}
	job := e.wait(t, id)
	if job.State != vrrec.JobCompleted || job.Progress.Stage == "" {
		t.Fatalf("import job: %+v", job)
	}
	logText := strings.Join(job.Log, "\n")
	for _, want := range []string{"courses.csv: 3 rows read, 2 kept", "courses.csv[1]", "changes against the live catalog: courses", "draft "} {
		if !strings.Contains(logText, want) {
			t.Errorf("job log lacks %q:\n%s", want, logText)
		}
	}
	// A draft: students still get the embedded catalog.
	if v, _ := e.db.CatalogVersion(context.Background()); v != "" || len(e.current().Courses) == 2 {
		t.Fatalf("the import changed what students get before publishing (stored version %q)", v)
	}
	publish := e.publishNewest(t)
	if !strings.Contains(strings.Join(publish.Log, "\n"), "serving") {
		t.Errorf("publish log: %q", publish.Log)
	}
	stored, _, err := e.db.LoadCatalog(context.Background())
	if err != nil || len(stored.Courses) != 2 || len(stored.Apps) == 0 {
		t.Fatalf("stored catalog: %v courses, err %v", len(stored.Courses), err)
	}
	if len(e.current().Courses) != 2 {
		t.Error("the imported catalog is not served")
	}
	status := do(t, e.client, "GET", e.base+"/api/admin/data/status", "", "", nil).json(t)
	counts := status["counts"].(map[string]any)
	if counts["courses"] != float64(2) || status["updated_at"] == nil || status["catalog_version"] != catalog.Version(stored) {
		t.Errorf("status after import: %v", status)
	}
	entries, _ := e.db.AuditEntries(context.Background(), vrrec.AuditFilter{Limit: 5})
	// The publication once (not also as a started job), after the import.
	if len(entries) < 2 || entries[0].Action != "publish_catalog" || !strings.Contains(entries[0].Detail, "confirmed although it scores worse") ||
		entries[1].Action != "start_job" || !strings.Contains(entries[1].Detail, "import") {
		t.Errorf("audit: %+v", entries)
	}
}

func TestImportRefusesBadUploads(t *testing.T) {
	e := newDataEnv(t)
	if res := e.upload(t, map[string]string{"students.json": "[]"}); res.status != 400 || !strings.Contains(string(res.body), "not a catalog file") {
		t.Errorf("unknown file: %d %s", res.status, res.body)
	}
	if res := e.upload(t, map[string]string{"vr_apps.json": `{"apps": "not an array"}`}); res.status != 400 || !strings.Contains(string(res.body), "vr_apps.json") ||
		strings.Contains(string(res.body), "vrrec invalid") {
		t.Errorf("not an array: %d %s", res.status, res.body)
	}
	if res := e.upload(t, map[string]string{"courses.json": `[{"course_id": "95-888", `}); res.status != 400 ||
		!strings.Contains(string(res.body), `"courses.json: invalid JSON`) {
		t.Errorf("broken JSON: %d %s, want the file's name first, no code", res.status, res.body)
	}
	if res := e.upload(t, map[string]string{}); res.status != 400 || !strings.Contains(string(res.body), "no files uploaded") {
		t.Errorf("no files: %d %s", res.status, res.body)
	}
	if res := do(t, e.client, "POST", e.base+"/api/admin/data/import", "application/json", `{}`, nil); res.status != 400 {
		t.Errorf("not multipart: %d %s", res.status, res.body)
	}
	var twice bytes.Buffer
	mw := multipart.NewWriter(&twice)
	for _, rows := range []string{`[]`, `[{"course_id": "95-888", "title": "Data-Focused Python"}]`} {
		part, _ := mw.CreateFormFile("files", "courses.json")
		part.Write([]byte(rows))
	}
	mw.Close()
	if res := do(t, e.client, "POST", e.base+"/api/admin/data/import", mw.FormDataContentType(), twice.String(), nil); res.status != 400 || !strings.Contains(string(res.body), "courses.json was uploaded twice") {
		t.Errorf("one name uploaded twice: %d %s", res.status, res.body)
	}
	huge := e.upload(t, map[string]string{"courses.json": "[" + strings.Repeat(" ", web.MaxUploadBytes) + "]"})
	if huge.status != http.StatusRequestEntityTooLarge {
		t.Errorf("huge upload: %d %s", huge.status, huge.body)
	}
	if started, _ := e.db.Jobs(context.Background(), 5); len(started) != 0 {
		t.Errorf("refused uploads started jobs: %+v", started)
	}
	// Every app dropped: the job fails and the catalog stays.
	id := jobID(t, e.upload(t, map[string]string{"vr_apps.json": `[{"app_id": "", "name": ""}]`}))
	if job := e.wait(t, id); job.State != vrrec.JobFailed || !strings.Contains(job.Error, "no app survived") {
		t.Errorf("an import with no valid app: %+v", job)
	}
	if v, _ := e.db.CatalogVersion(context.Background()); v != "" {
		t.Errorf("a failed import stored version %q", v)
	}
}

// One job at a time: 202 for the first, 409 naming it for the next; cancel
// stops it; cancelling again is a conflict.
func TestJobConflictAndCancel(t *testing.T) {
	for name, open := range dataStores(t) {
		t.Run(name, func(t *testing.T) { testJobConflictAndCancel(t, newDataEnvOn(t, open(t))) })
	}
}

func testJobConflictAndCancel(t *testing.T, e *dataEnv) {
	e.mu.Lock()
	e.hold = make(chan struct{}) // never released: only cancel ends the job
	e.mu.Unlock()
	first := jobID(t, do(t, e.client, "POST", e.base+"/api/admin/data/process/graph", "application/json", `{}`, nil))
	second := do(t, e.client, "POST", e.base+"/api/admin/data/process/skills", "application/json", `{}`, nil)
	if second.status != http.StatusConflict || second.json(t)["running_job_id"] != first {
		t.Fatalf("second start: %d %s, want 409 naming %s", second.status, second.body, first)
	}
	status := do(t, e.client, "GET", e.base+"/api/admin/data/status", "", "", nil).json(t)
	if cur, _ := status["current_job"].(map[string]any); cur == nil || cur["id"] != first {
		t.Errorf("status does not show the running job: %v", status["current_job"])
	}
	if res := do(t, e.client, "POST", e.base+"/api/admin/jobs/"+first+"/cancel", "application/json", `{}`, nil); res.status != 200 {
		t.Fatalf("cancel: %d %s", res.status, res.body)
	}
	if job := e.wait(t, first); job.State != vrrec.JobCancelled {
		t.Errorf("cancelled job: %+v", job)
	}
	if res := do(t, e.client, "POST", e.base+"/api/admin/jobs/"+first+"/cancel", "application/json", `{}`, nil); res.status != http.StatusConflict {
		t.Errorf("cancelling a finished job: %d %s", res.status, res.body)
	}
	if res := do(t, e.client, "POST", e.base+"/api/admin/jobs/NOSUCHJOB/cancel", "application/json", `{}`, nil); res.status != http.StatusNotFound {
		t.Errorf("cancelling a job that never existed: %d %s, want 404", res.status, res.body)
	}
	if res := do(t, e.client, "GET", e.base+"/api/admin/jobs/nope", "", "", nil); res.status != 404 {
		t.Errorf("unknown job: %d", res.status)
	}
	list := do(t, e.client, "GET", e.base+"/api/admin/jobs?limit=5", "", "", nil)
	if list.status != 200 || !strings.Contains(string(list.body), `"state":"cancelled"`) {
		t.Errorf("history: %d %s", list.status, list.body)
	}
}

// A job cut off by a crash shows as interrupted once its heartbeat is
// late, and a new job can start.
func TestJobInterruptedByRestart(t *testing.T) {
	e := newDataEnv(t)
	e.mu.Lock()
	e.hold = make(chan struct{})
	e.mu.Unlock()
	id := jobID(t, do(t, e.client, "POST", e.base+"/api/admin/data/process/graph", "application/json", `{}`, nil))
	// The crash: the job's heartbeat stops; a minute later any instance's
	// sweep marks it interrupted.
	if n, err := e.db.InterruptStale(context.Background(), time.Now(), time.Now().Add(time.Minute)); err != nil || n != 1 {
		t.Fatalf("interrupt: %d, %v", n, err)
	}
	job := e.wait(t, id)
	if job.State != vrrec.JobInterrupted || !strings.Contains(job.Error, "stopped") {
		t.Errorf("job after restart: %+v", job)
	}
	e.mu.Lock()
	e.hold = nil
	e.mu.Unlock()
	if next := do(t, e.client, "POST", e.base+"/api/admin/data/process/graph", "application/json", `{}`, nil); next.status != http.StatusAccepted {
		t.Errorf("a job after the restart: %d %s", next.status, next.body)
	}
}

func TestUpdateCoursesFromSource(t *testing.T) {
	e := newDataEnv(t)
	if res := do(t, e.client, "POST", e.base+"/api/admin/data/update/courses", "application/json", `{}`, nil); res.status != 400 || !strings.Contains(string(res.body), "CATALOG_SOURCE_URL") {
		t.Errorf("no source configured: %d %s", res.status, res.body)
	}
	var fail atomic.Bool
	src := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case fail.Load():
			http.Error(w, "upstream down", http.StatusBadGateway)
		case r.URL.Path == "/catalog/courses.json":
			fmt.Fprint(w, `[{"course_id": "95-888", "title": "Data-Focused Python", "department": "Heinz College", "description": "Python"}]`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer src.Close()
	var status struct {
		Sources map[string]struct {
			Ready bool   `json:"ready"`
			About string `json:"about"`
		} `json:"sources"`
	}
	readStatus := func() {
		res := do(t, e.client, "GET", e.base+"/api/admin/data/status", "", "", nil)
		if err := json.Unmarshal(res.body, &status); err != nil {
			t.Fatalf("status: %v %s", err, res.body)
		}
	}
	readStatus()
	if s := status.Sources[jobs.TypeUpdateCourses]; s.Ready || !strings.Contains(s.About, "set CATALOG_SOURCE_URL") {
		t.Errorf("status before a source is set: %+v", status.Sources)
	}
	e.source.Store(src.URL + "/catalog")
	readStatus()
	if s := status.Sources[jobs.TypeUpdateCourses]; !s.Ready || s.About != "download courses.json (and course_skills.json when present) from "+src.URL+"/catalog" {
		t.Errorf("status with a source: %+v", status.Sources)
	}
	id := jobID(t, do(t, e.client, "POST", e.base+"/api/admin/data/update/courses", "application/json", `{}`, nil))
	job := e.wait(t, id)
	if job.State != vrrec.JobCompleted || job.Type != jobs.TypeUpdateCourses {
		t.Fatalf("update job: %+v", job)
	}
	if !strings.Contains(strings.Join(job.Log, "\n"), "course_skills.json: not at the source") {
		t.Errorf("log: %q", job.Log)
	}
	e.publishNewest(t)
	if c := e.current().Courses; len(c) != 1 || c[0].CourseID != "95-888" {
		t.Errorf("served courses: %+v", c)
	}
	fail.Store(true)
	id = jobID(t, do(t, e.client, "POST", e.base+"/api/admin/data/update/courses", "application/json", `{}`, nil))
	if job := e.wait(t, id); job.State != vrrec.JobFailed || !strings.Contains(job.Error, "502") {
		t.Errorf("update from a failing source: %+v", job)
	}
	e.source.Store("ftp://example.edu/x")
	if res := do(t, e.client, "POST", e.base+"/api/admin/data/update/apps", "application/json", `{}`, nil); res.status != 400 {
		t.Errorf("a non-HTTP source: %d %s", res.status, res.body)
	}
}

func TestExtractSkillsJob(t *testing.T) {
	e := newDataEnv(t)
	id := jobID(t, do(t, e.client, "POST", e.base+"/api/admin/data/process/skills", "application/json", `{}`, nil))
	job := e.wait(t, id)
	cat, _ := catalog.Default()
	items := len(cat.Courses) + len(cat.Apps)
	if job.State != vrrec.JobCompleted {
		t.Fatalf("extract job: %+v", job)
	}
	if !strings.Contains(strings.Join(job.Log, "\n"), fmt.Sprintf("extracting skills from %d courses and apps with offline", items)) {
		t.Errorf("log: %q", job.Log)
	}
	e.publishNewest(t)
	stored, _, err := e.db.LoadCatalog(context.Background())
	if err != nil || len(stored.AppSkills) == 0 || len(stored.CourseSkills) == 0 {
		t.Fatalf("no skills stored: %v", err)
	}
}
