package live_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/live"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// versionEngine "builds" an engine that is the catalog's version, telling
// built about every build; a catalog without apps fails to build.
func versionEngine(built chan<- string) func(context.Context, *vrrec.Catalog, live.Progress) (string, error) {
	return func(_ context.Context, cat *vrrec.Catalog, _ live.Progress) (string, error) {
		if len(cat.Apps) == 0 {
			return "", errors.New("a catalog without apps")
		}
		v := catalog.Version(cat)
		if built != nil {
			built <- v
		}
		return v, nil
	}
}

func save(t *testing.T, db vrrec.CatalogStore, cat *vrrec.Catalog) string {
	t.Helper()
	v := catalog.Version(cat)
	if _, err := db.SaveCatalog(context.Background(), cat, v); err != nil {
		t.Fatal(err)
	}
	return v
}

// Watch loads a newly stored catalog at the next tick, not again while
// nothing changes, and keeps serving the current one when a load fails.
// Ticks are sent by hand: the loop takes the next one only after it has
// handled the last, so each send after the first proves one pass is over.
func TestWatchLoadsWhatIsStored(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := testenv.SQLite(t)
	built := make(chan string, 8)
	l := &live.Catalog[string]{Store: db, Log: quiet, Build: versionEngine(built)}
	cat, src, stored, err := live.Stored(ctx, db)
	if err != nil || src != live.SourceEmbedded || stored != "" {
		t.Fatalf("an empty store: %s %q %v, want the embedded default", src, stored, err)
	}
	if err := l.Start(ctx, cat, stored, src, func(*vrrec.Catalog) bool { return true }); err != nil {
		t.Fatal(err)
	}
	<-built
	ticks := make(chan time.Time)
	done := make(chan struct{})
	go func() { defer close(done); l.Watch(ctx, ticks) }()
	tick := func() { ticks <- time.Time{} }

	tick()
	tick()
	if len(built) != 0 {
		t.Fatalf("loaded %q with nothing stored", <-built)
	}
	smaller := testenv.DefaultCatalog(t)
	smaller.Apps = smaller.Apps[1:]
	v := save(t, db, smaller)
	tick()
	tick()
	if got := l.Current(); got.Engine != v || got.Version != v || got.Source != live.SourceStore || len(got.Catalog.Apps) != len(smaller.Apps) {
		t.Fatalf("after an import serving %+v, want version %s from the store", got, v)
	}
	tick()
	tick()
	if n := len(built); n != 1 {
		t.Errorf("%d builds for one import, want 1", n)
	}

	empty := testenv.DefaultCatalog(t)
	empty.Apps = nil
	save(t, db, empty)
	tick()
	tick()
	if got := l.Current().Version; got != v {
		t.Errorf("a failed load replaced the served catalog: %s, want %s", got, v)
	}
	cancel()
	<-done
}

// Start serves a stored catalog whose vectors are not ready by serving
// the embedded default first and loading the stored one in the background.
func TestStartServesTheDefaultWhileTheStoredCatalogLoads(t *testing.T) {
	ctx := context.Background()
	db := testenv.SQLite(t)
	cat := testenv.DefaultCatalog(t)
	cat.Apps = cat.Apps[2:]
	v := save(t, db, cat)
	def, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	built := make(chan string) // unbuffered: the background build waits here
	l := &live.Catalog[string]{Store: db, Log: quiet, Build: versionEngine(built)}
	start := make(chan error, 1)
	go func() { start <- l.Start(ctx, cat, v, live.SourceStore, func(*vrrec.Catalog) bool { return false }) }()
	if got := <-built; got != catalog.Version(def) {
		t.Fatalf("built %s first, want the embedded default %s", got, catalog.Version(def))
	}
	if err := <-start; err != nil {
		t.Fatal(err)
	}
	if got := l.Current(); got.Source != live.SourceEmbedded {
		t.Errorf("while the stored catalog loads serving %+v, want the embedded default", got)
	}
	if got := <-built; got != v {
		t.Fatalf("built %s in the background, want the stored %s", got, v)
	}
	l.Wait()
	if got := l.Current(); got.Version != v || got.Source != live.SourceStore {
		t.Errorf("after the background load serving %s (%s), want the stored %s", got.Version, got.Source, v)
	}

	// Ready vectors: the stored catalog is served at once, nothing else built.
	ready := &live.Catalog[string]{Store: db, Log: quiet, Build: versionEngine(nil)}
	if err := ready.Start(ctx, cat, v, live.SourceStore, func(*vrrec.Catalog) bool { return true }); err != nil {
		t.Fatal(err)
	}
	ready.Wait()
	if got := ready.Current().Version; got != v {
		t.Errorf("with its vectors ready serving %s, want %s", got, v)
	}
}

// A forced reload builds again even when the version is the same; an
// unreachable store is an error and keeps what is served.
func TestReloadForcedAndFailing(t *testing.T) {
	ctx := context.Background()
	db := testenv.SQLite(t)
	v := save(t, db, testenv.DefaultCatalog(t))
	built := make(chan string, 4)
	l := &live.Catalog[string]{Store: db, Log: quiet, Build: versionEngine(built)}
	for i, force := range []bool{false, false, true} {
		loaded, err := l.Reload(ctx, force, nil)
		if want := i != 1; err != nil || loaded != want {
			t.Errorf("reload %d (force %v): %v, %v; want loaded=%v", i, force, loaded, err, want)
		}
	}
	if len(built) != 2 {
		t.Errorf("%d builds, want 2", len(built))
	}
	db.Close()
	if _, err := l.Reload(ctx, true, nil); err == nil {
		t.Error("a reload from a closed store succeeded")
	}
	if got := l.Current().Version; got != v {
		t.Errorf("after a failed reload serving %s, want %s", got, v)
	}
}

// When the configured model has no vectors even of the embedded catalog
// (an embeddings server that does not answer), Start serves Interim's
// engine at once, says in the log what it waits for, and swaps the
// catalog in once Build succeeds; a failed build is tried again at the
// next tick.
func TestStartServesTheInterimEngineWhileVectorsAreComputed(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := testenv.SQLite(t)
	cat, src, stored, err := live.Stored(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	var logs testenv.LogBuffer
	release := make(chan struct{})
	var builds atomic.Int32
	l := &live.Catalog[string]{Store: db, Log: slog.New(slog.NewTextHandler(&logs, nil)), WaitLog: 10 * time.Millisecond,
		Build: func(ctx context.Context, c *vrrec.Catalog, _ live.Progress) (string, error) {
			if builds.Add(1) == 1 {
				return "", errors.New("embeddings service: context deadline exceeded")
			}
			select {
			case <-release:
				return "configured " + catalog.Version(c), nil
			case <-ctx.Done():
				return "", ctx.Err()
			}
		},
		Interim: func(_ context.Context, c *vrrec.Catalog) (string, error) { return "interim " + catalog.Version(c), nil },
	}
	if err := l.Start(ctx, cat, stored, src, func(*vrrec.Catalog) bool { return false }); err != nil {
		t.Fatal(err)
	}
	if got := l.Current(); !strings.HasPrefix(got.Engine, "interim ") || got.Source != live.SourceEmbedded {
		t.Fatalf("at start serving %+v, want the interim engine on the embedded catalog", got)
	}
	ticks := make(chan time.Time)
	go l.Watch(ctx, ticks)
	for !strings.Contains(logs.String(), "catalog not loaded; the watcher tries again") {
		time.Sleep(5 * time.Millisecond)
	}
	ticks <- time.Time{} // the retry, which waits for release
	for !strings.Contains(logs.String(), "waiting for the catalog's vectors") {
		time.Sleep(5 * time.Millisecond)
	}
	close(release)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.HasPrefix(l.Current().Engine, "configured ") {
		if time.Now().After(deadline) {
			t.Fatalf("never swapped in; logs:\n%s", logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	ticks <- time.Time{}
	ticks <- time.Time{}
	if n := builds.Load(); n != 2 {
		t.Errorf("%d builds, want 2 (one failed, one swapped in, none after)", n)
	}
}
