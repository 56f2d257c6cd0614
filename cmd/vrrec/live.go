package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/rag"
)

// progressFunc is told what a long step is doing and how far it is.
type progressFunc func(stage string, done, total int)

// loaded is the engine for one catalog version.
type loaded struct {
	eng     *rag.Engine
	cat     *vrrec.Catalog
	version string
	source  string
}

// liveCatalog is the catalog and engine being served. It reloads from the
// store when the stored version changes (another instance imported, or a
// job here did) and on demand (the rebuild job).
type liveCatalog struct {
	store vrrec.CatalogStore
	// build makes the engine (graph and vectors) for a catalog; progress, when
	// set, is told what it is doing.
	build func(ctx context.Context, cat *vrrec.Catalog, progress progressFunc) (*rag.Engine, error)
	log   *slog.Logger

	cur    atomic.Pointer[loaded]
	mu     sync.Mutex // one reload at a time
	stored string     // the stored version last loaded; "" for none
}

func (l *liveCatalog) current() *loaded { return l.cur.Load() }

// serve makes cat the served catalog; stored is its version in the store
// ("" when it is the embedded default).
func (l *liveCatalog) serve(ctx context.Context, cat *vrrec.Catalog, stored, source string, progress progressFunc) error {
	eng, err := l.build(ctx, cat, progress)
	if err != nil {
		return err
	}
	l.cur.Store(&loaded{eng: eng, cat: cat, version: catalog.Version(cat), source: source})
	l.stored = stored
	return nil
}

// start serves cat (stored is its version in the store, "" for the
// embedded default) at once when ready says its vectors are at hand. When
// they are not (an upgrade from a version without stored vectors, another
// MODEL_DIR), it serves the embedded default at once and builds cat in the
// background, so the service answers in a second rather than after a
// catalog's worth of embedding; the watcher's reload does the same if
// this one fails.
func (l *liveCatalog) start(ctx context.Context, cat *vrrec.Catalog, stored, source string, ready func(*vrrec.Catalog) bool) error {
	if stored == "" || ready(cat) {
		return l.serve(ctx, cat, stored, source, nil)
	}
	def, err := catalog.Default()
	if err != nil {
		return err
	}
	l.log.Warn("the stored catalog's vectors are not stored yet: serving the embedded catalog while they are computed", "version", stored)
	if err := l.serve(ctx, def, "", sourceEmbedded, nil); err != nil {
		return err
	}
	go func() {
		if _, err := l.reload(ctx, true, nil); err != nil {
			l.log.Error("stored catalog not loaded; the watcher tries again", "err", err)
		}
	}()
	return nil
}

// reload serves the stored catalog when its version differs from the one
// last loaded, or always when force is set. It reports whether it loaded.
func (l *liveCatalog) reload(ctx context.Context, force bool, progress progressFunc) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	v, err := l.store.CatalogVersion(ctx)
	if err != nil {
		return false, fmt.Errorf("catalog version: %w", err)
	}
	if !force && (v == "" || v == l.stored) {
		return false, nil
	}
	if progress != nil {
		progress("loading the stored catalog", 0, 1)
	}
	cat, source, version, err := storedCatalog(ctx, l.store)
	if err != nil {
		return false, err
	}
	start := time.Now()
	if err := l.serve(ctx, cat, version, source, progress); err != nil {
		return false, err
	}
	l.log.Info("catalog loaded", "version", catalog.Version(cat), "source", source, "apps", len(cat.Apps), "took", time.Since(start).String())
	return true, nil
}

// catalogPollInterval is how often serve checks for a newly imported catalog.
const catalogPollInterval = 5 * time.Second

// watch reloads the catalog whenever the stored version changes, until ctx
// ends. A failed load keeps the current engine and is tried again at the
// next poll.
func (l *liveCatalog) watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := l.reload(ctx, false, nil); err != nil && ctx.Err() == nil {
			l.log.Warn("catalog changed but could not be loaded; keeping the current one", "err", err)
		}
	}
}
