package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/config"
	"github.com/vrrec/vrrec/embedding"
	"github.com/vrrec/vrrec/graph"
	"github.com/vrrec/vrrec/openai"
	"github.com/vrrec/vrrec/rag"
)

// vectorCacheFile keeps a remote embedder's vectors across restarts.
const vectorCacheFile = "vectors.gob"

// newEngine builds the recommender for a catalog with the configured embedder.
func newEngine(ctx context.Context, cfg config.Config, log *slog.Logger, cat *vrrec.Catalog) (*rag.Engine, error) {
	var (
		emb   vrrec.Embedder
		cache = embedding.NewCache()
	)
	switch cfg.Embedder {
	case config.EmbedderOpenAI:
		e, err := openai.NewEmbedder(openai.EmbedderConfig{
			BaseURL: cfg.EmbeddingBaseURL, APIKey: cfg.EmbeddingAPIKey,
			Model: cfg.EmbeddingModel, Timeout: cfg.EmbeddingTimeout,
		})
		if err != nil {
			return nil, err
		}
		emb = e
		if cache, err = embedding.OpenCache(filepath.Join(cfg.DataDir, vectorCacheFile)); err != nil {
			return nil, err
		}
	default:
		emb = rag.TrainOffline(cat, embedding.Options{})
	}
	eng, stats, err := rag.New(ctx, cat, catalog.Version(cat), graph.New(cat), emb, cache, rag.Options{})
	if err != nil {
		return nil, err
	}
	if err := cache.Save(); err != nil {
		log.Warn("vector cache not saved", "err", err)
	}
	log.Debug("index built", "embedder", emb.Name(), "texts", stats.Texts, "embedded", stats.Embedded, "took", stats.Took)
	return eng, nil
}

// openCatalog returns the catalog in dir (upstream format) when dir is given,
// else the one imported under DATA_DIR, else the embedded default.
func openCatalog(cfg config.Config, dir string) (*vrrec.Catalog, string, error) {
	if dir != "" {
		cat, rep, err := catalog.ReadDir(os.DirFS(dir))
		if err != nil {
			return nil, "", err
		}
		return cat, fmt.Sprintf("%s (%d rows dropped)", dir, rep.Count(catalog.Dropped)), nil
	}
	cat, src, err := catalog.Open(cfg.DataDir)
	if err != nil {
		return nil, "", err
	}
	return cat, string(src), nil
}
