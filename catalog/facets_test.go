package catalog_test

import (
	"encoding/json"
	"io/fs"
	"reflect"
	"strings"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/internal/testenv"
)

// Bad facet values are reported on their row and cleared; the rest of the
// row, and the row's other facets, are kept. A row without facets has
// them all unknown.
func TestUploadedFacets(t *testing.T) {
	base := testenv.DefaultCatalog(t)
	apps := `[
	{"app_id": "cubism", "name": "Cubism", "category": "entertainment", "description": "Spatial puzzles", "rating": 4.8, "price": "$9.99",
	 "facets": {"play_modes": ["sitting", "standing"], "comfort": "comfortable", "players": {"single": "yes", "multiplayer": "no"},
	            "mixed_reality": "yes", "hand_tracking": true, "languages": ["en", "de"], "age_rating": "ESRB E", "genres": ["puzzle"]}},
	{"app_id": "walkabout", "name": "Walkabout Mini Golf", "category": "entertainment", "description": "Mini golf with friends", "rating": 4.9,
	 "price": {"kind": "unknown", "note": "not verified"},
	 "facets": {"play_modes": ["lying down"], "comfort": "comfortable", "players": {"online": "maybe", "max": -8, "coop": "yes"},
	            "languages": ["English"], "mixed_reality": "sometimes", "genres": ["sports"]}},
	{"app_id": "bare", "name": "Bare Row", "category": "education", "description": "No facets at all", "rating": 4}
	]`
	cat, rep, err := catalog.ReadUploads(base, map[string][]byte{"vr_apps.json": []byte(apps)})
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Apps) != 3 {
		t.Fatalf("%d apps kept, want 3: %v", len(cat.Apps), rep.Problems)
	}
	want := vrrec.Facets{PlayModes: []string{"sitting", "standing"}, Comfort: "comfortable", Players: vrrec.Players{Single: vrrec.Yes, Multiplayer: vrrec.No},
		MixedReality: vrrec.Yes, HandTracking: vrrec.Yes, Languages: []string{"en", "de"}, AgeRating: "ESRB E", Genres: []string{"puzzle"}}
	if !reflect.DeepEqual(cat.Apps[0].Facets, want) {
		t.Errorf("good facets: %+v\nwant %+v", cat.Apps[0].Facets, want)
	}
	golf := cat.Apps[1]
	if golf.Description != "Mini golf with friends" || golf.Rating != 4.9 || golf.Price.Note != "not verified" ||
		!reflect.DeepEqual(golf.Facets, vrrec.Facets{Comfort: "comfortable", Players: vrrec.Players{Coop: vrrec.Yes}, Genres: []string{"sports"}}) {
		t.Errorf("row with bad facets: %+v", golf)
	}
	reasons := map[string]bool{}
	for _, p := range rep.Problems {
		if p.File == "vr_apps.json" && p.Index == 1 && p.ID == "walkabout" && p.Action == catalog.Fixed {
			reasons[strings.SplitN(p.Reason, ":", 2)[0]] = true
		} else if p.File == "vr_apps.json" && (p.Index != 1 || strings.HasPrefix(p.Reason, "facets")) {
			t.Errorf("unexpected problem %s", p)
		}
	}
	for _, f := range []string{"facets.play_modes", "facets.players.online", "facets.players.max", "facets.languages", "facets.mixed_reality"} {
		if !reasons[f] {
			t.Errorf("no problem reported for %s; got %v", f, rep.Problems)
		}
	}
	if len(reasons) != 5 {
		t.Errorf("reasons for %v, want 5", reasons)
	}
	if bare := cat.Apps[2]; !reflect.DeepEqual(bare.Facets, vrrec.Facets{}) || bare.Price.Known() {
		t.Errorf("row without facets: %+v", bare)
	}
}

func TestUploadedFacetsCSV(t *testing.T) {
	base := testenv.DefaultCatalog(t)
	csv := "app_id,name,category,description,price,facets\n" +
		`cubism,Cubism,entertainment,Spatial puzzles,$9.99,"{""play_modes"": [""sitting""], ""comfort"": ""calm""}"` + "\n" +
		`bare,Bare,education,Nothing,"{""kind"": ""unknown"", ""note"": ""sold to institutions""}",unknown` + "\n"
	cat, rep, err := catalog.ReadUploads(base, map[string][]byte{"vr_apps.csv": []byte(csv)})
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Apps) != 2 || !reflect.DeepEqual(cat.Apps[0].Facets, vrrec.Facets{PlayModes: []string{"sitting"}}) ||
		cat.Apps[1].Price.Note != "sold to institutions" || !reflect.DeepEqual(cat.Apps[1].Facets, vrrec.Facets{}) {
		t.Fatalf("apps from CSV: %+v", cat.Apps)
	}
	found := false
	for _, p := range rep.Problems {
		found = found || p.File == "vr_apps.csv" && p.Index == 0 && strings.HasPrefix(p.Reason, `facets.comfort: "calm"`)
	}
	if !found {
		t.Errorf("bad comfort not reported on vr_apps.csv[0]: %v", rep.Problems)
	}
}

// Facets built in Go (a source's extraction) are checked by Validate too.
func TestValidateChecksFacets(t *testing.T) {
	raw := &vrrec.Catalog{Apps: []vrrec.VRApp{{AppID: "a", Name: "Alpha", Facets: vrrec.Facets{
		PlayModes: []string{"Roomscale", "sitting"}, Comfort: "wild", Languages: []string{"xx"}, Players: vrrec.Players{Max: 4}}}}}
	cat, rep := catalog.Validate(raw)
	want := vrrec.Facets{PlayModes: []string{"sitting", "roomscale"}, Players: vrrec.Players{Max: 4}}
	if !reflect.DeepEqual(cat.Apps[0].Facets, want) {
		t.Errorf("facets %+v, want %+v", cat.Apps[0].Facets, want)
	}
	if n := len(rep.Problems); n != 2 || rep.Problems[0].Index != 0 || !strings.HasPrefix(rep.Problems[0].Reason, "facets.") {
		t.Errorf("problems: %v, want comfort and languages", rep.Problems)
	}
}

// Every default app states a price (known, or unknown with the reason) and
// every facet (a value or "unknown"), and says where its facets came from.
func TestDefaultAppsStatePriceAndEveryFacet(t *testing.T) {
	b, err := fs.ReadFile(catalog.DefaultFS(), catalog.AppsFile)
	if err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		AppID  string                     `json:"app_id"`
		Price  vrrec.Price                `json:"price"`
		Facets map[string]json.RawMessage `json:"facets"`
	}
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatal(err)
	}
	facets := []string{"play_modes", "comfort", "players", "mixed_reality", "hand_tracking", "languages", "age_rating", "genres"}
	for _, r := range rows {
		if !r.Price.Known() && r.Price.Note == "" {
			t.Errorf("%s: unknown price without a reason", r.AppID)
		}
		for _, f := range facets {
			if v, ok := r.Facets[f]; !ok || string(v) == "null" || string(v) == `""` || string(v) == "[]" {
				t.Errorf("%s: facet %s is %s; want a value or \"unknown\"", r.AppID, f, v)
			}
		}
		var players map[string]json.RawMessage
		json.Unmarshal(r.Facets["players"], &players)
		for _, p := range []string{"single", "multiplayer", "online", "local", "coop", "competitive", "max"} {
			if v, ok := players[p]; !ok || string(v) == "null" || string(v) == `""` {
				t.Errorf("%s: players.%s is %s; want a value or \"unknown\"", r.AppID, p, v)
			}
		}
		if _, problems := vrrec.DecodeFacets(mustJSON(t, r.Facets)); len(problems) > 0 {
			t.Errorf("%s: %v", r.AppID, problems)
		}
		if !strings.Contains(string(r.Facets["source"]), "row") && !strings.Contains(string(r.Facets["source"]), "knowledge") {
			t.Errorf("%s: facets say nothing of where they came from: %s", r.AppID, r.Facets["source"])
		}
	}
	if len(rows) != 101 {
		t.Errorf("%d default apps, want 101", len(rows))
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
