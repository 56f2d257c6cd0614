package graph_test

import (
	"reflect"
	"testing"

	"github.com/vrrec/vrrec/internal/fixture"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/graph"
)

func TestStatsOfFixture(t *testing.T) {
	cat := fixture.Small()
	cat.Skills[1].SourceCount = 4 // Teamwork: two courses, two apps
	cat.Skills[0].SourceCount = 2
	got := graph.StatsOf(cat)
	want := vrrec.GraphStats{
		Courses: 2, Apps: 3, Skills: 4, Teaches: 4, Develops: 4,
		TopSkills: []vrrec.RankedCount{{ID: "Teamwork", Name: "Teamwork", Count: 4}, {ID: "Python Programming", Name: "Python Programming", Count: 2}},
		TopCourses: []vrrec.RankedCount{
			{ID: "95-752", Name: "Introduction to Information Security", Count: 2},
			{ID: "95-888", Name: "Data-Focused Python", Count: 2},
		},
		TopApps: []vrrec.RankedCount{
			{ID: "cubism", Name: "Cubism", Count: 2},
			{ID: "organon", Name: "3D Organon VR Anatomy", Count: 1},
			{ID: "workrooms", Name: "Horizon Workrooms", Count: 1},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if got.Nodes() != 9 || got.Edges() != 8 {
		t.Errorf("Nodes, Edges = %d, %d; want 9, 8", got.Nodes(), got.Edges())
	}
}

func TestStatsOfDefaultCatalog(t *testing.T) {
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	s := graph.StatsOf(cat)
	if s.Courses != len(cat.Courses) || s.Apps != len(cat.Apps) || s.Skills != len(cat.Skills) {
		t.Errorf("node counts %d/%d/%d, catalog has %d/%d/%d", s.Courses, s.Apps, s.Skills, len(cat.Courses), len(cat.Apps), len(cat.Skills))
	}
	for name, ranking := range map[string][]vrrec.RankedCount{"skills": s.TopSkills, "courses": s.TopCourses, "apps": s.TopApps} {
		if len(ranking) != vrrec.GraphStatsTop {
			t.Errorf("top %s: %d entries, want %d", name, len(ranking), vrrec.GraphStatsTop)
		}
		for i := 1; i < len(ranking); i++ {
			if a, b := ranking[i-1], ranking[i]; a.Count < b.Count || a.Count == b.Count && a.ID >= b.ID {
				t.Errorf("top %s out of order at %d: %+v before %+v", name, i, a, b)
			}
		}
	}
}
