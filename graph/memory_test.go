package graph_test

import (
	"testing"

	"github.com/vrrec/vrrec/internal/fixture"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/graph"
	"github.com/vrrec/vrrec/graph/graphtest"
)

func TestMemoryContract(t *testing.T) {
	graphtest.Run(t, func(t *testing.T, cat *vrrec.Catalog) vrrec.Graph { return graph.New(cat) })
}

func TestCanonical(t *testing.T) {
	g := graph.New(fixture.Small())
	for in, want := range map[string]string{"python": "Python Programming", "CYBER-SECURITY": "Cybersecurity", "Teamwork": "Teamwork"} {
		if got, ok := g.Canonical(in); !ok || got != want {
			t.Errorf("Canonical(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := g.Canonical("Basket Weaving"); ok {
		t.Error("an unknown skill resolved")
	}
}
