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
	"github.com/vrrec/vrrec/mongo"
	"github.com/vrrec/vrrec/openai"
	"github.com/vrrec/vrrec/rag"
	"github.com/vrrec/vrrec/sqlite"
)

// vectorCacheFile keeps a remote embedder's vectors across restarts.
const vectorCacheFile = "vectors.gob"

// newEngine builds the recommender for a catalog with the configured embedder.
// g is the knowledge graph of cat: graph.New(cat), or the server's Neo4j
// with that as fallback.
func newEngine(ctx context.Context, cfg config.Config, log *slog.Logger, cat *vrrec.Catalog, g vrrec.Graph, opts rag.Options) (*rag.Engine, error) {
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
	eng, stats, err := rag.New(ctx, cat, catalog.Version(cat), g, emb, cache, opts)
	if err != nil {
		return nil, err
	}
	if err := cache.Save(); err != nil {
		log.Warn("vector cache not saved", "err", err)
	}
	log.Debug("index built", "embedder", emb.Name(), "texts", stats.Texts, "embedded", stats.Embedded, "took", stats.Took)
	return eng, nil
}

// databaseFile is the embedded database under DATA_DIR.
const databaseFile = "vrrec.db"

// database is every store vrrec keeps: SQLite by default, MongoDB when
// MONGODB_URI is set.
type database interface {
	vrrec.Store
	Ping(ctx context.Context) error
	Close() error
}

// openDB opens MongoDB when MONGODB_URI is set, else the embedded SQLite
// database under DATA_DIR.
func openDB(ctx context.Context, cfg config.Config) (database, error) {
	if cfg.MongoDBURI != "" {
		return mongo.Open(ctx, cfg.MongoDBURI, cfg.MongoDB)
	}
	return sqlite.Open(ctx, filepath.Join(cfg.DataDir, databaseFile))
}

// describeDB names the database for people.
func describeDB(cfg config.Config) string {
	if cfg.MongoDBURI != "" {
		return "mongodb database " + cfg.MongoDB
	}
	return filepath.Join(cfg.DataDir, databaseFile)
}

// Where a catalog came from.
const (
	sourceEmbedded = "embedded default"
	sourceStore    = "imported"
)

// openCatalog returns the catalog in dir (upstream format) when dir is given,
// else the one imported into the database, else the embedded default.
func openCatalog(ctx context.Context, cfg config.Config, dir string) (*vrrec.Catalog, string, error) {
	if dir != "" {
		cat, rep, err := catalog.ReadDir(os.DirFS(dir))
		if err != nil {
			return nil, "", err
		}
		return cat, fmt.Sprintf("%s (%d rows dropped)", dir, rep.Count(catalog.Dropped)), nil
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return nil, "", err
	}
	defer db.Close()
	cat, src, _, err := storedCatalog(ctx, db)
	return cat, src, err
}

// storedCatalog returns the imported catalog and its stored version, or the
// embedded default (version "") when nothing was imported.
func storedCatalog(ctx context.Context, store vrrec.CatalogStore) (*vrrec.Catalog, string, string, error) {
	cat, version, err := store.LoadCatalog(ctx)
	if vrrec.ErrorCode(err) == vrrec.ENOTFOUND {
		cat, err = catalog.Default()
		return cat, sourceEmbedded, "", err
	}
	if err != nil {
		return nil, "", "", err
	}
	return cat, sourceStore, version, nil
}
