// Package eval measures recommendation quality against labeled queries:
// graded nDCG@5, recall@8, MRR and precision@5 for queries the catalog can
// answer, honesty for topics it cannot (no confident pick), and how well the
// match percentages are calibrated.
//
// A query file is JSON: {"catalog": "default", "queries": [...]}, each query
// {"query", "relevant": [app ids], "acceptable": [app ids], "kind", "lang",
// "split"}, and optionally "constraints" (the hard and soft conditions the
// question states, as vrrec.Constraint values) and "needs" (the separate
// needs of a message that asks for several things, each labeled on its
// own; relevant and acceptable then hold their union). Relevant apps
// (grade 2) are what an advisor would put in the top picks, acceptable
// ones (grade 1) weaker but reasonable suggestions. A query with neither is
// an unsupported topic: the catalog has nothing that fits. Labels are
// written from the catalog before any output is looked at.
package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/vrrec/vrrec"
)

// Grades of a labeled app.
const (
	Irrelevant = 0
	Acceptable = 1
	Relevant   = 2
)

// Splits of a query set: weights and thresholds are fitted on dev; figures
// are reported on test, which nothing is tuned on.
const (
	SplitDev  = "dev"
	SplitTest = "test"
)

// Kinds of query: how it is phrased. The older sets also use legacy,
// conversational, course, typo, short, long, broad and unsupported.
const (
	KindConstraint   = "constraint"    // a topic and a condition: "free painting apps", "seated"
	KindSeveralNeeds = "several_needs" // two or three needs in one message
	KindNonEnglish   = "non-english"   // wholly in another language
	KindMixed        = "mixed"         // partly English, partly another language
	KindPlainTwin    = "plain_twin"    // the topic alone, in English, of a query of the kinds above
)

// Confident is the match percentage from which a pick counts as confident:
// an unsupported topic answered with a pick this strong is a failure.
const Confident = 60

// Query is a student query with the apps a knowledgeable advisor would
// recommend.
type Query struct {
	Query      string   `json:"query"`
	Relevant   []string `json:"relevant"`
	Acceptable []string `json:"acceptable,omitempty"`
	// Kind says how the query is phrased: conversational, course, typo,
	// short, long, non-english, unsupported, broad, app, or one of the
	// Kind constants.
	Kind string `json:"kind,omitempty"`
	// Lang is the query's language (ISO 639-1) when it is not English.
	Lang  string `json:"lang,omitempty"`
	Split string `json:"split,omitempty"`
	// Constraints are the conditions the query states; the hard ones are
	// checked against every pick (see ConstraintScore).
	Constraints []vrrec.Constraint `json:"constraints,omitempty"`
	// Needs are the separate needs of a message that asks for several
	// things; its nDCG@5 is then the mean of theirs (see ScoreNeeds).
	Needs []Need `json:"needs,omitempty"`
}

// Need is one of several needs in a message, labeled on its own.
type Need struct {
	Topic      string   `json:"topic"`
	Relevant   []string `json:"relevant"`
	Acceptable []string `json:"acceptable,omitempty"`
}

// query is the need as a labeled query of its own, to score.
func (n Need) query() Query {
	return Query{Query: n.Topic, Relevant: n.Relevant, Acceptable: n.Acceptable}
}

// Unsupported reports whether nothing in the catalog fits the query.
func (q Query) Unsupported() bool { return len(q.Relevant) == 0 && len(q.Acceptable) == 0 }

// English reports whether the query is in English.
func (q Query) English() bool { return q.Lang == "" || q.Lang == "en" }

// Grade returns the grade of an app for the query.
func (q Query) Grade(appID string) int {
	switch {
	case slices.Contains(q.Relevant, appID):
		return Relevant
	case slices.Contains(q.Acceptable, appID):
		return Acceptable
	}
	return Irrelevant
}

// Set is a file of labeled queries for one catalog.
type Set struct {
	Catalog string  `json:"catalog"`
	Queries []Query `json:"queries"`
}

// LoadSet reads a query set and checks every query: a text, no app both
// relevant and acceptable, a known split, constraints of a known kind,
// needs with a topic and labels inside the query's.
func LoadSet(path string) (*Set, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load query set: %w", err)
	}
	return ParseSet(path, b)
}

// ParseSet reads a query set from its JSON text; name says where it came
// from in errors.
func ParseSet(name string, b []byte) (*Set, error) {
	path := name
	var s Set
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("load query set %s: %w", path, err)
	}
	if len(s.Queries) == 0 {
		return nil, fmt.Errorf("load query set %s: no queries", path)
	}
	seen := map[string]bool{}
	for i, q := range s.Queries {
		if strings.TrimSpace(q.Query) == "" {
			return nil, fmt.Errorf("load query set %s: query %d has no text", path, i)
		}
		if seen[q.Query] {
			return nil, fmt.Errorf("load query set %s: query %d (%q) appears twice", path, i, q.Query)
		}
		seen[q.Query] = true
		for _, id := range q.Acceptable {
			if slices.Contains(q.Relevant, id) {
				return nil, fmt.Errorf("load query set %s: query %d (%q): %s is both relevant and acceptable", path, i, q.Query, id)
			}
		}
		if q.Split != "" && q.Split != SplitDev && q.Split != SplitTest {
			return nil, fmt.Errorf("load query set %s: query %d (%q): split %q is neither dev nor test", path, i, q.Query, q.Split)
		}
		if err := checkConstraints(q.Constraints); err != nil {
			return nil, fmt.Errorf("load query set %s: query %d (%q): %w", path, i, q.Query, err)
		}
		if err := checkNeeds(q); err != nil {
			return nil, fmt.Errorf("load query set %s: query %d (%q): %w", path, i, q.Query, err)
		}
	}
	return &s, nil
}

// Check returns an error naming the first labeled app id the catalog lacks,
// since such a label could never be retrieved.
func (s *Set) Check(cat *vrrec.Catalog) error {
	ids := make(map[string]bool, len(cat.Apps))
	for _, a := range cat.Apps {
		ids[a.AppID] = true
	}
	for i, q := range s.Queries {
		for _, id := range append(slices.Clip(q.Relevant), q.Acceptable...) {
			if !ids[id] {
				return fmt.Errorf("query %d (%q): app %q is not in the catalog", i, q.Query, id)
			}
		}
	}
	return nil
}

// Filter returns the queries of the given split ("" or "all": every query).
func (s *Set) Filter(split string) *Set {
	if split == "" || split == "all" {
		return s
	}
	out := &Set{Catalog: s.Catalog}
	for _, q := range s.Queries {
		if q.Split == split {
			out.Queries = append(out.Queries, q)
		}
	}
	return out
}

// QueryResult is the score of one query.
type QueryResult struct {
	Query      string   `json:"query"`
	Kind       string   `json:"kind,omitempty"`
	Lang       string   `json:"lang,omitempty"`
	Relevant   []string `json:"relevant"`
	Acceptable []string `json:"acceptable,omitempty"`
	Retrieved  []string `json:"retrieved"`
	Percents   []int    `json:"match_percents"`
	// Groups are the picks of each need when the answer grouped them.
	Groups [][]string `json:"groups,omitempty"`
	// Needs scores each labeled need of a several-needs query.
	Needs []NeedResult `json:"needs,omitempty"`
	// Constraints are the query's stated conditions; Violating lists the
	// picks a hard one rules out by the catalog's facts, Unconfirmed the
	// picks the catalog cannot confirm (filled by Report.CheckConstraints).
	Constraints []vrrec.Constraint `json:"constraints,omitempty"`
	Violating   []string           `json:"violating,omitempty"`
	Unconfirmed []string           `json:"unconfirmed,omitempty"`
	// NothingFits is the engine saying the catalog has nothing for it.
	NothingFits bool `json:"nothing_fits"`
	Unsupported bool `json:"unsupported"`
	// Ranking metrics; zero and unused for unsupported topics. For a
	// several-needs query nDCG@5 is the mean of its needs' (see
	// ScoreNeeds); the others are of the flat list against the union.
	PrecisionAt5 float64 `json:"precision_at_5"`
	RecallAt8    float64 `json:"recall_at_8"`
	NDCGAt5      float64 `json:"ndcg_at_5"`
	RR           float64 `json:"reciprocal_rank"`
	// Honest is set for an unsupported topic answered without a confident
	// pick (no app at Confident percent or more).
	Honest bool `json:"honest"`
}

// Report holds the per-query scores and their means.
type Report struct {
	Queries []QueryResult `json:"queries"`
	// Means over the supported queries.
	Supported    int     `json:"supported"`
	PrecisionAt5 float64 `json:"precision_at_5"`
	RecallAt8    float64 `json:"recall_at_8"`
	NDCGAt5      float64 `json:"ndcg_at_5"`
	MRR          float64 `json:"mrr"`
	// Unsupported topics: how many, the share answered without a confident
	// pick, and the share the engine said nothing fits.
	Unsupported    int     `json:"unsupported"`
	Honesty        float64 `json:"honesty"`
	NothingFitRate float64 `json:"nothing_fits_rate"`
	// FalseNothing is the share of supported queries the engine said
	// nothing fits, though something does.
	FalseNothing float64 `json:"false_nothing_fits"`
	// Calibration of the match percentages of the top 8 against the labels.
	Calibration Calibration `json:"calibration"`
	// ByKind holds the mean nDCG@5 per kind of supported query.
	ByKind map[string]KindScore `json:"by_kind"`
	// Constraints counts the picks of the queries that state a hard
	// constraint that break one (goal 0); filled by CheckConstraints.
	Constraints ConstraintScore `json:"constraints"`
}

// KindScore is the mean nDCG@5 of the supported queries of one kind.
type KindScore struct {
	Queries int     `json:"queries"`
	NDCGAt5 float64 `json:"ndcg_at_5"`
}

// Answer is what an engine said for one query: the ranked apps' ids with
// their match percentages, whether it said nothing in the catalog fits,
// and, for a message with several needs answered need by need, the ids of
// each need's picks.
type Answer struct {
	IDs         []string
	Percents    []int
	NothingFits bool
	Groups      [][]string
}

// Answerer answers a query for evaluation.
type Answerer func(ctx context.Context, query string) (Answer, error)

// FromRecommender answers with a recommender's top 8; it says nothing fits
// when the result does (vrrec.Result.NothingFits). vrrec.Result has no
// per-need groups yet, so several-needs queries are scored need by need on
// the flat list (see ScoreNeeds).
func FromRecommender(rec vrrec.Recommender) Answerer {
	return func(ctx context.Context, query string) (Answer, error) {
		res, err := rec.Recommend(ctx, query, 8)
		if err != nil {
			return Answer{}, err
		}
		a := Answer{NothingFits: res.NothingFits}
		for _, app := range res.Apps {
			a.IDs = append(a.IDs, app.AppID)
			a.Percents = append(a.Percents, app.MatchPercent)
		}
		for _, n := range res.Needs {
			ids := make([]string, len(n.Apps))
			for i, app := range n.Apps {
				ids[i] = app.AppID
			}
			a.Groups = append(a.Groups, ids)
		}
		return a, nil
	}
}

// Run asks rec for the top 8 apps of every query and scores them.
func Run(ctx context.Context, rec vrrec.Recommender, s *Set) (*Report, error) {
	return RunAnswerer(ctx, FromRecommender(rec), s)
}

// RunAnswerer scores every query of s as answered by answer.
func RunAnswerer(ctx context.Context, answer Answerer, s *Set) (*Report, error) {
	rep := &Report{ByKind: map[string]KindScore{}}
	var cal calibrator
	for _, q := range s.Queries {
		a, err := answer(ctx, q.Query)
		if err != nil {
			return nil, fmt.Errorf("eval %q: %w", q.Query, err)
		}
		qr := Score(a.IDs, q)
		qr.Percents, qr.NothingFits, qr.Groups = a.Percents, a.NothingFits, a.Groups
		if len(q.Needs) > 0 && !qr.Unsupported {
			qr.Needs = ScoreNeeds(a, q)
			qr.NDCGAt5 = meanNeedNDCG(qr.Needs)
		}
		for i, id := range a.IDs[:min(8, len(a.IDs))] {
			if i < len(a.Percents) {
				cal.add(float64(a.Percents[i])/100, float64(q.Grade(id))/Relevant)
			}
		}
		if qr.Unsupported {
			rep.Unsupported++
			qr.Honest = len(a.Percents) == 0 || slices.Max(a.Percents) < Confident
			if qr.Honest {
				rep.Honesty++
			}
			if a.NothingFits {
				rep.NothingFitRate++
			}
		} else {
			rep.Supported++
			rep.PrecisionAt5 += qr.PrecisionAt5
			rep.RecallAt8 += qr.RecallAt8
			rep.NDCGAt5 += qr.NDCGAt5
			rep.MRR += qr.RR
			if a.NothingFits {
				rep.FalseNothing++
			}
			k := rep.ByKind[q.Kind]
			k.Queries++
			k.NDCGAt5 += qr.NDCGAt5
			rep.ByKind[q.Kind] = k
		}
		rep.Queries = append(rep.Queries, qr)
	}
	if n := float64(rep.Supported); n > 0 {
		rep.PrecisionAt5 /= n
		rep.RecallAt8 /= n
		rep.NDCGAt5 /= n
		rep.MRR /= n
		rep.FalseNothing /= n
	}
	if n := float64(rep.Unsupported); n > 0 {
		rep.Honesty /= n
		rep.NothingFitRate /= n
	}
	for kind, k := range rep.ByKind {
		k.NDCGAt5 /= float64(k.Queries)
		rep.ByKind[kind] = k
	}
	rep.Calibration = cal.result()
	return rep, nil
}

// Score computes the metrics of one ranked list against a labeled query:
// nDCG@5 with the grades as gains, recall@8 of every labeled app, the
// reciprocal rank of the first relevant app (of the first acceptable one
// when none is relevant), and precision@5 of labeled apps.
func Score(retrieved []string, q Query) QueryResult {
	r := QueryResult{Query: q.Query, Kind: q.Kind, Lang: q.Lang, Relevant: q.Relevant, Acceptable: q.Acceptable,
		Retrieved: retrieved, Unsupported: q.Unsupported(), Constraints: q.Constraints}
	if r.Unsupported {
		return r
	}
	firstGrade := Acceptable
	if len(q.Relevant) > 0 {
		firstGrade = Relevant
	}
	var hits5, hits8 int
	var dcg float64
	for i, id := range retrieved {
		g := q.Grade(id)
		if g == Irrelevant {
			continue
		}
		if i < 5 {
			hits5++
			dcg += float64(g) / math.Log2(float64(i)+2)
		}
		if i < 8 {
			hits8++
		}
		if r.RR == 0 && g >= firstGrade {
			r.RR = 1 / float64(i+1)
		}
	}
	var ideal []int
	for range q.Relevant {
		ideal = append(ideal, Relevant)
	}
	for range q.Acceptable {
		ideal = append(ideal, Acceptable)
	}
	var idcg float64
	for i, g := range ideal[:min(5, len(ideal))] {
		idcg += float64(g) / math.Log2(float64(i)+2)
	}
	r.PrecisionAt5 = float64(hits5) / 5
	r.RecallAt8 = float64(hits8) / float64(len(ideal))
	r.NDCGAt5 = dcg / idcg
	return r
}
