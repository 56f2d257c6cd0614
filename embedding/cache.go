package embedding

import (
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/vrrec/vrrec"
)

// BatchSize is the most texts sent to an embedder in one call.
const BatchSize = 128

// Cache remembers vectors by model name and text, so a catalog change
// re-embeds only the texts that changed. With a path it survives restarts,
// which matters for paid remote embedders. Safe for concurrent use.
type Cache struct {
	path string

	mu      sync.Mutex
	vecs    map[string][]float32
	touched map[string]bool
}

// NewCache returns a cache kept in memory only.
func NewCache() *Cache {
	return &Cache{vecs: map[string][]float32{}, touched: map[string]bool{}}
}

// OpenCache returns a cache persisted at path, loading what an earlier Save
// wrote there. A missing file is an empty cache; an unreadable one is an error.
func OpenCache(path string) (*Cache, error) {
	c := NewCache()
	c.path = path
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open vector cache: %w", err)
	}
	defer f.Close()
	if err := gob.NewDecoder(f).Decode(&c.vecs); err != nil {
		return nil, fmt.Errorf("read vector cache %s: %w", path, err)
	}
	return c, nil
}

func key(model, text string) string { return model + "\x00" + text }

// Embed returns the vectors of texts from e, asking e only for texts not
// cached under e.Name(), in batches of BatchSize. It reports how many texts
// were embedded anew.
func (c *Cache) Embed(ctx context.Context, e vrrec.Embedder, texts []string) ([][]float32, int, error) {
	model := e.Name()
	out := make([][]float32, len(texts))
	var missing []int
	c.mu.Lock()
	for i, t := range texts {
		k := key(model, t)
		c.touched[k] = true
		if v, ok := c.vecs[k]; ok {
			out[i] = v
		} else {
			missing = append(missing, i)
		}
	}
	c.mu.Unlock()

	// Identical texts in one call are embedded once.
	unique := map[string][]int{}
	var order []string
	for _, i := range missing {
		if unique[texts[i]] == nil {
			order = append(order, texts[i])
		}
		unique[texts[i]] = append(unique[texts[i]], i)
	}
	for start := 0; start < len(order); start += BatchSize {
		batch := order[start:min(start+BatchSize, len(order))]
		vecs, err := e.Embed(ctx, batch)
		if err != nil {
			return nil, 0, fmt.Errorf("embed %d texts with %s: %w", len(batch), model, err)
		}
		if len(vecs) != len(batch) {
			return nil, 0, fmt.Errorf("embed with %s: got %d vectors for %d texts", model, len(vecs), len(batch))
		}
		c.mu.Lock()
		for j, t := range batch {
			c.vecs[key(model, t)] = vecs[j]
			for _, i := range unique[t] {
				out[i] = vecs[j]
			}
		}
		c.mu.Unlock()
	}
	return out, len(order), nil
}

// Save writes the vectors used since the last Save to the cache file, so the
// file holds the current catalog's vectors and nothing stale. Without a path
// it only forgets the stale vectors.
func (c *Cache) Save() error {
	c.mu.Lock()
	for k := range c.vecs {
		if !c.touched[k] {
			delete(c.vecs, k)
		}
	}
	c.touched = map[string]bool{}
	snapshot := make(map[string][]float32, len(c.vecs))
	for k, v := range c.vecs {
		snapshot[k] = v
	}
	c.mu.Unlock()
	if c.path == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o755); err != nil {
		return fmt.Errorf("save vector cache: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(c.path), filepath.Base(c.path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("save vector cache: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := gob.NewEncoder(tmp).Encode(snapshot); err != nil {
		tmp.Close()
		return fmt.Errorf("save vector cache: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save vector cache: %w", err)
	}
	if err := os.Rename(tmp.Name(), c.path); err != nil {
		return fmt.Errorf("save vector cache: %w", err)
	}
	return nil
}

// Len returns the number of cached vectors.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.vecs)
}
