package graph_test

import (
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/graph"
	"github.com/vrrec/vrrec/graph/graphtest"
)

func TestMemoryContract(t *testing.T) {
	graphtest.Run(t, func(t *testing.T, cat *vrrec.Catalog) vrrec.Graph { return graph.New(cat) })
}

func TestCanonical(t *testing.T) {
	g := graph.New(graphtest.Fixture())
	for in, want := range map[string]string{"python": "Python Programming", "CYBER-SECURITY": "Cybersecurity", "Teamwork": "Teamwork"} {
		if got, ok := g.Canonical(in); !ok || got != want {
			t.Errorf("Canonical(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := g.Canonical("Basket Weaving"); ok {
		t.Error("an unknown skill resolved")
	}
}

// The recommendation contract holds trivially for the in-memory graph; this
// keeps the query list and the comparison themselves working.
func TestMemorySameRecommendations(t *testing.T) {
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	graphtest.SameRecommendations(t, cat, graph.New(cat))
}
