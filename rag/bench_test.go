package rag_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/embedding"
	"github.com/vrrec/vrrec/eval"
	"github.com/vrrec/vrrec/graph"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/rag"
)

// benchCatalog returns the upstream catalog (1,544 skills, 455 courses)
// with its labeled queries, the realistic size the latency goals are set
// for.
func benchCatalog(b *testing.B) (*vrrec.Catalog, []string) {
	b.Helper()
	cat, _, err := catalog.ReadDir(os.DirFS(testenv.UpstreamData(b)))
	if err != nil {
		b.Fatal(err)
	}
	set, err := eval.LoadSet(filepath.Join(testenv.RepoRoot(), "eval", "upstream.json"))
	if err != nil {
		b.Fatal(err)
	}
	queries := make([]string, len(set.Queries))
	for i, q := range set.Queries {
		queries[i] = q.Query
	}
	return cat, queries
}

// latencies reports the 50th and 99th percentile of the durations.
func latencies(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkRecommend measures one query end to end on the upstream catalog
// (understanding it, embedding it with the built-in model, dense, lexical
// and graph evidence, fusion, reasons), each query new to the engine's
// cache of query vectors: a fresh engine per pass over the queries.
func BenchmarkRecommend(b *testing.B) {
	cat, queries := benchCatalog(b)
	emb := testenv.Embedder(b)
	cache := testenv.VectorCache(b, emb)
	ctx := context.Background()
	newEngine := func() *rag.Engine {
		eng, _, err := rag.New(ctx, cat, "bench", graph.New(cat), emb, cache, rag.Options{})
		if err != nil {
			b.Fatal(err)
		}
		return eng
	}
	eng := newEngine()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i > 0 && i%len(queries) == 0 {
			b.StopTimer()
			eng = newEngine()
			b.StartTimer()
		}
		start := time.Now()
		if _, err := eng.Recommend(ctx, queries[i%len(queries)], 8); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	latencies(b, lat)
}

// BenchmarkRecommendRepeated is BenchmarkRecommend with the query vectors
// cached and no answer cache: the cost of retrieval alone.
func BenchmarkRecommendRepeated(b *testing.B) {
	benchRepeated(b, rag.Options{Answers: -1})
}

// BenchmarkRecommendCached is a question asked again, answered from the
// engine's cache of answers.
func BenchmarkRecommendCached(b *testing.B) {
	benchRepeated(b, rag.Options{})
}

func benchRepeated(b *testing.B, opts rag.Options) {
	cat, queries := benchCatalog(b)
	emb := testenv.Embedder(b)
	eng, _, err := rag.New(context.Background(), cat, "bench", graph.New(cat), emb, testenv.VectorCache(b, emb), opts)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, q := range queries { // warm the cache of query vectors
		if _, err := eng.Recommend(ctx, q, 8); err != nil {
			b.Fatal(err)
		}
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := eng.Recommend(ctx, queries[i%len(queries)], 8); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	latencies(b, lat)
}

// BenchmarkBuildIndex measures building the engine for the upstream
// catalog from stored vectors (what a restart or another instance does):
// reading them, the lexical index, the graph's active skills, the
// background of the model.
func BenchmarkBuildIndex(b *testing.B) {
	cat, _ := benchCatalog(b)
	emb := testenv.Embedder(b)
	ctx := context.Background()
	testenv.Engine(b, cat) // the vectors are in the shared store from here on
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := rag.New(ctx, cat, "bench", graph.New(cat), emb, testenv.VectorCache(b, emb), rag.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEmbedCatalog measures embedding every text the engine indexes
// for the upstream catalog with the built-in model, on all cores: what an
// import costs once.
func BenchmarkEmbedCatalog(b *testing.B) {
	cat, _ := benchCatalog(b)
	emb := testenv.Embedder(b)
	texts := rag.IndexTexts(cat)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := embedding.NewCache().Embed(context.Background(), emb, texts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(texts)), "texts")
}
