package sources

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/vrrec/vrrec"
)

// facetClaim is one facet the model read from a result, with the words of
// the result that state it.
type facetClaim struct {
	Value json.RawMessage `json:"value"`
	Quote string          `json:"quote"`
}

// facetsPrompt is the part of a reading prompt that asks for facets.
const facetsPrompt = `"facets": an object holding only the facets the result's text states, each {"value": ..., "quote": "<the words of the result that state it, copied exactly>"}; facets:
"play_modes" (a list of "sitting", "standing", "roomscale"), "comfort" ("comfortable", "moderate", "intense"),
"players.single", "players.multiplayer", "players.online", "players.local", "players.coop", "players.competitive", "mixed_reality", "hand_tracking" (each "yes" or "no"),
"players.max" (a number), "languages" (a list of ISO 639-1 codes), "age_rating" (as written), "genres" (a list of lower-case words).
Leave out every facet the text does not state; never infer one from the kind of app.`

// facetCues are words a quote must hold to state a yes/no facet.
var facetCues = map[string][]string{
	"players.single":      {"single-player", "single player", "singleplayer", "solo"},
	"players.multiplayer": {"multiplayer", "multi-player", "players", "co-op", "pvp", "single-player", "single player", "singleplayer"},
	"players.online":      {"online", "cross-play", "crossplay", "internet"},
	"players.local":       {"local", "same room", "couch"},
	"players.coop":        {"co-op", "coop", "cooperative", "together"},
	"players.competitive": {"competitive", "compete", "pvp", "versus", " vs", "against"},
	"mixed_reality":       {"mixed reality", "mixed-reality", "passthrough", "pass-through"},
	"hand_tracking":       {"hand tracking", "hand-tracking", "hand-tracked", "hand tracked"},
}

// playModeCues are words a quote must hold to state a play mode.
var playModeCues = map[string][]string{
	vrrec.PlaySitting:   {"sit", "seated"},
	vrrec.PlayStanding:  {"stand"},
	vrrec.PlayRoomscale: {"room"},
}

// languageNames are how a page names the languages a facet may hold; a
// code not here is not kept, its name being unknown.
var languageNames = map[string][]string{
	"en": {"english"}, "es": {"spanish", "español"}, "fr": {"french", "français"}, "de": {"german", "deutsch"},
	"it": {"italian"}, "pt": {"portuguese"}, "ja": {"japanese"}, "ko": {"korean"}, "zh": {"chinese", "mandarin"},
	"ru": {"russian"}, "nl": {"dutch"}, "pl": {"polish"}, "tr": {"turkish"}, "ar": {"arabic"}, "hi": {"hindi"}, "sv": {"swedish"},
}

var numberWords = []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"}

// statedFacets keeps the facets whose quote the normalized text holds and
// which the quote itself states (a play mode, a comfort or a number
// named in it, a yes/no fact's words); the others stay unknown, and
// dropped says why each went.
func statedFacets(text string, claims map[string]facetClaim) (vrrec.Facets, []string) {
	var dropped []string
	kept := map[string]any{}
	players := map[string]any{}
	for _, name := range slices.Sorted(maps.Keys(claims)) {
		c := claims[name]
		quote := normalized(c.Quote)
		var value any
		if err := json.Unmarshal(c.Value, &value); err != nil || value == nil {
			continue
		}
		switch {
		case !stated(text, c.Quote):
			dropped = append(dropped, fmt.Sprintf("facet %s: the result does not say %q", name, c.Quote))
			continue
		case !quoteStates(name, value, quote):
			dropped = append(dropped, fmt.Sprintf("facet %s: %q does not state %s", name, c.Quote, c.Value))
			continue
		}
		if p, ok := strings.CutPrefix(name, "players."); ok {
			players[p] = value
		} else {
			kept[name] = value
		}
	}
	if len(players) > 0 {
		kept["players"] = players
	}
	b, err := json.Marshal(kept)
	if err != nil { // plain JSON values cannot fail
		return vrrec.Facets{}, append(dropped, err.Error())
	}
	f, problems := vrrec.DecodeFacets(b)
	for _, p := range problems {
		dropped = append(dropped, "facet "+p)
	}
	return f, dropped
}

// quoteStates reports whether the normalized quote states value for the
// named facet.
func quoteStates(name string, value any, quote string) bool {
	has := func(words ...string) bool {
		return slices.ContainsFunc(words, func(w string) bool { return strings.Contains(quote, w) })
	}
	every := func(cues func(item string) []string) bool {
		items, ok := value.([]any)
		if !ok || len(items) == 0 {
			return false
		}
		for _, it := range items {
			s, ok := it.(string)
			if !ok || !has(cues(strings.ToLower(s))...) {
				return false
			}
		}
		return true
	}
	self := func(s string) []string { return []string{s} }
	switch name {
	case "play_modes":
		return every(func(m string) []string { return playModeCues[m] })
	case "languages":
		return every(func(code string) []string { return languageNames[code] })
	case "genres":
		return every(self)
	case "comfort", "age_rating":
		s, ok := value.(string)
		return ok && has(strings.ToLower(s))
	case "players.max":
		n, ok := value.(float64)
		if !ok || n != float64(int(n)) || n < 1 {
			return false
		}
		words := []string{strconv.Itoa(int(n))}
		if int(n) < len(numberWords) {
			words = append(words, numberWords[int(n)])
		}
		return has(words...)
	}
	cues, ok := facetCues[name]
	return ok && has(cues...)
}
