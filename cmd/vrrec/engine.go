package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/bert"
	"github.com/vrrec/vrrec/bert/minilm"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/config"
	"github.com/vrrec/vrrec/embedding"
	"github.com/vrrec/vrrec/graph"
	"github.com/vrrec/vrrec/live"
	"github.com/vrrec/vrrec/mongo"
	"github.com/vrrec/vrrec/openai"
	"github.com/vrrec/vrrec/rag"
	"github.com/vrrec/vrrec/sqlite"
)

// newEmbedder returns the configured sentence model: the built-in
// all-MiniLM-L6-v2, a BERT-family model in MODEL_DIR, or an
// OpenAI-compatible service.
func newEmbedder(cfg config.Config) (vrrec.Embedder, error) {
	switch {
	case cfg.Embedder == config.EmbedderOpenAI:
		return openai.NewEmbedder(openai.EmbedderConfig{
			BaseURL: cfg.EmbeddingBaseURL, APIKey: cfg.EmbeddingAPIKey,
			Model: cfg.EmbeddingModel, Timeout: cfg.EmbeddingTimeout,
		})
	case cfg.ModelDir != "":
		e, err := bert.Load(cfg.ModelDir)
		if err != nil {
			return nil, fmt.Errorf("MODEL_DIR: %w", err)
		}
		return e, nil
	}
	return minilm.Load()
}

// newVectorCache returns the cache of catalog vectors for emb: the
// embedded catalog's vectors when emb is the model that computed them, in
// front of store (nil: nothing kept across processes).
func newVectorCache(emb vrrec.Embedder, store vrrec.VectorStore, log *slog.Logger) *embedding.Cache {
	c := embedding.NewCache()
	if store != nil {
		c.WithStore(store, log)
	}
	if model, vecs, err := catalog.DefaultVectors(); err != nil {
		log.Warn("embedded catalog vectors unreadable", "err", err)
	} else if model == emb.Name() {
		c.Preload(model, vecs)
	}
	return c
}

// vectorsStored reports whether every text the recommender indexes of cat
// has a vector of emb in store (or shipped with the binary).
func vectorsStored(ctx context.Context, store vrrec.VectorStore, emb vrrec.Embedder, cat *vrrec.Catalog) bool {
	texts := rag.IndexTexts(cat)
	shipped := map[string]bool{}
	if model, vecs, err := catalog.DefaultVectors(); err == nil && model == emb.Name() {
		for k := range vecs {
			shipped[k] = true
		}
	}
	var keys []string
	seen := map[string]bool{}
	for _, t := range texts {
		if k := vrrec.TextKey(t); !shipped[k] && !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return true
	}
	got, err := store.Vectors(ctx, emb.Name(), keys)
	return err == nil && len(got) == len(keys)
}

// newEngine builds the recommender for a catalog. g is the knowledge graph
// of cat: graph.New(cat), or the server's Neo4j with that as fallback.
func newEngine(ctx context.Context, log *slog.Logger, cat *vrrec.Catalog, g vrrec.Graph, emb vrrec.Embedder, cache *embedding.Cache, opts rag.Options) (*rag.Engine, error) {
	eng, stats, err := rag.New(ctx, cat, catalog.Version(cat), g, emb, cache, opts)
	if err != nil {
		return nil, err
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

// openCatalog returns the catalog in dir (upstream format) when dir is given,
// else the one imported into the database, else the embedded default.
func openCatalog(ctx context.Context, db vrrec.CatalogStore, dir string) (*vrrec.Catalog, string, error) {
	if dir != "" {
		cat, rep, err := readCatalogDir(dir)
		if err != nil {
			return nil, "", err
		}
		return cat, fmt.Sprintf("%s (%d rows dropped)", dir, rep.Count(catalog.Dropped)), nil
	}
	cat, src, _, err := live.Stored(ctx, db)
	return cat, src, err
}

// readCatalogDir reads the upstream-format catalog in dir; its errors name
// the directory.
func readCatalogDir(dir string) (*vrrec.Catalog, *catalog.Report, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, nil, fmt.Errorf("catalog directory %s: no such directory (want one holding %s)", dir, strings.Join(catalog.Files, ", "))
	}
	cat, rep, err := catalog.ReadDir(os.DirFS(dir))
	if err != nil {
		return nil, nil, fmt.Errorf("catalog directory %s: %w", dir, err)
	}
	return cat, rep, nil
}

// cliEngine builds the recommender a command uses: on the catalog in dir
// (upstream format) or the stored one, with the configured model, and the
// database as its vector store, so a catalog is embedded once, with a
// progress bar on w. closeDB closes the database.
func cliEngine(ctx context.Context, cfg config.Config, log *slog.Logger, dir string, w io.Writer, opts rag.Options) (eng *rag.Engine, cat *vrrec.Catalog, source string, closeDB func(), err error) {
	db, err := openDB(ctx, cfg)
	if err != nil {
		return nil, nil, "", nil, err
	}
	defer func() {
		if err != nil {
			db.Close()
		}
	}()
	if cat, source, err = openCatalog(ctx, db, dir); err != nil {
		return nil, nil, "", nil, err
	}
	emb, err := newEmbedder(cfg)
	if err != nil {
		return nil, nil, "", nil, err
	}
	opts.Progress = embedProgress(w, emb)
	eng, err = newEngine(ctx, log, cat, graph.New(cat), emb, newVectorCache(emb, db, log), opts)
	if err != nil {
		return nil, nil, "", nil, err
	}
	return eng, cat, source, func() { db.Close() }, nil
}

// embedProgress returns a progress callback that announces the catalog
// embedding on w and draws a progress bar (it is only called when texts are
// embedded anew).
func embedProgress(w io.Writer, emb vrrec.Embedder) func(done, total int) {
	report, end := progressPrinter(w)
	return func(done, total int) {
		if done <= embedding.BatchSize {
			fmt.Fprintf(w, "embedding %d catalog texts with %s (once: the vectors are stored)\n", total, emb.Name())
		}
		report(done, 0, total)
		if done == total {
			end()
		}
	}
}

// storeVectors embeds what the recommender indexes of cat with emb and
// stores the vectors in db, with progress on w, so every process that loads
// the catalog reads them instead of embedding.
func storeVectors(ctx context.Context, db vrrec.VectorStore, emb vrrec.Embedder, cat *vrrec.Catalog, w io.Writer, log *slog.Logger) error {
	_, _, err := newVectorCache(emb, db, log).EmbedProgress(ctx, emb, rag.IndexTexts(cat), embedProgress(w, emb))
	if err != nil {
		return fmt.Errorf("embed the catalog: %w", err)
	}
	return nil
}
