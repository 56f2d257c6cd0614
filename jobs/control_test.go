package jobs_test

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/jobs"
	"github.com/vrrec/vrrec/sources"
	"github.com/vrrec/vrrec/sqlite"
	"github.com/vrrec/vrrec/webfetch"
)

// newControl is a Control over a real SQLite store serving the default
// catalog; reloads counts its rebuilds. Call it inside a synctest bubble.
func newControl(t *testing.T) (context.Context, *sqlite.DB, jobs.Control, *int) {
	ctx, stop := context.WithCancel(context.Background())
	db := testenv.SQLite(t)
	r := jobs.New(ctx, db, jobs.Options{})
	t.Cleanup(func() { stop(); r.Wait() })
	reloads := new(int)
	return ctx, db, jobs.Control{Runner: r, Data: &jobs.Data{History: &catalog.History{Store: db}, Current: func() *vrrec.Catalog { return testenv.DefaultCatalog(t) },
		Reload: func(context.Context, *jobs.Run) error { *reloads++; return nil },
		// No source URL configured, as on a fresh install.
		Sources: func(jobType string) (sources.Source, error) {
			return sources.NewUpstream("", map[string]string{jobs.TypeUpdateCourses: catalog.CoursesFile, jobs.TypeUpdateApps: catalog.AppsFile}[jobType], &webfetch.Client{})
		},
	}}, reloads
}

// Control reads uploads before it starts anything: a file that cannot be
// read at all is EINVALID and starts no job; row problems come back in the
// report at once, by file and row, and the job imports the rest.
func TestControlImportReadsUploadsFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, db, c, reloads := newControl(t)

		for name, files := range map[string]map[string][]byte{
			"unknown file": {"students.json": []byte("[]")},
			"not an array": {"vr_apps.json": []byte(`{"apps": 1}`)},
			"no files":     {},
		} {
			job, report, err := c.Import(ctx, files, nil)
			if vrrec.ErrorCode(err) != vrrec.EINVALID || job.ID != "" || report != nil {
				t.Errorf("%s: job %+v, report %v, err %v; want EINVALID and nothing", name, job, report, err)
			}
		}
		if started, _ := db.Jobs(ctx, 5); len(started) != 0 {
			t.Fatalf("unreadable uploads started jobs: %+v", started)
		}

		courses := "course_id,title,department,description\n95-888,Data-Focused Python,Heinz College,Python\n,No id,Heinz College,x\n"
		job, report, err := c.Import(ctx, map[string][]byte{"courses.csv": []byte(courses)}, nil)
		if err != nil || job.Type != jobs.TypeImport || job.Params["files"] != "courses.csv" {
			t.Fatalf("import: %+v, %v", job, err)
		}
		rep, ok := report.(*catalog.Report)
		if !ok || rep.Read["courses.csv"] != 2 || rep.Kept["courses.csv"] != 1 {
			t.Fatalf("report: %T, read %v, kept %v", report, rep.Read, rep.Kept)
		}
		if p := rep.Problems[0]; p.File != "courses.csv" || p.Index != 1 || p.Reason != "missing course_id" {
			t.Errorf("first problem: %+v, want courses.csv row 1 missing its course_id", p)
		}
		if got := waitState(t, db, job.ID); got.State != vrrec.JobCompleted || *reloads != 0 {
			t.Errorf("import job: %+v, %d reloads", got, *reloads)
		}
		live, list, err := c.Versions(ctx)
		entries, _ := list.([]catalog.Entry)
		if err != nil || len(entries) != 2 || entries[0].State != catalog.StateDraft || entries[0].Counts.Courses != 1 ||
			live != catalog.Version(testenv.DefaultCatalog(t)) {
			t.Fatalf("versions after the import: %v, %v", list, err)
		}
		job, err = c.Publish(ctx, entries[0].Version, vrrec.PublishConfirm{})
		if err != nil {
			t.Fatal(err)
		}
		if got := waitState(t, db, job.ID); got.State != vrrec.JobCompleted || *reloads != 1 || got.Params["version"] != entries[0].Version {
			t.Errorf("publish job: %+v, %d reloads", got, *reloads)
		}
		stored, _, err := db.LoadCatalog(ctx)
		if err != nil || len(stored.Courses) != 1 {
			t.Fatalf("stored after publishing: %v", err)
		}
		// Current serves the default catalog here (Reload does not swap it).
		status := c.Status(ctx)
		if status["updated_at"] == nil || status["store_error"] != nil || status["catalog_version"] != catalog.Version(testenv.DefaultCatalog(t)) {
			t.Errorf("status after publishing: %v", status)
		}
	})
}

// An update with no source configured is EINVALID and starts nothing; with
// the database down the status says so instead of a date.
func TestControlWithoutSourceOrDatabase(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, db, c, _ := newControl(t)
		for _, update := range []func(context.Context) (vrrec.Job, error){c.UpdateCourses, c.UpdateApps} {
			if _, err := update(ctx); vrrec.ErrorCode(err) != vrrec.EINVALID || !strings.Contains(err.Error(), "CATALOG_SOURCE_URL") {
				t.Errorf("update without a source: %v", err)
			}
		}
		if started, _ := db.Jobs(ctx, 5); len(started) != 0 {
			t.Fatalf("an update without a source started jobs: %+v", started)
		}
		db.Close()
		if status := c.Status(ctx); status["store_error"] == nil || status["updated_at"] != nil || status["counts"] == nil {
			t.Errorf("status with the database down: %v", status)
		}
	})
}
