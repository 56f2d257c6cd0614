package jobs_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/jobs"
	"github.com/vrrec/vrrec/sqlite"
)

// slowSave holds SaveCatalog until released, as a large MongoDB save does.
type slowSave struct {
	*sqlite.DB
	saving  chan struct{}
	release chan struct{}
}

func (s slowSave) SaveCatalog(ctx context.Context, cat *vrrec.Catalog, version string) (bool, error) {
	close(s.saving)
	<-s.release
	if err := ctx.Err(); err != nil {
		return false, err // a save that heeded the cancel would stop half-way
	}
	return s.DB.SaveCatalog(ctx, cat, version)
}

// A cancel (or stop) while publishing does not cut the save: the catalog
// is stored whole, the job keeps its heartbeat, so no other job starts on
// top of it, and it ends as cancelled without rebuilding.
//
// It runs in a synctest bubble: heartbeats, sweeps and the wait below are on
// the bubble's clock, so a loaded machine cannot make a heartbeat late.
func TestCancelDuringPublishLetsTheSaveFinish(t *testing.T) {
	synctest.Test(t, testCancelDuringPublishLetsTheSaveFinish)
}

func testCancelDuringPublishLetsTheSaveFinish(t *testing.T) {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	db := testenv.SQLite(t)
	store := slowSave{DB: db, saving: make(chan struct{}), release: make(chan struct{})}
	fast := jobs.Options{CancelPoll: 10 * time.Millisecond, HeartbeatEvery: 20 * time.Millisecond, StaleAfter: 150 * time.Millisecond}
	r := jobs.New(ctx, db, fast)
	go r.SweepStale(ctx, 20*time.Millisecond)
	reloads := 0
	data := &jobs.Data{History: &catalog.History{Store: store}, Current: func() *vrrec.Catalog { return testenv.DefaultCatalog(t) },
		Reload: func(context.Context, *jobs.Run) error { reloads++; return nil }}
	apps := `[{"app_id": "cubism", "name": "Cubism", "category": "entertainment", "description": "Spatial puzzles"}]`
	job, err := r.Start(ctx, jobs.TypeImport, nil, data.Import(map[string][]byte{"vr_apps.json": []byte(apps)}, nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := waitState(t, db, job.ID); got.State != vrrec.JobCompleted {
		t.Fatalf("import: %+v", got)
	}
	revs, err := db.Revisions(ctx)
	if err != nil || len(revs) != 2 {
		t.Fatalf("after the import: %d versions, %v", len(revs), err)
	}
	publish, _, err := data.Publish(ctx, revs[0].Version, "staff", vrrec.PublishConfirm{})
	if err != nil {
		t.Fatal(err)
	}
	job, err = r.Start(ctx, jobs.TypePublish, nil, publish)
	if err != nil {
		t.Fatal(err)
	}
	<-store.saving
	if err := r.Cancel(ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // over three StaleAfter periods, the save still running
	other := jobs.New(ctx, db, fast)
	if _, err := other.Start(ctx, jobs.TypeRebuild, nil, func(context.Context, *jobs.Run) error { return nil }); vrrec.ErrorCode(err) != vrrec.ECONFLICT {
		t.Errorf("a job started while the cancelled one was still saving: %v", err)
	}
	close(store.release)
	got := waitState(t, db, job.ID)
	r.Wait()
	if got.State != vrrec.JobCancelled {
		t.Errorf("job: %+v", got)
	}
	cat, version, err := db.LoadCatalog(ctx)
	if err != nil || len(cat.Apps) != 1 || version != catalog.Version(cat) || version != revs[0].Version {
		t.Errorf("stored after the cancelled publish: %v apps, version %q, %v", len(cat.Apps), version, err)
	}
	if reloads != 0 {
		t.Errorf("rebuilt %d times after the cancel", reloads)
	}
}
