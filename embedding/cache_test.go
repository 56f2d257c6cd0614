package embedding_test

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/embedding"
	"github.com/vrrec/vrrec/sqlite"
)

// countingEmbedder records every text it is asked to embed.
type countingEmbedder struct {
	name string
	mu   sync.Mutex
	seen []string
	fail bool
}

func (c *countingEmbedder) Name() string { return c.name }

func (c *countingEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail {
		return nil, errors.New("service down")
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		c.seen = append(c.seen, t)
		out[i] = []float32{float32(len(t)), 1}
	}
	return out, nil
}

func TestCacheEmbedsEachTextOnce(t *testing.T) {
	ctx := context.Background()
	cache := embedding.NewCache()
	e := &countingEmbedder{name: "m1"}
	vecs, fresh, err := cache.Embed(ctx, e, []string{"a", "bb", "a"})
	if err != nil || fresh != 2 || len(vecs) != 3 || vecs[2][0] != 1 || vecs[1][0] != 2 {
		t.Fatalf("first embed: %v fresh=%d vecs=%v", err, fresh, vecs)
	}
	if _, fresh, _ = cache.Embed(ctx, e, []string{"bb", "ccc"}); fresh != 1 {
		t.Errorf("second embed computed %d texts, want only the new one", fresh)
	}
	if len(e.seen) != 3 {
		t.Errorf("embedder saw %q, want each distinct text once", e.seen)
	}
	// Another model never reuses m1's vectors.
	if _, fresh, _ = cache.Embed(ctx, &countingEmbedder{name: "m2"}, []string{"a"}); fresh != 1 {
		t.Error("a different model reused cached vectors")
	}
}

// A store shared by processes: what one embedded, the next reads, and
// progress counts only texts embedded anew.
func TestCacheReadsAndFillsTheStore(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	texts := make([]string, 150) // more than one batch
	for i := range texts {
		texts[i] = string(rune('a'+i%26)) + string(rune('A'+i/26))
	}
	e := &countingEmbedder{name: "m1"}
	var calls [][2]int
	first, fresh, err := embedding.NewCache().WithStore(db, nil).EmbedProgress(ctx, e, texts, func(done, total int) { calls = append(calls, [2]int{done, total}) })
	if err != nil || fresh != len(texts) {
		t.Fatalf("first process: fresh %d, %v", fresh, err)
	}
	if len(calls) != 3 || calls[2] != [2]int{150, 150} {
		t.Errorf("progress calls %v, want three batches ending at 150/150", calls)
	}
	e2 := &countingEmbedder{name: "m1"}
	again, fresh, err := embedding.NewCache().WithStore(db, nil).Embed(ctx, e2, append(texts, "new"))
	if err != nil || fresh != 1 || len(e2.seen) != 1 {
		t.Fatalf("second process embedded %d texts (%q), %v; want only the new one", fresh, e2.seen, err)
	}
	if !reflect.DeepEqual(again[:len(texts)], first) {
		t.Error("vectors read from the store differ from those embedded")
	}
}

// A store that fails costs embedding time, never the answer.
func TestCacheSurvivesABrokenStore(t *testing.T) {
	cache := embedding.NewCache().WithStore(brokenStore{}, nil)
	vecs, fresh, err := cache.Embed(context.Background(), &countingEmbedder{name: "m"}, []string{"x", "yy"})
	if err != nil || fresh != 2 || vecs[1][0] != 2 {
		t.Fatalf("with a broken store: %v, %d, %v", vecs, fresh, err)
	}
}

type brokenStore struct{}

func (brokenStore) Vectors(context.Context, string, []string) (map[string][]float32, error) {
	return nil, errors.New("disk on fire")
}
func (brokenStore) SaveVectors(context.Context, string, map[string][]float32) error {
	return errors.New("disk on fire")
}

func TestCacheReportsEmbedderFailure(t *testing.T) {
	cache := embedding.NewCache()
	_, _, err := cache.Embed(context.Background(), &countingEmbedder{name: "m", fail: true}, []string{"x"})
	if err == nil {
		t.Fatal("want the embedder's error")
	}
	if cache.Len() != 0 {
		t.Error("a failed embed left vectors behind")
	}
}

func TestCachePreloadedVectorsAreUsed(t *testing.T) {
	cache := embedding.NewCache()
	cache.Preload("m", map[string][]float32{vrrec.TextKey("known"): {7, 7}})
	e := &countingEmbedder{name: "m"}
	vecs, fresh, err := cache.Embed(context.Background(), e, []string{"known", "other"})
	if err != nil || fresh != 1 || vecs[0][0] != 7 || len(e.seen) != 1 || e.seen[0] != "other" {
		t.Errorf("preloaded vector not used: %v, fresh %d, embedded %q, %v", vecs, fresh, e.seen, err)
	}
}
