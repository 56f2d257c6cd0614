package rag

import "math"

// Weights fuse an app's Evidence into a probability that an advisor would
// call the app relevant, in two steps. The evidence weights give an app's
// strength, Σ weight × evidence, which orders apps within a query; the
// calibration turns strength into a probability, 1 / (1 + e^-logit) with
// logit = Bias + Scale × strength + Best × the strength of the query's best
// app (both scaled by the share of the query the catalog covers), so the
// probability says both how well the app matches and whether anything
// matches well. All are fitted by logistic regression on the dev half of
// the labeled query sets (vrrec eval --fit; docs/retrieval.md); evidence
// weights and Scale are kept non-negative, so more evidence never lowers
// an app. (Tried and dropped, measured on the dev queries: piecewise-linear
// curves per kind of evidence, which the fit kept straight; the similarity
// relative to the query's other apps as evidence, which ranked worse.)
type Weights struct {
	Dense   float64 `json:"dense"`
	Skill   float64 `json:"skill"`
	Lexical float64 `json:"lexical"`
	Course  float64 `json:"course"`
	Name    float64 `json:"name"`

	Bias  float64 `json:"bias"`
	Scale float64 `json:"scale"`
	Best  float64 `json:"best"`
}

// DefaultWeights were fitted with `vrrec eval --fit` on the dev split of
// eval/default.json and eval/upstream.json with the built-in model
// (all-MiniLM-L6-v2).
var DefaultWeights = Weights{Dense: 1.061, Skill: 0.393, Lexical: 2.070, Course: 2.259, Name: 0, Bias: -2.785, Scale: 0.980, Best: -0.451}

// Confidence thresholds on the fused probability. An app below FitMin is
// not recommended; when none reaches it, the catalog has nothing for the
// query, and the reply names at most three apps of WeakMin or more as the
// nearest, none a strong match. Top Picks start at TopPickMin.
const (
	WeakMin    = 0.10
	FitMin     = 0.30
	TopPickMin = 0.50
)

// strength is the weighted sum of an app's evidence: what ranks apps
// within one query.
func (w Weights) strength(ev Evidence) float64 {
	c := w.contributions(ev)
	return c.dense + c.skill + c.lexical + c.course + c.name
}

// covered is the strength of an app scaled by the share of the query the
// catalog covers: for "sign language", where the catalog never says
// "sign", a language app's strong match on "language" counts only for the
// IDF-weighted share "language" has of the query (about a third). Within
// one query it keeps the order of strength.
func (w Weights) covered(ev Evidence) float64 { return (1 - ev.Uncovered) * w.strength(ev) }

// probability returns the probability that an app of covered strength s
// fits, when the query's best app has covered strength best.
func (w Weights) probability(s, best float64) float64 {
	return sigmoid(w.Bias + w.Scale*s + w.Best*best)
}

// parts is what each kind of evidence adds to an app's strength.
type parts struct{ dense, skill, lexical, course, name float64 }

// contributions returns what each kind of evidence adds to the strength,
// for explaining a pick by its strongest evidence.
func (w Weights) contributions(ev Evidence) parts {
	return parts{dense: w.Dense * ev.Dense, skill: w.Skill * ev.Skill, lexical: w.Lexical * ev.Lexical,
		course: w.Course * ev.Course, name: w.Name * ev.Name}
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// vector returns the evidence as a feature vector in Weights' field order
// (without the bias).
func (ev Evidence) vector() []float64 {
	return []float64{ev.Dense, ev.Skill, ev.Lexical, ev.Course, ev.Name}
}

// features is the length of Evidence.vector.
const features = 5

func weightsFrom(w []float64) Weights {
	return Weights{Dense: w[0], Skill: w[1], Lexical: w[2], Course: w[3], Name: w[4]}
}
