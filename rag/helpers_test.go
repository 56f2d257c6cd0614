package rag_test

import (
	"context"
	"sync"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/graph"
)

// countingEmbedder counts the texts it is asked to embed.
type countingEmbedder struct {
	vrrec.Embedder
	mu    sync.Mutex
	texts int
}

func (c *countingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	c.mu.Lock()
	c.texts += len(texts)
	c.mu.Unlock()
	return c.Embedder.Embed(ctx, texts)
}

func graphOf(cat *vrrec.Catalog) vrrec.Graph { return graph.New(cat) }
