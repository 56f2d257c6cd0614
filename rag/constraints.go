package rag

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/ask"
)

// unconfirmed is what a hard constraint the catalog cannot confirm takes
// from an app's strength (the fused evidence whose sigmoid is its
// probability), for the apps that do not fit, where no tier orders them.
// Constraints never change a match percentage, which says how well the app
// fits the topic.
const unconfirmed = 0.4

// preference is what the constraints take from an app's strength.
func preference(a vrrec.VRApp, cs []vrrec.Constraint) float64 {
	d := 0.0
	for _, c := range cs {
		if c.Hard && c.Satisfies(a) == vrrec.Unknown {
			d -= unconfirmed
		}
	}
	return d
}

// preferencesMet counts the soft constraints an app meets less those it
// breaks; unknown ones count neither way.
func preferencesMet(a vrrec.VRApp, cs []vrrec.Constraint) int {
	n := 0
	for _, c := range cs {
		if c.Hard {
			continue
		}
		switch c.Satisfies(a) {
		case vrrec.Yes:
			n++
		case vrrec.No:
			n--
		}
	}
	return n
}

// cardFacets are the facts about an app that matter to a question with
// these constraints, as its card shows them: only what the catalog knows.
func cardFacets(a vrrec.VRApp, cs []vrrec.Constraint) []string {
	var out []string
	f := a.Facets
	add := func(s string) {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, c := range cs {
		if c.Satisfies(a) != vrrec.Yes {
			continue
		}
		switch c.Kind {
		case vrrec.ConstraintSeated:
			add("Seated")
		case vrrec.ConstraintComfort:
			add("Comfort: " + f.Comfort)
		case vrrec.ConstraintSmall:
			add("Stationary play")
		case vrrec.ConstraintSolo:
			add("Single player")
		case vrrec.ConstraintPlayers, vrrec.ConstraintOnline, vrrec.ConstraintLocal, vrrec.ConstraintCoop, vrrec.ConstraintCompetitive:
			add(playersFacet(f.Players))
		case vrrec.ConstraintMixedReality:
			add("Mixed reality")
		case vrrec.ConstraintHandTracking:
			add("Hand tracking")
		case vrrec.ConstraintNonViolent:
			if len(f.Genres) > 0 {
				add(strings.Join(f.Genres[:min(2, len(f.Genres))], ", "))
			}
		case vrrec.ConstraintLanguage:
			add("In " + strings.ToUpper(c.Value))
		}
	}
	return out
}

// playersFacet says who an app is played with: "Up to 4 players online
// and in one room", "Multiplayer".
func playersFacet(p vrrec.Players) string {
	var where []string
	if p.Online == vrrec.Yes {
		where = append(where, "online")
	}
	if p.Local == vrrec.Yes {
		where = append(where, "in one room")
	}
	s := "Multiplayer"
	if p.Max > 1 {
		s = "Up to " + strconv.Itoa(p.Max) + " players"
	}
	if len(where) > 0 {
		s += " " + strings.Join(where, " and ")
	}
	return s
}

// relax offers what comes nearest when the hard constraints leave no app
// that fits: the apps that fit the topic but break a constraint, with a
// sentence saying which was eased. For a price, the cheapest with a known
// price first; otherwise the best fits. Only apps that fit (FitMin) are
// offered.
func (e *Engine) relax(violating []scored, cs []vrrec.Constraint, topic string,
	order func(a, b scored) int, explain func(scored) vrrec.AppRecommendation) (string, []vrrec.AppRecommendation) {
	var fits []scored
	for _, s := range violating {
		if s.p >= FitMin {
			fits = append(fits, s)
		}
	}
	if len(fits) == 0 {
		return "", nil
	}
	hard := hardLabels(cs)
	price := priceConstraint(cs)
	broken := func(s scored) []vrrec.Constraint {
		var out []vrrec.Constraint
		for _, c := range cs {
			if c.Hard && c.Satisfies(e.apps[s.app]) == vrrec.No {
				out = append(out, c)
			}
		}
		return out
	}
	slices.SortFunc(fits, order)
	if price != nil {
		// Apps that break only the price, cheapest first.
		only := slices.DeleteFunc(slices.Clone(fits), func(s scored) bool {
			b := broken(s)
			_, known := e.apps[s.app].Price.Upfront()
			return len(b) != 1 || b[0].Kind != price.Kind || !known
		})
		slices.SortStableFunc(only, func(a, b scored) int {
			pa, _ := e.apps[a.app].Price.Upfront()
			pb, _ := e.apps[b.app].Price.Upfront()
			return cmp.Compare(pa, pb)
		})
		if len(only) > 0 {
			only = only[:min(3, len(only))]
			most, _ := e.apps[only[len(only)-1].app].Price.Upfront()
			out := make([]vrrec.AppRecommendation, len(only))
			for i, s := range only {
				out[i] = explain(s)
			}
			what := "under " + vrrec.DollarLabel(math.Floor(most)+1)
			if len(only) == 1 {
				what = "for " + vrrec.DollarLabel(most)
			}
			return fmt.Sprintf("Nothing %s fits %s; %s %s:", strings.ToLower(priceWords(*price)), topic, countApps(len(out)), what), out
		}
	}
	out := make([]vrrec.AppRecommendation, 0, 3)
	for _, s := range fits[:min(3, len(fits))] {
		out = append(out, explain(s))
	}
	return fmt.Sprintf("Nothing that fits %s is known to meet %s; the nearest, which do not:", topic, hard), out
}

// priceWords is how a relaxed answer names a price constraint: "free",
// "under $10", "without a subscription".
func priceWords(c vrrec.Constraint) string {
	if c.Kind == vrrec.ConstraintNoSubscription {
		return "without a subscription"
	}
	return ask.Phrase(c)
}

// priceConstraint returns the hard price constraint among cs, or nil.
func priceConstraint(cs []vrrec.Constraint) *vrrec.Constraint {
	for i, c := range cs {
		if c.Hard && ask.IsPrice(c.Kind) {
			return &cs[i]
		}
	}
	return nil
}

// hardLabels names the hard constraints in lower case: "free apps only and
// seated play".
func hardLabels(cs []vrrec.Constraint) string {
	var out []string
	for _, c := range cs {
		if c.Hard {
			out = append(out, strings.ToLower(c.Label))
		}
	}
	return listWords(out, len(out))
}

// countApps is "1 app", "2 apps".
func countApps(n int) string {
	if n == 1 {
		return "1 app"
	}
	return strconv.Itoa(n) + " apps"
}
