package mongo_test

import (
	"context"
	"os"
	"testing"

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
	srv := testenv.StartMongo(t)
	db, err := mongo.Open(context.Background(), srv.URI, srv.Database)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	storetest.StaleJobLock(t, db, func(jobID string) {
		// A crash after marking the job finished, before the lock was released.
		if err := db.LeaveJobLockForTest(context.Background(), jobID); err != nil {
			t.Fatal(err)
		}
	})
}
