package ragtest_test

import (
	"testing"

	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/graph"
	"github.com/vrrec/vrrec/rag/ragtest"
)

// The recommendation contract holds trivially for the in-memory graph; this
// keeps the query list and the comparison themselves working.
func TestMemorySameRecommendations(t *testing.T) {
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	ragtest.SameRecommendations(t, cat, graph.New(cat))
}
