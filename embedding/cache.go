package embedding

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/vrrec/vrrec"
)

// BatchSize is the most texts sent to an embedder in one call.
const BatchSize = 64

// Cache remembers vectors by model and text, so each text is embedded once
// per model. Behind the memory it may have vectors shipped with the binary
// (Preload) and a vrrec.VectorStore shared by every process (WithStore):
// vectors embedded anew are saved there batch by batch, so an interrupted
// catalog embedding resumes where it stopped. Safe for concurrent use.
type Cache struct {
	store vrrec.VectorStore
	log   *slog.Logger

	mu   sync.Mutex
	vecs map[string][]float32 // key(model, text) -> vector
}

// NewCache returns a cache kept in memory only.
func NewCache() *Cache {
	return &Cache{vecs: map[string][]float32{}, log: slog.New(slog.DiscardHandler)}
}

// WithStore makes the cache read the vectors it lacks from store and save
// there those it embeds. A store that fails is logged and skipped: texts
// are then embedded, never lost.
func (c *Cache) WithStore(store vrrec.VectorStore, log *slog.Logger) *Cache {
	c.store = store
	if log != nil {
		c.log = log
	}
	return c
}

// Preload adds vectors of a model, keyed by vrrec.TextKey of their texts.
func (c *Cache) Preload(model string, vecs map[string][]float32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, v := range vecs {
		c.vecs[model+"\x00"+k] = v
	}
}

func key(model, text string) string { return model + "\x00" + vrrec.TextKey(text) }

// Embed returns the vectors of texts from e, asking e only for texts the
// cache and its store lack under e.Name(), in batches of BatchSize. It
// reports how many texts were embedded anew.
func (c *Cache) Embed(ctx context.Context, e vrrec.Embedder, texts []string) ([][]float32, int, error) {
	return c.EmbedProgress(ctx, e, texts, nil)
}

// EmbedProgress is Embed telling progress, when set, how many of the texts
// to embed anew are done after each batch.
func (c *Cache) EmbedProgress(ctx context.Context, e vrrec.Embedder, texts []string, progress func(done, total int)) ([][]float32, int, error) {
	model := e.Name()
	out := make([][]float32, len(texts))
	// Identical texts are looked up and embedded once.
	missing := map[string][]int{}
	var order []string
	c.mu.Lock()
	for i, t := range texts {
		if v, ok := c.vecs[key(model, t)]; ok {
			out[i] = v
			continue
		}
		if missing[t] == nil {
			order = append(order, t)
		}
		missing[t] = append(missing[t], i)
	}
	c.mu.Unlock()

	fill := func(t string, v []float32) {
		c.mu.Lock()
		c.vecs[key(model, t)] = v
		c.mu.Unlock()
		for _, i := range missing[t] {
			out[i] = v
		}
	}
	if c.store != nil && len(order) > 0 {
		keys := make([]string, len(order))
		for i, t := range order {
			keys[i] = vrrec.TextKey(t)
		}
		stored, err := c.store.Vectors(ctx, model, keys)
		if err != nil {
			c.log.WarnContext(ctx, "vector store unreadable, embedding instead", "model", model, "err", err)
		}
		rest := order[:0:0]
		for i, t := range order {
			if v, ok := stored[keys[i]]; ok {
				fill(t, v)
			} else {
				rest = append(rest, t)
			}
		}
		order = rest
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
		save := make(map[string][]float32, len(batch))
		for j, t := range batch {
			fill(t, vecs[j])
			save[vrrec.TextKey(t)] = vecs[j]
		}
		if c.store != nil {
			if err := c.store.SaveVectors(ctx, model, save); err != nil {
				c.log.WarnContext(ctx, "vectors not saved to the store", "model", model, "err", err)
			}
		}
		if progress != nil {
			progress(start+len(batch), len(order))
		}
	}
	return out, len(order), nil
}

// Len returns the number of vectors in memory.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.vecs)
}
