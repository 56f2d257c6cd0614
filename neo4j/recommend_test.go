package neo4j_test

import (
	"os"
	"testing"

	"github.com/vrrec/vrrec/rag/ragtest"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/internal/testenv"
)

// Recommendations over Neo4j must equal those over the in-memory graph, on
// the embedded catalog and on the old system's messy one (1,500 skills,
// aliases, dropped rows).

func TestSameRecommendationsDefaultCatalog(t *testing.T) {
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	ragtest.SameRecommendations(t, cat, buildShared(t, cat))
}

func TestSameRecommendationsUpstreamCatalog(t *testing.T) {
	cat := upstreamCatalog(t)
	ragtest.SameRecommendations(t, cat, buildShared(t, cat))
}

func upstreamCatalog(t *testing.T) *vrrec.Catalog {
	t.Helper()
	cat, _, err := catalog.ReadDir(os.DirFS(testenv.UpstreamData(t)))
	if err != nil {
		t.Fatal(err)
	}
	return cat
}
