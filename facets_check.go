package vrrec

import (
	"fmt"
	"slices"
	"strings"
)

// playModes and comforts are the values PlayModes and Comfort may hold, in
// the order they are written.
var (
	playModes = []string{PlaySitting, PlayStanding, PlayRoomscale}
	comforts  = []string{ComfortComfortable, ComfortModerate, ComfortIntense}
)

// iso6391 holds the ISO 639-1 language codes, the only ones Languages may
// hold.
var iso6391 = func() map[string]bool {
	const codes = "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy " +
		"da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz " +
		"ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo " +
		"lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps " +
		"pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn " +
		"to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu"
	m := map[string]bool{}
	for _, c := range strings.Fields(codes) {
		m[c] = true
	}
	return m
}()

// Check returns the facets with every value that is not one the catalog
// knows set to unknown, and one reason per facet so cleared ("play_modes:
// \"lying\" is not sitting, standing or roomscale; set to unknown"). Case
// and spacing are normalised without a reason, lists lose repeats, and
// play modes come in the store's order.
func (f Facets) Check() (Facets, []string) {
	var problems []string
	clear := func(name, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s: %s; set to unknown", name, fmt.Sprintf(format, args...)))
	}
	var ok bool
	if f.PlayModes, ok = cleanList(f.PlayModes); !ok {
		clear("play_modes", "an empty play mode")
		f.PlayModes = nil
	}
	for _, m := range f.PlayModes {
		if !slices.Contains(playModes, m) {
			clear("play_modes", "%q is not %s", m, orList(playModes))
			f.PlayModes = nil
			break
		}
	}
	f.PlayModes = sortedLike(f.PlayModes, playModes)
	f.Comfort = strings.ToLower(strings.TrimSpace(f.Comfort))
	if f.Comfort != "" && !slices.Contains(comforts, f.Comfort) {
		clear("comfort", "%q is not %s", f.Comfort, orList(comforts))
		f.Comfort = ""
	}
	for _, t := range []struct {
		name string
		v    *Tri
	}{
		{"players.single", &f.Players.Single}, {"players.multiplayer", &f.Players.Multiplayer},
		{"players.online", &f.Players.Online}, {"players.local", &f.Players.Local},
		{"players.coop", &f.Players.Coop}, {"players.competitive", &f.Players.Competitive},
		{"mixed_reality", &f.MixedReality}, {"hand_tracking", &f.HandTracking},
	} {
		var norm Tri
		if err := norm.UnmarshalText([]byte(strings.ToLower(strings.TrimSpace(string(*t.v))))); err != nil {
			clear(t.name, "%q is not yes, no or unknown", string(*t.v))
		}
		*t.v = norm
	}
	p := &f.Players
	if p.Max < 0 {
		clear("players.max", "%d is not a number of players", p.Max)
		p.Max = 0
	}
	// A single-player app played with others contradicts itself: which
	// side is wrong is not known.
	for _, with := range []struct {
		name string
		v    Tri
	}{{"online", p.Online}, {"local", p.Local}, {"coop", p.Coop}, {"competitive", p.Competitive}} {
		if p.Multiplayer == No && with.v == Yes {
			clear("players.multiplayer", "no, but players.%s is yes", with.name)
			p.Multiplayer = Unknown
		}
	}
	switch {
	case p.Multiplayer == No && p.Max > 1:
		clear("players.max", "%d, but players.multiplayer is no", p.Max)
		p.Max = 0
	case p.Multiplayer == Yes && p.Max == 1:
		clear("players.max", "1, but players.multiplayer is yes")
		p.Max = 0
	}
	if f.Languages, ok = cleanList(f.Languages); !ok {
		clear("languages", "an empty language")
		f.Languages = nil
	}
	for _, l := range f.Languages {
		if !iso6391[l] {
			clear("languages", "%q is not an ISO 639-1 code (en, es, zh, ...)", l)
			f.Languages = nil
			break
		}
	}
	f.AgeRating = strings.Join(strings.Fields(f.AgeRating), " ")
	if strings.EqualFold(f.AgeRating, "unknown") {
		f.AgeRating = ""
	}
	if f.Genres, ok = cleanList(f.Genres); !ok {
		clear("genres", "an empty genre")
		f.Genres = nil
	}
	f.Source = strings.TrimSpace(f.Source)
	return f, problems
}

// cleanList lower-cases and trims every item and drops repeats; false if
// an item is empty. A list that says only "unknown" is nil.
func cleanList(items []string) ([]string, bool) {
	if len(items) == 1 && strings.EqualFold(strings.TrimSpace(items[0]), "unknown") {
		return nil, true
	}
	var out []string
	for _, it := range items {
		it = strings.ToLower(strings.Join(strings.Fields(it), " "))
		if it == "" {
			return nil, false
		}
		if !slices.Contains(out, it) {
			out = append(out, it)
		}
	}
	return out, true
}

// sortedLike orders items as they come in order.
func sortedLike(items, order []string) []string {
	slices.SortStableFunc(items, func(a, b string) int { return slices.Index(order, a) - slices.Index(order, b) })
	return items
}

func orList(values []string) string {
	return strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
}
