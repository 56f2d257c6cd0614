package jobs_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/eval"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/jobs"
)

type versionStore interface {
	vrrec.JobStore
	catalog.HistoryStore
}

// Every change is a draft: students keep the live catalog until staff
// publish, a draft that scores worse needs a confirmation, a rollback
// brings the earlier catalog back, on both backends.
func TestDraftsPublishAndRollBack(t *testing.T) {
	for name, open := range map[string]func(t *testing.T) versionStore{
		"sqlite":  func(t *testing.T) versionStore { return testenv.SQLite(t) },
		"mongodb": func(t *testing.T) versionStore { return testenv.MongoDB(t) },
	} {
		t.Run(name, func(t *testing.T) { checkDrafts(t, open(t)) })
	}
}

func checkDrafts(t *testing.T, store versionStore) {
	ctx := context.Background()
	sets, err := eval.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	r := jobs.New(ctx, store, jobs.Options{})
	t.Cleanup(r.Wait)
	reloads := 0
	data := &jobs.Data{History: &catalog.History{Store: store},
		Reload: func(context.Context, *jobs.Run) error { reloads++; return nil },
		Engine: func(_ context.Context, cat *vrrec.Catalog, _ func(done, total int)) (vrrec.Recommender, error) {
			return testenv.Engine(t, cat), nil
		},
		// A slice of the labeled set keeps the test quick under -race.
		Sets: func(context.Context) (map[string]*eval.Set, error) {
			return map[string]*eval.Set{"default": {Catalog: "default", Queries: sets["default"].Queries[:40]}}, nil
		},
	}
	run := func(jobType string, fn jobs.Func) vrrec.Job {
		t.Helper()
		job, err := r.Start(ctx, jobType, nil, fn)
		if err != nil {
			t.Fatal(err)
		}
		return waitState(t, store, job.ID)
	}
	live := func() string {
		t.Helper()
		v, err := store.CatalogVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	// The upload (vr_apps.json replaces the apps) drops a third of the
	// apps and adds one: a draft, measured worse than the embedded default.
	def := testenv.DefaultCatalog(t)
	uploaded := append(slices.Clone(def.Apps[:2*len(def.Apps)/3]),
		vrrec.VRApp{AppID: "new-app", Name: "Origami Master VR", Category: "education", Description: "Fold paper cranes and boxes step by step."})
	apps, err := json.Marshal(uploaded)
	if err != nil {
		t.Fatal(err)
	}
	job := run(jobs.TypeImport, data.Import(map[string][]byte{"vr_apps.json": apps}, nil))
	if job.State != vrrec.JobCompleted {
		t.Fatalf("import job: %+v", job)
	}
	log := strings.Join(job.Log, "\n")
	if v := live(); v != "" || reloads != 0 {
		t.Fatalf("the upload changed what students get: stored version %q, %d reloads\n%s", v, reloads, log)
	}
	for _, want := range []string{"changes against the live catalog: apps +1", "quality on the default queries (", "draft "} {
		if !strings.Contains(log, want) {
			t.Errorf("the job log lacks %q:\n%s", want, log)
		}
	}
	entries, _, err := data.History.List(ctx)
	if err != nil || len(entries) != 2 || entries[0].State != catalog.StateDraft || len(entries[0].Quality) == 0 {
		t.Fatalf("after the upload: %d versions, %v; want a measured draft and the default", len(entries), err)
	}
	draft := entries[0]
	if draft.Base != catalog.Version(def) || draft.Counts.Apps != len(uploaded) {
		t.Errorf("draft of version %s on %s with %d apps; want based on %s with %d", draft.Version, draft.Base, draft.Counts.Apps,
			catalog.Version(def), len(uploaded))
	}

	// An extraction builds on the draft, not on the live catalog.
	data.Extractor = nil
	cat, err := data.Base(ctx)
	if err != nil || catalog.Version(cat) != draft.Version {
		t.Errorf("jobs build on %v, %v; want the draft %s", catalog.Version(cat), err, draft.Version)
	}

	// A third of the apps are gone: the draft scores worse, and publishing
	// it needs a confirmation.
	if _, _, err := data.Publish(ctx, draft.Version, "admin", vrrec.PublishConfirm{}); vrrec.ErrorCode(err) != vrrec.EINVALID ||
		!strings.Contains(vrrec.ErrorMessage(err), "confirm") {
		t.Fatalf("publishing a worse draft without confirmation: %v", err)
	}
	fn, _, err := data.Publish(ctx, draft.Version, "admin", vrrec.PublishConfirm{Worse: true})
	if err != nil {
		t.Fatal(err)
	}
	if job := run(jobs.TypePublish, fn); job.State != vrrec.JobCompleted || live() != draft.Version || reloads != 1 {
		t.Fatalf("publish: %+v; live %q, %d reloads", job, live(), reloads)
	}
	got, _, err := store.LoadCatalog(ctx)
	if err != nil || len(got.Apps) != len(uploaded) {
		t.Fatalf("students get %d apps after publishing, %v", len(got.Apps), err)
	}

	// Roll back to the embedded default, which is kept as the first version.
	fn, _, err = data.Publish(ctx, catalog.Version(def), "admin", vrrec.PublishConfirm{})
	if err != nil {
		t.Fatal(err)
	}
	if job := run(jobs.TypePublish, fn); job.State != vrrec.JobCompleted || live() != catalog.Version(def) {
		t.Fatalf("rollback: %+v; live %q", job, live())
	}
	if err := data.Discard(ctx, catalog.Version(def)); vrrec.ErrorCode(err) != vrrec.EINVALID {
		t.Errorf("discarding the live catalog: %v", err)
	}
	if err := data.Discard(ctx, draft.Version); vrrec.ErrorCode(err) != vrrec.EINVALID {
		t.Errorf("discarding a version once published: %v", err)
	}
	// A fresh draft can be discarded.
	job = run(jobs.TypeImport, data.Import(map[string][]byte{"vr_apps.json": []byte(`[{"app_id": "x-app", "name": "X", "category": "education", "description": "Learn chemistry with molecules you can hold."}]`)}, nil))
	entries, _, _ = data.History.List(ctx)
	if job.State != vrrec.JobCompleted || entries[0].State != catalog.StateDraft {
		t.Fatalf("second upload: %+v, %+v", job, entries)
	}
	// No labeled query names its one app: its quality is unknown, not
	// worse, and publishing it needs that confirmed.
	var q eval.Quality
	if err := json.Unmarshal(entries[0].Quality, &q); err != nil || !q.Unknown() || q.Worsened || !strings.Contains(q.Sets[0].Note, eval.NotLabeled) {
		t.Errorf("quality of a draft no label names: %s, %v", entries[0].Quality, err)
	}
	if _, _, err := data.Publish(ctx, entries[0].Version, "admin", vrrec.PublishConfirm{Worse: true}); vrrec.ErrorCode(err) != vrrec.EINVALID ||
		!strings.Contains(vrrec.ErrorMessage(err), "unknown, not worse") {
		t.Errorf("publishing a draft of unknown quality without that confirmed: %v", err)
	}
	if _, _, err := data.Publish(ctx, entries[0].Version, "admin", vrrec.PublishConfirm{Unknown: true}); err != nil {
		t.Errorf("publishing a draft of unknown quality, confirmed: %v", err)
	}
	// Its import report is kept with it, page by page and as CSV.
	page, err := jobs.Control{Data: data}.ImportReport(ctx, entries[0].Version, 0, 10)
	if p, ok := page.(catalog.ReportPage); err != nil || !ok || p.Read[catalog.AppsFile] != 1 || p.Kept[catalog.AppsFile] != 1 {
		t.Errorf("the draft's import report: %+v, %v", page, err)
	}

	// A labeled query file sent with the files measures the draft too.
	queries := &eval.Set{Queries: []eval.Query{{Query: "molecules for chemistry class", Relevant: []string{"y-app", def.Apps[0].AppID}}}}
	job = run(jobs.TypeImport, data.Import(map[string][]byte{"vr_apps.json": []byte(`[{"app_id": "y-app", "name": "Y", "category": "education", "description": "Build molecules for chemistry class."}]`)}, queries))
	entries, _, _ = data.History.List(ctx)
	q = eval.Quality{}
	if err := json.Unmarshal(entries[0].Quality, &q); job.State != vrrec.JobCompleted || err != nil {
		t.Fatalf("upload with a query file: %+v, %v", job, err)
	}
	if i := slices.IndexFunc(q.Sets, func(d eval.Delta) bool { return d.Set == eval.Uploaded }); i < 0 || q.Sets[i].Queries != 1 || q.Unknown() {
		t.Errorf("quality with an uploaded query file: %s", entries[0].Quality)
	}
	if err := data.Discard(ctx, entries[0].Version); err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.LoadRevision(ctx, entries[0].Version); vrrec.ErrorCode(err) != vrrec.ENOTFOUND {
		t.Errorf("the discarded draft is still kept: %v", err)
	}
}
