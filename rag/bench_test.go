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

// benchCatalog returns the upstream catalog (1,544 skills) with its labeled
// queries, the realistic size the latency goals are set for.
func benchCatalog(b *testing.B) (*vrrec.Catalog, []string) {
	b.Helper()
	dir := testenv.UpstreamData(b)
	cat, _, err := catalog.ReadDir(os.DirFS(dir))
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

// BenchmarkRecommend measures one query end to end (embedding the query,
// vector search, graph walks, ranking, reasons) after warm-up, and reports
// the 50th and 99th percentile of single-query latency.
func BenchmarkRecommend(b *testing.B) {
	cat, queries := benchCatalog(b)
	eng := testenv.Engine(b, cat)
	ctx := context.Background()
	for _, q := range queries { // warm-up
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
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkBuildIndex measures a full index build from a loaded catalog:
// training the offline embedder, embedding every skill and app, building
// the graph and the engine.
func BenchmarkBuildIndex(b *testing.B) {
	cat, _ := benchCatalog(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		emb := rag.TrainOffline(cat, embedding.Options{})
		if _, _, err := rag.New(ctx, cat, "bench", graph.New(cat), emb, embedding.NewCache(), rag.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
