// Package live holds the catalog being served and the engine built for it,
// and moves to a new one when the stored catalog changes: another instance
// imported, or a job here did. A failed load keeps what is served.
package live

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
)

// Where a served catalog came from.
const (
	SourceEmbedded = "embedded default"
	SourceStore    = "imported"
)

// Progress is told what a long step is doing and how far it is.
type Progress func(stage string, done, total int)

// Loaded is one catalog version and the engine built for it.
type Loaded[E any] struct {
	Engine  E
	Catalog *vrrec.Catalog
	Version string
	Source  string // SourceEmbedded or SourceStore
}

// Catalog is the catalog and engine being served. E is the engine type
// (the recommender in production).
type Catalog[E any] struct {
	Store vrrec.CatalogStore
	// Build makes the engine for a catalog; progress, when set, is told
	// what it is doing.
	Build func(ctx context.Context, cat *vrrec.Catalog, progress Progress) (E, error)
	// Interim, when set, makes an engine for the embedded catalog at once
	// (with the built-in model, whose vectors of it ship in the binary):
	// Start serves it while Build computes the vectors it needs, so a slow
	// or unreachable embeddings server never keeps the service from
	// answering.
	Interim func(ctx context.Context, cat *vrrec.Catalog) (E, error)
	Log     *slog.Logger
	// WaitLog is how often the log says what a start still waits for
	// (default 5 s).
	WaitLog time.Duration

	cur        atomic.Pointer[Loaded[E]]
	mu         sync.Mutex    // one load at a time
	stored     string        // the stored version last loaded; "" for none
	pending    atomic.Bool   // a start's catalog is not served yet
	loaded     chan struct{} // closed when it is
	background sync.WaitGroup
}

// Current is what is served; nil before Start.
func (l *Catalog[E]) Current() *Loaded[E] { return l.cur.Load() }

func (l *Catalog[E]) serve(ctx context.Context, cat *vrrec.Catalog, stored, source string, progress Progress) error {
	eng, err := l.Build(ctx, cat, progress)
	if err != nil {
		return err
	}
	l.cur.Store(&Loaded[E]{Engine: eng, Catalog: cat, Version: catalog.Version(cat), Source: source})
	l.stored = stored
	return nil
}

// Start serves cat (stored is its version in the store, "" for the
// embedded default) at once when ready says its vectors are at hand. When
// they are not (an upgrade from a version without stored vectors, another
// MODEL_DIR, an embeddings server that is slow or does not answer), it
// serves the embedded catalog at once (with Interim's engine when the
// configured model has no vectors of it either) and loads cat in the
// background, logging every WaitLog what it waits for; it swaps cat in
// when its vectors are computed. Watch tries again at each tick while
// that fails.
func (l *Catalog[E]) Start(ctx context.Context, cat *vrrec.Catalog, stored, source string, ready func(*vrrec.Catalog) bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if ready(cat) {
		return l.serve(ctx, cat, stored, source, nil)
	}
	def, err := catalog.Default()
	if err != nil {
		return err
	}
	switch {
	case stored != "" && (l.Interim == nil || ready(def)):
		l.Log.Warn("the stored catalog's vectors are not stored yet: serving the embedded catalog while they are computed", "version", stored)
		if err := l.serve(ctx, def, "", SourceEmbedded, nil); err != nil {
			return err
		}
	case l.Interim != nil:
		l.Log.Warn("the catalog's vectors are not at hand for the configured model: serving the embedded catalog with the built-in model while they are computed",
			"catalog", source, "version", catalog.Version(cat))
		eng, err := l.Interim(ctx, def)
		if err != nil {
			return err
		}
		l.cur.Store(&Loaded[E]{Engine: eng, Catalog: def, Version: catalog.Version(def), Source: SourceEmbedded})
		l.stored = ""
	default:
		return l.serve(ctx, cat, stored, source, nil)
	}
	l.pending.Store(true)
	l.loaded = make(chan struct{})
	l.background.Go(func() { l.logWaiting(ctx, source, l.loaded) })
	l.background.Go(func() {
		if _, err := l.Reload(ctx, true, nil); err != nil && ctx.Err() == nil {
			l.Log.Error("catalog not loaded; the watcher tries again", "err", err)
		}
	})
	return nil
}

// logWaiting says every WaitLog, while a start's catalog is not served
// yet, what the service waits for.
func (l *Catalog[E]) logWaiting(ctx context.Context, source string, loaded <-chan struct{}) {
	every := l.WaitLog
	if every <= 0 {
		every = 5 * time.Second
	}
	start := time.Now()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-loaded:
			return
		case <-t.C:
		}
		l.Log.Info("waiting for the catalog's vectors from the configured model; serving the embedded catalog meanwhile",
			"catalog", source, "waited", time.Since(start).Round(time.Second).String())
	}
}

// Wait returns once the background load Start began is over (cancel
// Start's ctx to cut it short).
func (l *Catalog[E]) Wait() { l.background.Wait() }

// Reload serves the stored catalog when its version differs from the one
// last loaded, or always when force is set. It reports whether it loaded.
func (l *Catalog[E]) Reload(ctx context.Context, force bool, progress Progress) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	v, err := l.Store.CatalogVersion(ctx)
	if err != nil {
		return false, fmt.Errorf("catalog version: %w", err)
	}
	if !force && !l.pending.Load() && (v == "" || v == l.stored) {
		return false, nil
	}
	if progress != nil {
		progress("loading the stored catalog", 0, 1)
	}
	cat, source, version, err := Stored(ctx, l.Store)
	if err != nil {
		return false, err
	}
	start := time.Now()
	if err := l.serve(ctx, cat, version, source, progress); err != nil {
		return false, err
	}
	if l.pending.CompareAndSwap(true, false) {
		close(l.loaded)
	}
	l.Log.Info("catalog loaded", "version", catalog.Version(cat), "source", source, "apps", len(cat.Apps), "took", time.Since(start).String())
	return true, nil
}

// Watch loads the stored catalog at every tick when its version changed,
// until ctx ends. A failed load keeps the current engine and is tried
// again at the next tick.
func (l *Catalog[E]) Watch(ctx context.Context, ticks <-chan time.Time) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticks:
		}
		if _, err := l.Reload(ctx, false, nil); err != nil && ctx.Err() == nil {
			l.Log.Warn("catalog changed but could not be loaded; keeping the current one", "err", err)
		}
	}
}

// Stored returns the imported catalog, its source and its stored version,
// or the embedded default (version "") when nothing was imported.
func Stored(ctx context.Context, store vrrec.CatalogStore) (cat *vrrec.Catalog, source, version string, err error) {
	cat, version, err = store.LoadCatalog(ctx)
	if vrrec.ErrorCode(err) == vrrec.ENOTFOUND {
		cat, err = catalog.Default()
		return cat, SourceEmbedded, "", err
	}
	if err != nil {
		return nil, "", "", fmt.Errorf("load the stored catalog: %w", err)
	}
	return cat, SourceStore, version, nil
}
