package testenv

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/bert/minilm"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/embedding"
	"github.com/vrrec/vrrec/graph"
	"github.com/vrrec/vrrec/rag"
	"github.com/vrrec/vrrec/sqlite"
)

// Embedder returns the built-in sentence model, as vrrec uses by default.
func Embedder(tb testing.TB) vrrec.Embedder {
	tb.Helper()
	e, err := minilm.Load()
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// sharedVectors is a vector store every test process of this machine
// shares (in the user's cache directory, or the temporary one), so a
// catalog such as the old system's (1,100 texts) is embedded once, not by
// every test binary. Vectors are keyed by model (with a hash of its
// weights) and text, so a stale entry can never be read.
var sharedVectors = sync.OnceValues(func() (vrrec.VectorStore, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	path := filepath.Join(dir, "vrrec-test", "vectors.db")
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		// A store another checkout migrated differently (a branch whose
		// migrations were numbered otherwise) is only a cache: start anew.
		_ = os.Remove(path)
		db, err = sqlite.Open(context.Background(), path)
	}
	return db, err
})

// VectorCache returns a cache for emb in front of the shared test store,
// with the embedded catalog's vectors preloaded.
func VectorCache(tb testing.TB, emb vrrec.Embedder) *embedding.Cache {
	tb.Helper()
	c := embedding.NewCache()
	if store, err := sharedVectors(); err == nil {
		c.WithStore(store, slog.New(slog.DiscardHandler))
	} else {
		tb.Logf("no shared vector store (%v): embedding in memory", err)
	}
	if model, vecs, err := catalog.DefaultVectors(); err != nil {
		tb.Fatal(err)
	} else if model == emb.Name() {
		c.Preload(model, vecs)
	}
	return c
}

// Engine builds a recommender for cat as vrrec does by default: in-memory
// graph, the built-in model.
func Engine(tb testing.TB, cat *vrrec.Catalog) *rag.Engine {
	tb.Helper()
	emb := Embedder(tb)
	eng, _, err := rag.New(context.Background(), cat, catalog.Version(cat), graph.New(cat), emb, VectorCache(tb, emb), rag.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return eng
}

var defaultEngine = sync.OnceValues(func() (*rag.Engine, error) {
	cat, err := catalog.Default()
	if err != nil {
		return nil, err
	}
	emb, err := minilm.Load()
	if err != nil {
		return nil, err
	}
	c := embedding.NewCache()
	model, vecs, err := catalog.DefaultVectors()
	if err != nil {
		return nil, err
	}
	c.Preload(model, vecs)
	eng, _, err := rag.New(context.Background(), cat, catalog.Version(cat), graph.New(cat), emb, c, rag.Options{})
	return eng, err
})

// DefaultEngine is the recommender on the embedded catalog, built once per
// test binary; it is immutable, so tests share it. A nil tb panics on a
// failure instead of failing a test.
func DefaultEngine(tb testing.TB) *rag.Engine {
	eng, err := defaultEngine()
	if err != nil {
		if tb == nil {
			panic(err)
		}
		tb.Fatal(err)
	}
	return eng
}

// DefaultCatalog returns a fresh copy of the embedded catalog, which a test
// may change.
func DefaultCatalog(tb testing.TB) *vrrec.Catalog {
	tb.Helper()
	cat, err := catalog.Default()
	if err != nil {
		tb.Fatal(err)
	}
	return cat
}
