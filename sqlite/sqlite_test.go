package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/internal/fixture"
	"github.com/vrrec/vrrec/internal/storetest"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/sqlite"
)

func open(t *testing.T) *sqlite.DB { return testenv.SQLite(t) }

func TestContracts(t *testing.T) { storetest.All(t, open) }

func TestReopenKeepsDataAndMigrationsRunOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vrrec.db")
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	db.Record(ctx, vrrec.Interaction{ID: "a", UserID: "u", Time: time.Now()})
	db.Close()
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen (migrations must not run twice): %v", err)
	}
	defer db.Close()
	if _, total, _ := db.Interactions(ctx, vrrec.InteractionFilter{}); total != 1 {
		t.Errorf("%d interactions after reopening, want 1", total)
	}
}

func TestConcurrentWriters(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 400)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				errs <- db.Record(ctx, vrrec.Interaction{ID: fmt.Sprintf("%d-%d", w, i), UserID: "u", Time: time.Now()})
				errs <- db.Append(ctx, "u", fmt.Sprint(w), vrrec.Message{Role: vrrec.RoleUser, Content: "x", Time: time.Now()})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, total, _ := db.Interactions(ctx, vrrec.InteractionFilter{}); total != 200 {
		t.Errorf("%d interactions, want 200", total)
	}
}

func TestFinishedJobFreesTheSlot(t *testing.T) { storetest.StaleJobLock(t, open(t), nil) }

func TestAppColumnsReadPriceAndFacets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vrrec.db")
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	cat := fixture.Small()
	cat.Apps[0].Facets = storetest.EveryFacet()
	cat.Apps[1].Price = vrrec.Price{Note: "sold to institutions"}
	if _, err := db.SaveCatalog(ctx, cat, "v1"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var kind, note, facets string
	if err := raw.QueryRowContext(ctx, `SELECT price_kind, price_note, json_extract(facets, '$.players.max') FROM apps WHERE app_id = ?`, cat.Apps[1].AppID).Scan(&kind, &note, &facets); err != nil {
		t.Fatal(err)
	}
	if kind != "unknown" || note != "sold to institutions" || facets != "unknown" {
		t.Errorf("app without facets reads %q, %q, max players %q", kind, note, facets)
	}
	if err := raw.QueryRowContext(ctx, `SELECT json_extract(facets, '$.comfort') || ' ' || json_extract(facets, '$.players.max') FROM apps WHERE app_id = ?`, cat.Apps[0].AppID).Scan(&facets); err != nil {
		t.Fatal(err)
	}
	if facets != "intense 6" {
		t.Errorf("facets of an app with all known read %q", facets)
	}
	// A row written before facets existed reads as unknown, in SQL and loaded.
	if _, err := raw.ExecContext(ctx, `INSERT INTO apps (app_id, pos, category, data) VALUES ('old', 99, 'education', '{"app_id":"old","name":"Old","price":"$9.99"}')`); err != nil {
		t.Fatal(err)
	}
	if err := raw.QueryRowContext(ctx, `SELECT price_kind || ' ' || facets FROM apps WHERE app_id = 'old'`).Scan(&facets); err != nil || facets != "unknown {}" {
		t.Errorf("old row reads %q, %v", facets, err)
	}
	raw.Close()
	if db, err = sqlite.Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	loaded, _, err := db.LoadCatalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	old := loaded.Apps[len(loaded.Apps)-1]
	if old.AppID != "old" || !reflect.DeepEqual(old.Facets, vrrec.Facets{}) || old.Price != (vrrec.Price{Kind: vrrec.PriceOneTime, Amount: 9.99, Currency: "USD"}) {
		t.Errorf("old row loads as %+v", old)
	}
}

// Every migration has a number of its own: two with one number would
// leave the second unapplied (the runner records numbers).
func TestMigrationNumbersAreUnique(t *testing.T) {
	entries, err := os.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, e := range entries {
		n, _, _ := strings.Cut(e.Name(), "_")
		if other, ok := seen[n]; ok {
			t.Errorf("%s and %s share the number %s", other, e.Name(), n)
		}
		seen[n] = e.Name()
	}
}
