package mongo_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/internal/storetest"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/mongo"
	"github.com/vrrec/vrrec/sqlite"
)

// open connects to a fresh database on a MongoDB-wire server.
func open(t *testing.T) *mongo.DB { return testenv.MongoDB(t) }

func TestContracts(t *testing.T) { storetest.All(t, open) }

// TestUpstreamImportMatchesSQLite imports the old system's catalog into
// both backends and reads back the same counts.
func TestUpstreamImportMatchesSQLite(t *testing.T) {
	cat, _, err := catalog.ReadDir(os.DirFS(testenv.UpstreamData(t)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	lite, err := sqlite.Open(ctx, t.TempDir()+"/vrrec.db")
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	mg := open(t)
	version := catalog.Version(cat)
	counts := func(s vrrec.CatalogStore) [5]int {
		if _, err := s.SaveCatalog(ctx, cat, version); err != nil {
			t.Fatal(err)
		}
		got, v, err := s.LoadCatalog(ctx)
		if err != nil || v != version {
			t.Fatalf("load: %q %v", v, err)
		}
		if catalog.Version(got) != version {
			t.Errorf("%T changed the catalog on the way through", s)
		}
		return [5]int{len(got.Courses), len(got.Apps), len(got.Skills), len(got.CourseSkills), len(got.AppSkills)}
	}
	a, b := counts(lite), counts(mg)
	if a != b || a[0] != 455 {
		t.Errorf("sqlite %v, mongo %v", a, b)
	}
}

func TestStaleJobLockIsTakenOver(t *testing.T) {
	db := testenv.MongoDB(t)
	storetest.StaleJobLock(t, db, func(jobID string) {
		// A crash after marking the job finished, before the lock was released.
		if err := db.LeaveJobLockForTest(context.Background(), jobID); err != nil {
			t.Fatal(err)
		}
	})
}

// TestSummaryResumesACutOffRun checks that a summarising run cut off
// between its writes (MongoDB has no transaction to hold them together)
// is finished by the next one, each interaction counted once.
func TestSummaryResumesACutOffRun(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	for _, summarized := range []bool{false, true} {
		db := open(t)
		var items []vrrec.Interaction
		for i := range 4 {
			items = append(items, vrrec.Interaction{ID: fmt.Sprint("i", i), UserID: fmt.Sprint("u", i%2), Intent: "recommendation",
				Apps: []string{"cubism"}, LatencyMS: float64(10 * (i + 1)), Time: at.Add(time.Duration(i) * time.Minute)})
		}
		if err := db.Record(ctx, items...); err != nil {
			t.Fatal(err)
		}
		want, _ := db.Stats(ctx, time.Time{})
		if err := db.LeaveFoldForTest(ctx, "cut-off", summarized, "i0", "i1"); err != nil {
			t.Fatal(err)
		}
		n, err := db.ExpireInteractions(ctx, at.AddDate(0, 0, 1))
		if err != nil || n != 4 {
			t.Fatalf("summarized %v: expired %d, %v; want 4", summarized, n, err)
		}
		got, err := db.Stats(ctx, time.Time{})
		if err != nil || got.Total != 4 || got.AvgLatencyMS != want.AvgLatencyMS || got.P95LatencyMS != want.P95LatencyMS ||
			got.Apps[0] != (vrrec.Count{Key: "cubism", Count: 4}) {
			t.Errorf("summarized %v: stats %+v, %v; want %+v", summarized, got, err, want)
		}
	}
}
