package embedding_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/vrrec/vrrec/embedding"
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

func TestCacheEmbedsOnlyWhatChanged(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "vectors.gob")
	cache, err := embedding.OpenCache(path)
	if err != nil {
		t.Fatal(err)
	}
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
	if err := cache.Save(); err != nil {
		t.Fatal(err)
	}

	// A restart keeps the vectors; after Save only texts used since the
	// previous Save remain, so the file does not grow with stale ones.
	reopened, err := embedding.OpenCache(path)
	if err != nil {
		t.Fatal(err)
	}
	if reopened.Len() != 4 {
		t.Errorf("reopened cache holds %d vectors, want 4", reopened.Len())
	}
	e2 := &countingEmbedder{name: "m1"}
	if _, fresh, _ := reopened.Embed(ctx, e2, []string{"a", "ccc"}); fresh != 0 {
		t.Errorf("after restart %d texts were embedded again", fresh)
	}
	if err := reopened.Save(); err != nil {
		t.Fatal(err)
	}
	if reopened.Len() != 2 {
		t.Errorf("stale vectors kept: %d, want 2", reopened.Len())
	}
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

func TestOpenCacheRejectsCorruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vectors.gob")
	if err := writeFile(path, "garbage"); err != nil {
		t.Fatal(err)
	}
	if _, err := embedding.OpenCache(path); err == nil {
		t.Error("a corrupt cache file must be reported")
	}
}

func writeFile(path, data string) error { return os.WriteFile(path, []byte(data), 0o644) }
