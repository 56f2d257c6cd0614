package storetest

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/internal/fixture"
)

// Revisions checks a vrrec.RevisionStore.
func Revisions(t *testing.T, open func(t *testing.T) vrrec.RevisionStore) {
	ctx := context.Background()
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	t.Run("empty store", func(t *testing.T) {
		s := open(t)
		if revs, err := s.Revisions(ctx); err != nil || len(revs) != 0 {
			t.Errorf("revisions of an empty store: %v, %v", revs, err)
		}
		if _, _, err := s.LoadRevision(ctx, "nope"); vrrec.ErrorCode(err) != vrrec.ENOTFOUND {
			t.Errorf("load of a revision not kept: %v, want ENOTFOUND", err)
		}
		if err := s.MarkPublished(ctx, "nope", "staff", at); vrrec.ErrorCode(err) != vrrec.ENOTFOUND {
			t.Errorf("publishing a revision not kept: %v, want ENOTFOUND", err)
		}
		if err := s.DeleteRevision(ctx, "nope"); err != nil {
			t.Errorf("deleting a revision not kept: %v", err)
		}
	})
	t.Run("save, list, load, publish, delete", func(t *testing.T) {
		s := open(t)
		cat := fixture.Small()
		cat.Apps[0].Features, cat.Apps[0].Price = []string{"Puzzles"}, vrrec.Price{Kind: vrrec.PriceOneTime, Amount: 9.99, Currency: "USD"}
		cat.Apps[0].Facets, cat.Apps[1].Price = EveryFacet(), vrrec.Price{Note: "not verified"}
		first := vrrec.Revision{Version: "v1", Origin: "upload", CreatedBy: "admin", CreatedAt: at, Summary: "3 apps",
			Counts: vrrec.CountCatalog(cat), Quality: json.RawMessage(`{"sets":[{"set":"default","worse":2}]}`)}
		got, existed, err := s.SaveRevision(ctx, first, cat)
		if err != nil || existed || !reflect.DeepEqual(got, first) {
			t.Fatalf("first save: %+v, existed %v, %v", got, existed, err)
		}
		smaller := fixture.Small()
		smaller.Apps = smaller.Apps[:1]
		second := vrrec.Revision{Version: "v2", Origin: "skill extraction", CreatedBy: "admin", CreatedAt: at.Add(time.Minute), Base: "v1",
			Counts: vrrec.CountCatalog(smaller)}
		if _, _, err := s.SaveRevision(ctx, second, smaller); err != nil {
			t.Fatal(err)
		}
		// The same version again keeps the first record and catalog.
		again := second
		again.Origin, again.CreatedAt = "cli import", at.Add(time.Hour)
		got, existed, err = s.SaveRevision(ctx, again, cat)
		if err != nil || !existed || !reflect.DeepEqual(got, second) {
			t.Errorf("saving a kept version again: %+v, existed %v, %v; want the kept record", got, existed, err)
		}
		revs, err := s.Revisions(ctx)
		if err != nil || len(revs) != 2 || revs[0].Version != "v2" || revs[1].Version != "v1" {
			t.Fatalf("revisions, newest first: %+v, %v", revs, err)
		}
		if !reflect.DeepEqual(revs[1], first) {
			t.Errorf("listed record %+v, want %+v", revs[1], first)
		}
		loaded, rev, err := s.LoadRevision(ctx, "v2")
		if err != nil || !reflect.DeepEqual(loaded, smaller) || !reflect.DeepEqual(rev, second) {
			t.Errorf("load v2: %+v %+v, %v", loaded, rev, err)
		}
		publishedAt := at.Add(2 * time.Hour)
		if err := s.MarkPublished(ctx, "v1", "staff", publishedAt); err != nil {
			t.Fatal(err)
		}
		_, rev, err = s.LoadRevision(ctx, "v1")
		if err != nil || !rev.PublishedAt.Equal(publishedAt) || rev.PublishedBy != "staff" || rev.Origin != "upload" {
			t.Errorf("after publishing: %+v, %v", rev, err)
		}
		if err := s.DeleteRevision(ctx, "v1"); err != nil {
			t.Fatal(err)
		}
		if revs, err := s.Revisions(ctx); err != nil || len(revs) != 1 || revs[0].Version != "v2" {
			t.Errorf("after deleting v1: %+v, %v", revs, err)
		}
	})
}
