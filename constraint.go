package vrrec

import (
	"fmt"
	"slices"
	"strconv"
)

// Kinds of Constraint: what a student can ask of the apps besides a topic.
const (
	// Price. Hard: no app that violates them is a pick.
	ConstraintFree           = "free"            // nothing to pay, no subscription
	ConstraintNoSubscription = "no_subscription" // no recurring payment
	ConstraintMaxPrice       = "max_price"       // Amount: at most this many dollars upfront, no subscription
	// Body and space.
	ConstraintSeated  = "seated"  // hard: playable sitting down (wheelchair, limited mobility)
	ConstraintComfort = "comfort" // motion sick: comfortable apps first, intense ones left out
	ConstraintSmall   = "small_space"
	// People.
	ConstraintSolo        = "solo"
	ConstraintPlayers     = "players" // Amount: this many people together
	ConstraintOnline      = "online"
	ConstraintLocal       = "local" // together in one room
	ConstraintCoop        = "coop"
	ConstraintCompetitive = "competitive"
	// Content and features.
	ConstraintNonViolent   = "non_violent"
	ConstraintMixedReality = "mixed_reality"
	ConstraintHandTracking = "hand_tracking"
	ConstraintLanguage     = "language" // Value: the ISO 639-1 code the app must be in
)

// ConstraintKinds lists every kind of Constraint.
var ConstraintKinds = []string{ConstraintFree, ConstraintNoSubscription, ConstraintMaxPrice, ConstraintSeated,
	ConstraintComfort, ConstraintSmall, ConstraintSolo, ConstraintPlayers, ConstraintOnline, ConstraintLocal,
	ConstraintCoop, ConstraintCompetitive, ConstraintNonViolent, ConstraintMixedReality, ConstraintHandTracking,
	ConstraintLanguage}

// IsConstraintKind reports whether kind names a kind of Constraint.
func IsConstraintKind(kind string) bool { return slices.Contains(ConstraintKinds, kind) }

// Constraint is one condition a student put on the apps ("free", "under
// $10", "seated", "for 4 players online"). A hard constraint removes every
// app that violates it from the picks; an app whose facet is unknown stays
// only with that said. A soft one is a preference in the ranking.
type Constraint struct {
	Kind   string  `json:"kind"`
	Amount float64 `json:"amount,omitempty"` // dollars for ConstraintMaxPrice, people for ConstraintPlayers
	Value  string  `json:"value,omitempty"`  // the language for ConstraintLanguage
	Hard   bool    `json:"hard"`
	// Label is how the answer and the page name it: "Free apps only",
	// "Under $10", "Seated play".
	Label string `json:"label"`
}

// Satisfies reports whether the app meets the constraint: Yes, No, or
// Unknown when the catalog does not know the facet it depends on.
func (c Constraint) Satisfies(a VRApp) Tri {
	f := a.Facets
	switch c.Kind {
	case ConstraintFree:
		if !a.Price.Known() {
			return Unknown
		}
		return tri(a.Price.Free())
	case ConstraintNoSubscription:
		if !a.Price.Known() {
			return Unknown
		}
		return tri(a.Price.Kind != PriceSubscription)
	case ConstraintMaxPrice:
		if !a.Price.Known() {
			return Unknown
		}
		cost, ok := a.Price.Upfront()
		return tri(ok && cost <= c.Amount+0.005)
	case ConstraintSeated:
		return f.Seated()
	case ConstraintComfort:
		if f.Comfort == "" {
			return Unknown
		}
		return tri(f.Comfort != ComfortIntense)
	case ConstraintSmall:
		if len(f.PlayModes) == 0 {
			return Unknown
		}
		return tri(slices.Contains(f.PlayModes, PlaySitting) || slices.Contains(f.PlayModes, PlayStanding))
	case ConstraintSolo:
		return f.Players.Single
	case ConstraintPlayers:
		return f.FitsPlayers(int(c.Amount))
	case ConstraintOnline:
		return f.Players.Online
	case ConstraintLocal:
		return f.Players.Local
	case ConstraintCoop:
		return f.Players.Coop
	case ConstraintCompetitive:
		return f.Players.Competitive
	case ConstraintNonViolent:
		switch f.Violent() {
		case Yes:
			return No
		case No:
			return Yes
		}
		return Unknown
	case ConstraintMixedReality:
		return f.MixedReality
	case ConstraintHandTracking:
		return f.HandTracking
	case ConstraintLanguage:
		if len(f.Languages) == 0 {
			return Unknown
		}
		return tri(slices.Contains(f.Languages, c.Value))
	}
	return Unknown
}

// Violates reports whether the app breaks a hard constraint: a known facet
// that contradicts it (an unknown one does not).
func Violates(a VRApp, cs []Constraint) bool {
	for _, c := range cs {
		if c.Hard && c.Satisfies(a) == No {
			return true
		}
	}
	return false
}

// UnknownFor lists the labels of the hard constraints the app's facets cannot
// confirm, for its card ("price not known").
func UnknownFor(a VRApp, cs []Constraint) []string {
	var out []string
	for _, c := range cs {
		if c.Hard && c.Satisfies(a) == Unknown {
			out = append(out, c.Label)
		}
	}
	return out
}

func tri(b bool) Tri {
	if b {
		return Yes
	}
	return No
}

// DollarLabel writes an amount as a student reads it: "$10", "$9.99".
func DollarLabel(amount float64) string {
	if amount == float64(int(amount)) {
		return "$" + strconv.Itoa(int(amount))
	}
	return fmt.Sprintf("$%.2f", amount)
}
