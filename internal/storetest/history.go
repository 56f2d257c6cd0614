package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/internal/fixture"
)

// History checks catalog.History on a backend: drafts leave students'
// catalog alone, publishing changes it, an earlier revision can be
// published again (a rollback), and old revisions are pruned.
func History(t *testing.T, open func(t *testing.T) catalog.HistoryStore) {
	ctx := context.Background()
	clock := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	tick := func() time.Time { clock = clock.Add(time.Minute); return clock }
	s := open(t)
	h := &catalog.History{Store: s, Keep: 4, Now: tick}
	def, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	states := func() map[string]string {
		t.Helper()
		entries, _, err := h.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, e := range entries {
			m[e.Version] = e.State
		}
		return m
	}
	stored := func() string {
		t.Helper()
		v, err := s.CatalogVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	if entries, live, err := h.List(ctx); err != nil || len(entries) != 0 || live != catalog.Version(def) {
		t.Fatalf("a fresh store: %v, live %q, %v; want no revisions, the embedded default live", entries, live, err)
	}
	a := fixture.Small()
	revA, existed, err := h.Draft(ctx, a, vrrec.Revision{Origin: "upload", CreatedBy: "admin", Summary: "three apps"})
	if err != nil || existed || revA.Version != catalog.Version(a) || revA.Base != catalog.Version(def) || revA.Counts.Apps != 3 {
		t.Fatalf("draft A: %+v, existed %v, %v", revA, existed, err)
	}
	if v := stored(); v != "" {
		t.Errorf("a draft changed what students get: stored version %q", v)
	}
	if got := states(); got[revA.Version] != catalog.StateDraft || got[catalog.Version(def)] != catalog.StateLive || len(got) != 2 {
		t.Errorf("after the first draft: %v; want A draft, the embedded default live", got)
	}
	diff, live, err := h.Compare(ctx, revA.Version)
	// The fixture shares some app ids with the default.
	shared := 3 - len(diff.Apps.Added)
	if err != nil || live != catalog.Version(def) || shared < 0 || len(diff.Apps.Removed) != len(def.Apps)-shared || diff.Empty() {
		t.Errorf("A against the default: %s (live %q), %v", diff.Summary(), live, err)
	}

	if changed, err := h.Publish(ctx, revA.Version, "admin"); err != nil || !changed {
		t.Fatalf("publish A: %v, %v", changed, err)
	}
	if v := stored(); v != revA.Version {
		t.Errorf("after publishing A students get %q, want %q", v, revA.Version)
	}
	b := fixture.Small()
	b.Apps[0].Description = "A puzzle game of glowing cubes."
	b.Apps = b.Apps[:2]
	b.AppSkills = nil
	revB, _, err := h.Draft(ctx, b, vrrec.Revision{Origin: "skill extraction", CreatedBy: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	if diff, _, err := h.Compare(ctx, revB.Version); err != nil || len(diff.Apps.Removed) != 1 || len(diff.Apps.Changed) != 1 ||
		diff.Apps.Changed[0].Fields[0] != "description" || diff.Empty() {
		t.Errorf("B against A: %+v, %v", diff, err)
	}
	if _, err := h.Publish(ctx, revB.Version, "admin"); err != nil {
		t.Fatal(err)
	}
	if got := states(); got[revA.Version] != catalog.StateEarlier || got[revB.Version] != catalog.StateLive ||
		got[catalog.Version(def)] != catalog.StateEarlier {
		t.Errorf("after publishing B: %v", got)
	}
	// Rollback: A again.
	if changed, err := h.Publish(ctx, revA.Version, "admin"); err != nil || !changed {
		t.Fatalf("roll back to A: %v, %v", changed, err)
	}
	if got, v, err := s.LoadCatalog(ctx); err != nil || v != revA.Version || len(got.Apps) != 3 {
		t.Errorf("after the rollback: %q with %d apps, %v", v, len(got.Apps), err)
	}
	// The live catalog again is no new draft.
	if rev, existed, err := h.Draft(ctx, fixture.Small(), vrrec.Revision{Origin: "cli import", CreatedBy: "cli"}); err != nil || !existed || rev.Origin != "upload" {
		t.Errorf("drafting the live catalog again: %+v, existed %v, %v", rev, existed, err)
	}
	if _, err := h.Publish(ctx, "not-kept", "admin"); vrrec.ErrorCode(err) != vrrec.ENOTFOUND {
		t.Errorf("publishing a version not kept: %v, want ENOTFOUND", err)
	}

	// Pruning keeps Keep revisions, the live one among them.
	for i := range 4 {
		c := fixture.Small()
		c.Apps[1].Rating = float64(i + 1)
		if _, _, err := h.Draft(ctx, c, vrrec.Revision{Origin: "upload", CreatedBy: "admin"}); err != nil {
			t.Fatal(err)
		}
	}
	got := states()
	if len(got) != 4 || got[revA.Version] != catalog.StateLive {
		t.Errorf("after four more drafts with Keep 4: %v; want 4 kept, A live among them", got)
	}
}
