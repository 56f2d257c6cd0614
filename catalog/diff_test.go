package catalog_test

import (
	"reflect"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
)

func TestCompare(t *testing.T) {
	from := &vrrec.Catalog{
		Apps:      []vrrec.VRApp{{AppID: "a", Name: "A", Price: vrrec.Price{Kind: vrrec.PriceFree}}, {AppID: "b", Name: "B"}},
		Skills:    []vrrec.Skill{{Name: "Python"}},
		AppSkills: []vrrec.Mapping{{SourceID: "a", SourceType: "app", SkillName: "Python", Weight: 0.5}},
	}
	to := &vrrec.Catalog{
		Apps:   []vrrec.VRApp{{AppID: "c", Name: "C"}, {AppID: "a", Name: "A", Price: vrrec.Price{Kind: vrrec.PriceOneTime, Amount: 9.99, Currency: "USD"}, Rating: 4}},
		Skills: []vrrec.Skill{{Name: "Python"}},
		AppSkills: []vrrec.Mapping{{SourceID: "a", SourceType: "app", SkillName: "Python", Weight: 0.9},
			{SourceID: "c", SourceType: "app", SkillName: "Python", Weight: 1}},
	}
	d := catalog.Compare(from, to)
	want := catalog.Changes{Added: []string{"c"}, Removed: []string{"b"},
		Changed: []catalog.Changed{{Key: "a", Fields: []string{"price", "rating"}}}}
	if !reflect.DeepEqual(d.Apps, want) {
		t.Errorf("apps: %+v, want %+v", d.Apps, want)
	}
	if d.Skills.Count() != 0 || d.Courses.Count() != 0 {
		t.Errorf("unchanged tables differ: %+v %+v", d.Skills, d.Courses)
	}
	if len(d.AppSkills.Added) != 1 || d.AppSkills.Added[0] != "c → Python" || len(d.AppSkills.Changed) != 1 ||
		d.AppSkills.Changed[0].Fields[0] != "weight" {
		t.Errorf("app skills: %+v", d.AppSkills)
	}
	if got, want := d.Summary(), "apps +1 -1 ~1; app skills +1 ~1"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	if same := catalog.Compare(to, to); !same.Empty() || same.Summary() != "no changes" {
		t.Errorf("a catalog against itself: %+v", same)
	}
}

// A change of facets names each facet that changed.
func TestCompareNamesFacets(t *testing.T) {
	from := &vrrec.Catalog{Apps: []vrrec.VRApp{{AppID: "a", Name: "A", Facets: vrrec.Facets{Comfort: vrrec.ComfortIntense, Genres: []string{"rhythm"}}}}}
	to := &vrrec.Catalog{Apps: []vrrec.VRApp{{AppID: "a", Name: "A", Facets: vrrec.Facets{Comfort: vrrec.ComfortModerate, Genres: []string{"rhythm"},
		PlayModes: []string{vrrec.PlaySitting}, Players: vrrec.Players{Max: 4, Online: vrrec.Yes}}}}}
	want := []catalog.Changed{{Key: "a", Fields: []string{"facets.comfort", "facets.play_modes", "facets.players.max", "facets.players.online"}}}
	if got := catalog.Compare(from, to).Apps.Changed; !reflect.DeepEqual(got, want) {
		t.Errorf("changed %+v, want %+v", got, want)
	}
}
