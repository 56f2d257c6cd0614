package vrrec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// facetsJSON is Facets as written: every facet present, "unknown" where
// it is not known, so a data file says so rather than leaving it out.
type facetsJSON struct {
	PlayModes    any     `json:"play_modes"`
	Comfort      string  `json:"comfort"`
	Players      Players `json:"players"`
	MixedReality Tri     `json:"mixed_reality"`
	HandTracking Tri     `json:"hand_tracking"`
	Languages    any     `json:"languages"`
	AgeRating    string  `json:"age_rating"`
	Genres       any     `json:"genres"`
	Source       string  `json:"source,omitempty"`
}

// MarshalJSON writes every facet, "unknown" for the ones not known.
func (f Facets) MarshalJSON() ([]byte, error) {
	list := func(v []string) any {
		if len(v) == 0 {
			return "unknown"
		}
		return v
	}
	text := func(v string) string {
		if v == "" {
			return "unknown"
		}
		return v
	}
	return json.Marshal(facetsJSON{
		PlayModes: list(f.PlayModes), Comfort: text(f.Comfort), Players: f.Players,
		MixedReality: f.MixedReality, HandTracking: f.HandTracking,
		Languages: list(f.Languages), AgeRating: text(f.AgeRating), Genres: list(f.Genres), Source: f.Source,
	})
}

// MarshalJSON writes Max as a number, or "unknown" when it is 0.
func (p Players) MarshalJSON() ([]byte, error) {
	type plain struct {
		Single      Tri `json:"single"`
		Multiplayer Tri `json:"multiplayer"`
		Online      Tri `json:"online"`
		Local       Tri `json:"local"`
		Coop        Tri `json:"coop"`
		Competitive Tri `json:"competitive"`
		Max         any `json:"max"`
	}
	var max any = "unknown"
	if p.Max != 0 {
		max = p.Max
	}
	return json.Marshal(plain{p.Single, p.Multiplayer, p.Online, p.Local, p.Coop, p.Competitive, max})
}

// UnmarshalJSON reads facets strictly: any value DecodeFacets would clear
// is an error.
func (f *Facets) UnmarshalJSON(b []byte) error {
	v, problems := DecodeFacets(b)
	if len(problems) > 0 {
		return fmt.Errorf("facets: %s", strings.Join(problems, "; "))
	}
	*f = v
	return nil
}

// UnmarshalJSON reads a players object strictly, as Facets does.
func (p *Players) UnmarshalJSON(b []byte) error {
	var f Facets
	if err := f.UnmarshalJSON(append(append([]byte(`{"players":`), b...), '}')); err != nil {
		return err
	}
	*p = f.Players
	return nil
}

// DecodeFacets reads a facets object as an upstream file writes it and
// never fails: a facet whose value is not one the catalog knows ("lying"
// for a play mode, "maybe" for a yes/no fact, -1 players, "english" for a
// language) is set to unknown, with one reason per facet, and the others
// are kept. Missing facets, null and "unknown" are unknown; yes/no facts
// may be JSON booleans; a list may be one comma-separated text. A missing
// or null object is all unknown.
func DecodeFacets(b []byte) (Facets, []string) {
	var f Facets
	var problems []string
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return f, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		var s string
		if json.Unmarshal(b, &s) == nil && strings.EqualFold(strings.TrimSpace(s), "unknown") {
			return f, nil
		}
		return f, []string{"facets is not an object; all set to unknown"}
	}
	if raw, ok := fields["players"]; ok {
		delete(fields, "players")
		players := map[string]json.RawMessage{}
		if err := json.Unmarshal(raw, &players); err != nil && !isNull(raw) && !isUnknown(raw) {
			problems = append(problems, fmt.Sprintf("players: %s is not an object; set to unknown", raw))
		}
		for k, v := range players {
			fields["players."+k] = v
		}
	}
	p := &f.Players
	lists := map[string]*[]string{"play_modes": &f.PlayModes, "languages": &f.Languages, "genres": &f.Genres}
	texts := map[string]*string{"comfort": &f.Comfort, "age_rating": &f.AgeRating, "source": &f.Source}
	tris := map[string]*Tri{"mixed_reality": &f.MixedReality, "hand_tracking": &f.HandTracking,
		"players.single": &p.Single, "players.multiplayer": &p.Multiplayer, "players.online": &p.Online,
		"players.local": &p.Local, "players.coop": &p.Coop, "players.competitive": &p.Competitive}
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		raw := fields[name]
		ok, want := true, ""
		if dst := lists[name]; dst != nil {
			*dst, ok = decodeList(raw)
			want = "a list of words"
		} else if dst := texts[name]; dst != nil {
			*dst, ok = decodeText(raw)
			want = "a text"
		} else if dst := tris[name]; dst != nil {
			*dst, ok = decodeTri(raw)
			want = "yes, no or unknown"
		} else if name == "players.max" {
			p.Max, ok = decodeCount(raw)
			want = "a whole number of players"
		} else {
			problems = append(problems, fmt.Sprintf("%q is not a facet; ignored", name))
		}
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: %s is not %s; set to unknown", name, raw, want))
		}
	}
	f, more := f.Check()
	return f, append(problems, more...)
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

func isUnknown(raw json.RawMessage) bool {
	var s string
	return json.Unmarshal(raw, &s) == nil && strings.EqualFold(strings.TrimSpace(s), "unknown")
}

// decodeList reads a list of texts, one comma-separated text, "unknown" or
// null; false for anything else.
func decodeList(raw json.RawMessage) ([]string, bool) {
	if isNull(raw) || isUnknown(raw) {
		return nil, true
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list, true
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return nil, false
	}
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			list = append(list, item)
		}
	}
	return list, true
}

// decodeText reads a text, "unknown" (empty) or null; false for anything
// else.
func decodeText(raw json.RawMessage) (string, bool) {
	if isNull(raw) || isUnknown(raw) {
		return "", true
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err == nil
}

// decodeTri reads true, false, null or a text; a text Check cannot read is
// kept for Check to report.
func decodeTri(raw json.RawMessage) (Tri, bool) {
	if isNull(raw) {
		return Unknown, true
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return tri(b), true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return Unknown, false
	}
	return Tri(s), true
}

// decodeCount reads a whole number (negative ones are kept for Check to
// report), a number as text, "unknown" or null.
func decodeCount(raw json.RawMessage) (int, bool) {
	if isNull(raw) || isUnknown(raw) {
		return 0, true
	}
	var n float64
	if err := json.Unmarshal(raw, &n); err != nil {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return 0, false
		}
		if n, err = strconv.ParseFloat(strings.TrimSpace(s), 64); err != nil {
			return 0, false
		}
	}
	if n != math.Trunc(n) || math.Abs(n) > 1e6 {
		return 0, false
	}
	return int(n), true
}
