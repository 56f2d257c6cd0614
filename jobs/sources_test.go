package jobs_test

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/firecrawl"
	"github.com/vrrec/vrrec/internal/fakeopenai"
	"github.com/vrrec/vrrec/internal/fakeweb"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/jobs"
	"github.com/vrrec/vrrec/openai"
	"github.com/vrrec/vrrec/sources"
	"github.com/vrrec/vrrec/sqlite"
	"github.com/vrrec/vrrec/tavily"
)

// heinzPage is a catalog page as Firecrawl returns it.
const heinzPage = `# Heinz College of Information Systems and Public Policy

## Course Descriptions

### 95-729 E-Commerce Technology (6 units)

An overview of the technologies behind electronic commerce.

**Prerequisites:** 95-712

### 95-899: Immersive Media Lab

**Units:** 6

Designing and testing virtual reality experiences for teaching.
`

// sourceEnv is a data-jobs setup whose sources talk to local Firecrawl,
// Tavily and OpenAI-compatible servers, over a real SQLite store.
type sourceEnv struct {
	db        *sqlite.DB
	runner    *jobs.Runner
	data      *jobs.Data
	firecrawl *fakeweb.Firecrawl
	tavily    *fakeweb.Tavily
	page      atomic.Pointer[fakeweb.Page]
	search    atomic.Pointer[fakeweb.Results]
	key       atomic.Pointer[string] // the Firecrawl and Tavily key staff set
	reloads   atomic.Int32
}

func newSourceEnv(t *testing.T) *sourceEnv {
	e := &sourceEnv{db: testenv.SQLite(t)}
	key := fakeweb.FirecrawlKey
	e.key.Store(&key)
	e.firecrawl = fakeweb.StartFirecrawl(func(int, string) fakeweb.Page { return *e.page.Load() })
	t.Cleanup(e.firecrawl.Close)
	e.tavily = fakeweb.StartTavily(func(int, string) fakeweb.Results { return *e.search.Load() })
	t.Cleanup(e.tavily.Close)
	llm := fakeopenai.Start(func(n int, req fakeopenai.Request) fakeopenai.Answer {
		return fakeopenai.Answer{Content: `{"apps": [{"result": 1, "name": "HoloChem Lab", "category": "education",
			"description": "HoloChem Lab lets students mix chemicals safely in VR.", "price": "$9.99", "platform": "Meta Quest 3"}]}`}
	})
	t.Cleanup(llm.Close)
	chat, err := openai.NewChat(openai.ChatConfig{BaseURL: llm.URL, Model: "m", Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	e.runner = jobs.New(ctx, e.db, jobs.Options{CancelPoll: 10 * time.Millisecond, Log: slog.New(slog.DiscardHandler)})
	t.Cleanup(func() { stop(); e.runner.Wait() })
	e.data = &jobs.Data{History: &catalog.History{Store: e.db}, Current: func() *vrrec.Catalog { return testenv.DefaultCatalog(t) },
		Reload: func(context.Context, *jobs.Run) error { e.reloads.Add(1); return nil },
		Sources: func(jobType string) (sources.Source, error) {
			k := *e.key.Load()
			if jobType == jobs.TypeScrapeCourses {
				fc := &firecrawl.Client{BaseURL: e.firecrawl.URL, APIKey: k, Timeout: 300 * time.Millisecond}
				return sources.NewCoursePages([]string{"https://www.heinz.cmu.edu/courses"}, fc, "Firecrawl", nil)
			}
			if k == fakeweb.FirecrawlKey {
				k = fakeweb.TavilyKey
			}
			tc := &tavily.Client{BaseURL: e.tavily.URL, APIKey: k, Timeout: 300 * time.Millisecond}
			return sources.NewAppSearch([]string{"chemistry"}, tc, chat)
		}}
	return e
}

// draft returns the newest draft, what the last job made.
func (e *sourceEnv) draft(t *testing.T) (*vrrec.Catalog, vrrec.Revision) {
	t.Helper()
	revs, err := e.db.Revisions(context.Background())
	if err != nil || len(revs) == 0 {
		t.Fatalf("no draft kept: %v", err)
	}
	cat, rev, err := e.db.LoadRevision(context.Background(), revs[0].Version)
	if err != nil {
		t.Fatal(err)
	}
	return cat, rev
}

func (e *sourceEnv) run(t *testing.T, jobType string) vrrec.Job {
	t.Helper()
	fn, err := e.data.UpdateFrom(jobType)
	if err != nil {
		t.Fatal(err)
	}
	job, err := e.runner.Start(context.Background(), jobType, nil, fn)
	if err != nil {
		t.Fatal(err)
	}
	return waitState(t, e.db, job.ID)
}

// A catalog page read through Firecrawl becomes courses in a draft, over
// the courses it had (95-729 is updated, 95-899 added); a web search
// becomes app records in the draft; students keep the live catalog.
func TestSourceJobsSaveWhatTheyRead(t *testing.T) {
	e := newSourceEnv(t)
	e.page.Store(&fakeweb.Page{Markdown: heinzPage})
	job := e.run(t, jobs.TypeScrapeCourses)
	if job.State != vrrec.JobCompleted {
		t.Fatalf("scrape job: %+v", job)
	}
	cat, rev := e.draft(t)
	def := testenv.DefaultCatalog(t)
	i := slices.IndexFunc(cat.Courses, func(c vrrec.Course) bool { return c.CourseID == "95-729" })
	if len(cat.Courses) != len(def.Courses)+1 || i < 0 || cat.Courses[i].Description != "An overview of the technologies behind electronic commerce." || cat.Courses[i].Units != 6 ||
		cat.Courses[i].Department != "Heinz College of Information Systems and Public Policy" || !slices.Equal(cat.Courses[i].Prerequisites, []string{"95-712"}) {
		t.Errorf("stored %d courses (default %d); 95-729: %+v", len(cat.Courses), len(def.Courses), cat.Courses[max(i, 0)])
	}
	if log := strings.Join(job.Log, "\n"); !strings.Contains(log, "https://www.heinz.cmu.edu/courses: 2 courses read by the rules") || !strings.Contains(log, "draft "+rev.Version+" kept") {
		t.Errorf("log:\n%s", log)
	}
	e.search.Store(&fakeweb.Results{Results: []fakeweb.Result{{Title: "HoloChem Lab on Meta Quest", URL: "https://www.meta.com/experiences/holochem/",
		Content: "HoloChem Lab lets students mix chemicals safely in VR. $9.99. Meta Quest 3 and Meta Quest Pro."}}})
	job = e.run(t, jobs.TypeSearchApps)
	if job.State != vrrec.JobCompleted {
		t.Fatalf("search job: %+v", job)
	}
	cat, _ = e.draft(t)
	j := slices.IndexFunc(cat.Apps, func(a vrrec.VRApp) bool { return a.Name == "HoloChem Lab" })
	if len(cat.Apps) != len(def.Apps)+1 || j < 0 || cat.Apps[j].AppID != "holochem-lab" || cat.Apps[j].Price.String() != "$9.99" || cat.Apps[j].Category != "education" {
		t.Errorf("stored %d apps (default %d); HoloChem Lab at %d", len(cat.Apps), len(def.Apps), j)
	}
	if len(cat.Courses) != len(def.Courses)+1 {
		t.Errorf("the app search lost courses: %d", len(cat.Courses))
	}
	if e.reloads.Load() != 0 {
		t.Errorf("drafts rebuilt %d times: students must keep the live catalog", e.reloads.Load())
	}
	if v, err := e.db.CatalogVersion(context.Background()); err != nil || v != "" {
		t.Errorf("a source job published version %q, %v", v, err)
	}
}

// A refused key, a rate limit, a timeout or garbage ends the job failed,
// with a message staff can act on, and keeps no draft.
func TestSourceJobFailuresSaveNothing(t *testing.T) {
	e := newSourceEnv(t)
	e.page.Store(&fakeweb.Page{Markdown: heinzPage})
	if job := e.run(t, jobs.TypeScrapeCourses); job.State != vrrec.JobCompleted {
		t.Fatalf("first scrape: %+v", job)
	}
	_, before := e.draft(t)
	wrong := "fc-revoked"
	for _, tc := range []struct {
		name    string
		jobType string
		key     *string
		page    fakeweb.Page
		search  fakeweb.Results
		want    string
	}{
		{"firecrawl 401", jobs.TypeScrapeCourses, &wrong, fakeweb.Page{}, fakeweb.Results{}, "Firecrawl refused the API key (HTTP 401: Unauthorized: Invalid token): check FIRECRAWL_API_KEY"},
		{"firecrawl 429", jobs.TypeScrapeCourses, nil, fakeweb.Page{Reply: fakeweb.Reply{Status: 429, Error: "Rate limit exceeded", Header: http.Header{"Retry-After": {"45"}}}},
			fakeweb.Results{}, "Firecrawl's rate limit was reached (HTTP 429: Rate limit exceeded): start the job again in 45s"},
		{"firecrawl timeout", jobs.TypeScrapeCourses, nil, fakeweb.Page{Reply: fakeweb.Reply{Delay: 3 * time.Second}}, fakeweb.Results{}, "did not answer within 300ms"},
		{"firecrawl garbage", jobs.TypeScrapeCourses, nil, fakeweb.Page{Reply: fakeweb.Reply{Raw: "<html>502 Bad Gateway</html>"}}, fakeweb.Results{}, "not its JSON"},
		{"page without courses", jobs.TypeScrapeCourses, nil, fakeweb.Page{Markdown: "# Page moved\n\nThe catalog is now at another address."}, fakeweb.Results{},
			"no course found"},
		{"tavily 401", jobs.TypeSearchApps, &wrong, fakeweb.Page{}, fakeweb.Results{}, "Tavily refused the API key (HTTP 401: Unauthorized: missing or invalid API key.): check TAVILY_API_KEY"},
		{"tavily 429", jobs.TypeSearchApps, nil, fakeweb.Page{}, fakeweb.Results{Reply: fakeweb.Reply{Status: 429, Header: http.Header{"Retry-After": {"10"}}}}, "start the job again in 10s"},
		{"tavily 432", jobs.TypeSearchApps, nil, fakeweb.Page{}, fakeweb.Results{Reply: fakeweb.Reply{Status: 432, Error: "Plan limit"}}, "usage limit"},
		{"tavily garbage", jobs.TypeSearchApps, nil, fakeweb.Page{}, fakeweb.Results{Reply: fakeweb.Reply{Raw: `{"results": [`}}, "not its JSON"},
		{"tavily timeout", jobs.TypeSearchApps, nil, fakeweb.Page{}, fakeweb.Results{Reply: fakeweb.Reply{Delay: 3 * time.Second}}, "did not answer within 300ms"},
		{"search finds nothing", jobs.TypeSearchApps, nil, fakeweb.Page{}, fakeweb.Results{Results: []fakeweb.Result{}}, "found no new Meta Quest app"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := fakeweb.FirecrawlKey
			if tc.key != nil {
				key = *tc.key
			}
			e.key.Store(&key)
			e.page.Store(&tc.page)
			e.search.Store(&tc.search)
			reloads := e.reloads.Load()
			job := e.run(t, tc.jobType)
			if job.State != vrrec.JobFailed || !strings.Contains(job.Error, tc.want) {
				t.Errorf("job: state %s, error %q; want %q", job.State, job.Error, tc.want)
			}
			if revs, err := e.db.Revisions(context.Background()); err != nil || revs[0].Version != before.Version || len(revs) != 2 {
				t.Errorf("versions after the failure: %d, newest %s (was %s), %v", len(revs), revs[0].Version, before.Version, err)
			}
			if e.reloads.Load() != reloads {
				t.Error("a failed job rebuilt")
			}
		})
	}
}
