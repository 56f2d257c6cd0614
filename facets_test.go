package vrrec_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/vrrec/vrrec"
)

func TestFacetsJSONSaysUnknown(t *testing.T) {
	b, err := json.Marshal(vrrec.Facets{})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"play_modes":"unknown","comfort":"unknown","players":{"single":"unknown","multiplayer":"unknown","online":"unknown","local":"unknown","coop":"unknown","competitive":"unknown","max":"unknown"},"mixed_reality":"unknown","hand_tracking":"unknown","languages":"unknown","age_rating":"unknown","genres":"unknown"}`
	if string(b) != want {
		t.Errorf("unknown facets written as\n%s\nwant\n%s", b, want)
	}
	var back vrrec.Facets
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, vrrec.Facets{}) {
		t.Errorf("read back: %+v, %v", back, err)
	}
}

func TestFacetsRoundTrip(t *testing.T) {
	f := vrrec.Facets{
		PlayModes: []string{vrrec.PlaySitting, vrrec.PlayStanding}, Comfort: vrrec.ComfortModerate,
		Players:      vrrec.Players{Single: vrrec.Yes, Multiplayer: vrrec.Yes, Online: vrrec.Yes, Local: vrrec.No, Competitive: vrrec.Yes, Max: 4},
		MixedReality: vrrec.No, HandTracking: vrrec.Yes, Languages: []string{"en", "de"}, AgeRating: "ESRB T",
		Genres: []string{"rhythm", "fitness"}, Source: "store page",
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var back vrrec.Facets
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, f) {
		t.Errorf("round trip of %s: %+v, %v", b, back, err)
	}
}

func TestDecodeFacetsClearsOnlyTheBadFacet(t *testing.T) {
	in := `{"play_modes": ["Sitting", "lying"], "comfort": "extreme", "players": {"single": true, "online": "maybe", "max": -2, "coop": "Yes"},
		"mixed_reality": "no", "hand_tracking": false, "languages": ["en", "english"], "age_rating": "PEGI 12", "genres": "Puzzle, shooter", "colour": "red"}`
	f, problems := vrrec.DecodeFacets([]byte(in))
	want := vrrec.Facets{
		Players:      vrrec.Players{Single: vrrec.Yes, Coop: vrrec.Yes},
		MixedReality: vrrec.No, HandTracking: vrrec.No, AgeRating: "PEGI 12", Genres: []string{"puzzle", "shooter"},
	}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("decoded %+v\nwant %+v", f, want)
	}
	joined := strings.Join(problems, "\n")
	for _, s := range []string{`play_modes: "lying" is not sitting, standing or roomscale`, `comfort: "extreme"`, `players.online: "maybe" is not yes, no or unknown`,
		`players.max: -2`, `languages: "english" is not an ISO 639-1 code`, `"colour" is not a facet`} {
		if !strings.Contains(joined, s) {
			t.Errorf("no reason %q among:\n%s", s, joined)
		}
	}
	if len(problems) != 6 {
		t.Errorf("%d reasons, want 6:\n%s", len(problems), joined)
	}
	var strict vrrec.Facets
	if err := json.Unmarshal([]byte(in), &strict); err == nil {
		t.Error("strict decoding accepted bad facets")
	}
}

func TestDecodeFacetsShapes(t *testing.T) {
	for in, want := range map[string]vrrec.Facets{
		``:          {},
		`null`:      {},
		`"unknown"`: {},
		`{"play_modes": "roomscale, sitting", "players": {"max": "8"}}`:           {PlayModes: []string{"sitting", "roomscale"}, Players: vrrec.Players{Max: 8}},
		`{"play_modes": ["unknown"], "languages": "unknown", "players": null}`:    {},
		`{"players": {"max": 2.5}, "comfort": 3}`:                                 {},
		`{"mixed_reality": ["yes"], "languages": ["EN", "en", "zh"]}`:             {Languages: []string{"en", "zh"}},
		`{"players": "unknown", "hand_tracking": "TRUE", "age_rating": " E10+ "}`: {HandTracking: vrrec.Yes, AgeRating: "E10+"},
	} {
		got, problems := vrrec.DecodeFacets([]byte(in))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %+v (%v), want %+v", in, got, problems, want)
		}
	}
	if _, problems := vrrec.DecodeFacets([]byte(`{"players": {"max": 2.5}, "comfort": 3, "mixed_reality": ["yes"]}`)); len(problems) != 3 {
		t.Errorf("wrong JSON types: %v, want 3 reasons", problems)
	}
	if _, problems := vrrec.DecodeFacets([]byte(`[1]`)); len(problems) != 1 {
		t.Errorf("a list for facets: %v", problems)
	}
}

func TestFacetsCheckContradictions(t *testing.T) {
	f, problems := vrrec.Facets{Players: vrrec.Players{Multiplayer: vrrec.No, Online: vrrec.Yes, Single: vrrec.Yes}}.Check()
	if f.Players != (vrrec.Players{Online: vrrec.Yes, Single: vrrec.Yes}) || len(problems) != 1 || !strings.Contains(problems[0], "players.online is yes") {
		t.Errorf("multiplayer no, online yes: %+v, %v", f.Players, problems)
	}
	f, problems = vrrec.Facets{Players: vrrec.Players{Multiplayer: vrrec.Yes, Max: 1}}.Check()
	if f.Players != (vrrec.Players{Multiplayer: vrrec.Yes}) || len(problems) != 1 {
		t.Errorf("multiplayer yes, one player: %+v, %v", f.Players, problems)
	}
	f, problems = vrrec.Facets{Players: vrrec.Players{Multiplayer: vrrec.No, Max: 4}}.Check()
	if f.Players != (vrrec.Players{Multiplayer: vrrec.No}) || len(problems) != 1 {
		t.Errorf("multiplayer no, four players: %+v, %v", f.Players, problems)
	}
	if _, problems := (vrrec.Facets{Players: vrrec.Players{Multiplayer: vrrec.No, Single: vrrec.Yes, Max: 1}}).Check(); len(problems) != 0 {
		t.Errorf("a consistent single-player app: %v", problems)
	}
}

func TestPriceNote(t *testing.T) {
	var p vrrec.Price
	if err := json.Unmarshal([]byte(`{"kind":"unknown","note":"sold to institutions"}`), &p); err != nil || p.Known() || p.Note != "sold to institutions" {
		t.Fatalf("%+v, %v", p, err)
	}
	b, _ := json.Marshal(p)
	if string(b) != `{"kind":"unknown","note":"sold to institutions"}` {
		t.Errorf("written as %s", b)
	}
}
