package vrrec

import (
	"fmt"
	"slices"
)

// Tri is a yes-or-no fact about an app that may not be known. The zero
// value is unknown, written "unknown" in JSON, so a fact nobody checked is
// never read as "no".
type Tri string

// Values of a Tri.
const (
	Unknown Tri = ""
	Yes     Tri = "yes"
	No      Tri = "no"
)

// MarshalText writes "yes", "no" or "unknown".
func (t Tri) MarshalText() ([]byte, error) {
	if t == Unknown {
		return []byte("unknown"), nil
	}
	return []byte(t), nil
}

// UnmarshalText reads "yes", "no", "unknown" or "" (unknown), and true or
// false as the upstream files may write them.
func (t *Tri) UnmarshalText(b []byte) error {
	switch string(b) {
	case "", "unknown":
		*t = Unknown
	case "yes", "true":
		*t = Yes
	case "no", "false":
		*t = No
	default:
		return fmt.Errorf("%q is not yes, no or unknown", b)
	}
	return nil
}

// Play modes of an app, as the Quest store names them.
const (
	PlaySitting   = "sitting"
	PlayStanding  = "standing"
	PlayRoomscale = "roomscale"
)

// Comfort ratings of an app, as the Quest store names them.
const (
	ComfortComfortable = "comfortable"
	ComfortModerate    = "moderate"
	ComfortIntense     = "intense"
)

// Players says who an app is played with. Every field may be unknown.
type Players struct {
	Single      Tri `json:"single"`      // can be played alone
	Multiplayer Tri `json:"multiplayer"` // can be played with others
	Online      Tri `json:"online"`      // with others over the internet
	Local       Tri `json:"local"`       // with others in the same room or place
	Coop        Tri `json:"coop"`        // with others on one side
	Competitive Tri `json:"competitive"` // against others
	// Max is the most people one session holds; 0 is unknown.
	Max int `json:"max,omitempty"`
}

// Facets are what the Quest store lets a person filter by. The zero value of
// every field means unknown: a facet is filled only from a source that
// states it (catalog/default/README.md records which).
type Facets struct {
	// PlayModes lists PlaySitting, PlayStanding and PlayRoomscale as the
	// app supports them; empty is unknown.
	PlayModes []string `json:"play_modes,omitempty"`
	// Comfort is ComfortComfortable, ComfortModerate or ComfortIntense;
	// empty is unknown.
	Comfort      string  `json:"comfort,omitempty"`
	Players      Players `json:"players"`
	MixedReality Tri     `json:"mixed_reality"` // uses passthrough / mixed reality
	HandTracking Tri     `json:"hand_tracking"` // playable with hands, without controllers
	// Languages are the ISO 639-1 codes of the languages the app is in;
	// empty is unknown.
	Languages []string `json:"languages,omitempty"`
	// AgeRating is the store's rating ("ESRB E10+", "PEGI 12", "IARC 7+");
	// empty is unknown.
	AgeRating string `json:"age_rating,omitempty"`
	// Genres are the store's genres, lower case ("shooter", "puzzle",
	// "fitness"); empty is unknown.
	Genres []string `json:"genres,omitempty"`
	// Source says where the facets came from and how sure they are ("the
	// row's features; store page from memory, not verified"), for staff.
	Source string `json:"source,omitempty"`
}

// Seated reports whether the app can be played sitting down.
func (f Facets) Seated() Tri {
	if len(f.PlayModes) == 0 {
		return Unknown
	}
	if slices.Contains(f.PlayModes, PlaySitting) {
		return Yes
	}
	return No
}

// FitsPlayers reports whether n people (n >= 2) can play one session
// together.
func (f Facets) FitsPlayers(n int) Tri {
	switch {
	case f.Players.Multiplayer == No:
		return No
	case f.Players.Max >= n:
		return Yes
	case f.Players.Max > 0:
		return No
	case f.Players.Multiplayer == Yes && n <= 2:
		return Yes
	}
	return Unknown
}

// violentGenres are the genres a student asking for something not violent
// does not want.
var violentGenres = []string{"shooter", "combat", "fighting", "horror", "action combat", "battle royale"}

// Violent reports whether the app's genres name violence.
func (f Facets) Violent() Tri {
	if len(f.Genres) == 0 {
		return Unknown
	}
	for _, g := range f.Genres {
		if slices.Contains(violentGenres, g) {
			return Yes
		}
	}
	return No
}
