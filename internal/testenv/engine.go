package testenv

import (
	"context"
	"sync"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/embedding"
	"github.com/vrrec/vrrec/graph"
	"github.com/vrrec/vrrec/rag"
)

// Engine builds a recommender for cat as vrrec does by default: in-memory
// graph, offline embedder trained on the catalog.
func Engine(tb testing.TB, cat *vrrec.Catalog) *rag.Engine {
	tb.Helper()
	eng, _, err := rag.New(context.Background(), cat, catalog.Version(cat), graph.New(cat),
		rag.TrainOffline(cat, embedding.Options{}), embedding.NewCache(), rag.Options{})
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
	eng, _, err := rag.New(context.Background(), cat, catalog.Version(cat), graph.New(cat),
		rag.TrainOffline(cat, embedding.Options{}), embedding.NewCache(), rag.Options{})
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
