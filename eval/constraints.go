package eval

import (
	"fmt"
	"slices"

	"github.com/vrrec/vrrec"
)

// PicksShown is how many apps of a list (or of each need's group) count as
// the picks a student is shown.
const PicksShown = 5

// ConstraintScore counts, over the queries that state a hard constraint,
// the picks that break one according to the catalog's facts (goal 0) and
// the picks whose facts the catalog does not know (shown only with that
// said).
type ConstraintScore struct {
	Queries         int     `json:"queries"`
	Picks           int     `json:"picks"`
	Violations      int     `json:"violations"`
	Unconfirmed     int     `json:"unconfirmed"`
	ViolationRate   float64 `json:"violation_rate"`   // Violations / Picks
	UnconfirmedRate float64 `json:"unconfirmed_rate"` // Unconfirmed / Picks
}

// CheckConstraints checks the picks of every query that states a hard
// constraint against the catalog the answers came from, filling each
// query's Violating and Unconfirmed lists and the report's Constraints. A
// pick the catalog lacks is an error: the answers were not from it.
func (r *Report) CheckConstraints(cat *vrrec.Catalog) error {
	apps := make(map[string]vrrec.VRApp, len(cat.Apps))
	for _, a := range cat.Apps {
		apps[a.AppID] = a
	}
	var cs ConstraintScore
	for i := range r.Queries {
		q := &r.Queries[i]
		q.Violating, q.Unconfirmed = nil, nil
		hard := hardOnly(q.Constraints)
		if len(hard) == 0 {
			continue
		}
		cs.Queries++
		for _, id := range q.Picks() {
			app, ok := apps[id]
			if !ok {
				return fmt.Errorf("check constraints of %q: pick %q is not in the catalog", q.Query, id)
			}
			cs.Picks++
			switch {
			case vrrec.Violates(app, hard):
				q.Violating = append(q.Violating, id)
				cs.Violations++
			case len(vrrec.UnknownFor(app, hard)) > 0:
				q.Unconfirmed = append(q.Unconfirmed, id)
				cs.Unconfirmed++
			}
		}
	}
	if cs.Picks > 0 {
		cs.ViolationRate = float64(cs.Violations) / float64(cs.Picks)
		cs.UnconfirmedRate = float64(cs.Unconfirmed) / float64(cs.Picks)
	}
	r.Constraints = cs
	return nil
}

// Picks returns the apps the student was shown: the first PicksShown of
// each need's group when the answer grouped them, else of the list; each
// app once.
func (q QueryResult) Picks() []string {
	lists := q.Groups
	if len(lists) == 0 {
		lists = [][]string{q.Retrieved}
	}
	var out []string
	for _, l := range lists {
		for _, id := range l[:min(PicksShown, len(l))] {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out
}

// hardOnly returns the hard constraints of cs.
func hardOnly(cs []vrrec.Constraint) []vrrec.Constraint {
	var out []vrrec.Constraint
	for _, c := range cs {
		if c.Hard {
			out = append(out, c)
		}
	}
	return out
}

// constraintKinds are the kinds a query may state, and whether each may be
// hard (vrrec: price and seated are; the rest are preferences).
var constraintKinds = map[string]bool{
	vrrec.ConstraintFree: true, vrrec.ConstraintNoSubscription: true, vrrec.ConstraintMaxPrice: true, vrrec.ConstraintSeated: true,
	vrrec.ConstraintComfort: false, vrrec.ConstraintSmall: false, vrrec.ConstraintSolo: false, vrrec.ConstraintPlayers: false,
	vrrec.ConstraintOnline: false, vrrec.ConstraintLocal: false, vrrec.ConstraintCoop: false, vrrec.ConstraintCompetitive: false,
	vrrec.ConstraintNonViolent: false, vrrec.ConstraintMixedReality: false, vrrec.ConstraintHandTracking: false, vrrec.ConstraintLanguage: false,
}

// checkConstraints checks a query's stated constraints: a known kind, hard
// only where the kind can be, an amount where the kind needs one, each kind
// once.
func checkConstraints(cs []vrrec.Constraint) error {
	seen := map[string]bool{}
	for _, c := range cs {
		canBeHard, known := constraintKinds[c.Kind]
		switch {
		case !known:
			return fmt.Errorf("constraint kind %q is not one vrrec knows", c.Kind)
		case c.Hard && !canBeHard:
			return fmt.Errorf("constraint %q is a preference, never hard", c.Kind)
		case (c.Kind == vrrec.ConstraintMaxPrice || c.Kind == vrrec.ConstraintPlayers) && c.Amount <= 0:
			return fmt.Errorf("constraint %q needs a positive amount", c.Kind)
		case c.Kind == vrrec.ConstraintLanguage && c.Value == "":
			return fmt.Errorf("constraint %q needs a language", c.Kind)
		case seen[c.Kind]:
			return fmt.Errorf("constraint %q is stated twice", c.Kind)
		}
		seen[c.Kind] = true
	}
	return nil
}
