package neo4j_test

import (
	"context"
	"testing"

	"github.com/vrrec/vrrec/rag/ragtest"

	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/rag"
)

// BenchmarkRecommend measures one recommendation with the graph in Neo4j,
// its round trips included, on the embedded catalog.
func BenchmarkRecommend(b *testing.B) {
	ctx := context.Background()
	cat, err := catalog.Default()
	if err != nil {
		b.Fatal(err)
	}
	emb := testenv.Embedder(b)
	eng, _, err := rag.New(ctx, cat, catalog.Version(cat), buildShared(b, cat), emb, testenv.VectorCache(b, emb), rag.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		if _, err := eng.Recommend(ctx, ragtest.RecommendQueries[i%len(ragtest.RecommendQueries)], 8); err != nil {
			b.Fatal(err)
		}
	}
}
