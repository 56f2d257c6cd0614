package catalog_test

import (
	"os"

	"github.com/vrrec/vrrec/internal/testenv"
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
		Changed: []catalog.Changed{{Key: "a", Fields: []string{"price", "rating"}}}, Renamed: []catalog.Renamed{}}
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

// TestCompareRenamed: an app under another id style but the same name is
// "same app, new id", not one removal and one addition, and its skill
// links are compared under the new id.
func TestCompareRenamed(t *testing.T) {
	from := &vrrec.Catalog{
		Apps: []vrrec.VRApp{{AppID: "beat-saber", Name: "Beat Saber", Rating: 4.8}, {AppID: "gone", Name: "Gone"},
			{AppID: "twin-1", Name: "Twin"}, {AppID: "twin-2", Name: "Twin VR"}},
		AppSkills: []vrrec.Mapping{{SourceID: "beat-saber", SourceType: "app", SkillName: "Rhythm", Weight: 0.5}},
	}
	to := &vrrec.Catalog{
		Apps: []vrrec.VRApp{{AppID: "Beat_Saber", Name: "Beat Saber VR", Rating: 4.9}, {AppID: "new", Name: "New"},
			{AppID: "Twin", Name: "Twin"}},
		AppSkills: []vrrec.Mapping{{SourceID: "Beat_Saber", SourceType: "app", SkillName: "Rhythm", Weight: 0.5}},
	}
	d := catalog.Compare(from, to)
	want := catalog.Changes{Added: []string{"Twin", "new"}, Removed: []string{"gone", "twin-1", "twin-2"}, Changed: []catalog.Changed{},
		Renamed: []catalog.Renamed{{Name: "Beat Saber VR", From: "beat-saber", To: "Beat_Saber", Fields: []string{"name", "rating"}}}}
	if !reflect.DeepEqual(d.Apps, want) {
		t.Errorf("apps: %+v\nwant %+v", d.Apps, want)
	}
	if d.AppSkills.Count() != 0 {
		t.Errorf("the renamed app's unchanged link differs: %+v", d.AppSkills)
	}
	if got, want := d.Summary(), "apps +2 -3 =1 (same app, new id)"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
}

// TestCompareUpstream: the old system's files against the embedded
// catalog find Beat Saber and 3D Organon as the same apps under new ids.
func TestCompareUpstream(t *testing.T) {
	dir := testenv.UpstreamData(t)
	up, _, err := catalog.ReadDir(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	def, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	d := catalog.Compare(def, up)
	renamed := d.Apps.RenamedIDs()
	for _, from := range []string{"beat-saber", "3d-organon-vr-anatomy"} {
		if _, ok := renamed[from]; !ok {
			t.Errorf("%s is not found as the same app with a new id; renamed: %v", from, renamed)
		}
	}
	t.Logf("%s", d.Summary())
}
