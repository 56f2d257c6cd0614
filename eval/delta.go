package eval

import (
	"cmp"
	"context"
	"embed"
	"fmt"
	"maps"
	"slices"

	"github.com/vrrec/vrrec"
)

// The repository's labeled sets travel in the binary, so a running service
// can measure a catalog draft against them.
//
//go:embed default.json upstream.json
var embedded embed.FS

// Builtin returns the repository's labeled sets by name ("default",
// "upstream").
func Builtin() (map[string]*Set, error) {
	out := map[string]*Set{}
	for _, name := range []string{"default", "upstream"} {
		b, err := embedded.ReadFile(name + ".json")
		if err != nil {
			return nil, fmt.Errorf("built-in query set %s: %w", name, err)
		}
		s, err := ParseSet("eval/"+name+".json", b)
		if err != nil {
			return nil, err
		}
		out[name] = s
	}
	return out, nil
}

// Delta compares one set's scores on two catalogs: the live one and a
// draft.
type Delta struct {
	Set string `json:"set"`
	// Queries is how many queries were compared.
	Queries int    `json:"queries"`
	Live    Scores `json:"live"`
	Draft   Scores `json:"draft"`
	// Worse and Better count queries whose score moved by more than
	// Tolerance (nDCG@5; for unsupported topics, honesty lost or gained).
	Worse  int `json:"worse"`
	Better int `json:"better"`
	// Worst lists the queries that got worse, the worst first (at most
	// MaxWorst).
	Worst []QueryDelta `json:"worst"`
}

// Scores are a report's headline figures.
type Scores struct {
	NDCGAt5   float64 `json:"ndcg_at_5"`
	RecallAt8 float64 `json:"recall_at_8"`
	Honesty   float64 `json:"honesty"`
}

// QueryDelta is one query's score on both catalogs and their top apps.
type QueryDelta struct {
	Query    string   `json:"query"`
	Live     float64  `json:"live"`
	Draft    float64  `json:"draft"`
	LiveTop  []string `json:"live_top"`
	DraftTop []string `json:"draft_top"`
}

// Tolerance is the smallest change of a query's nDCG@5 that counts.
const Tolerance = 0.01

// MaxWorst bounds Delta.Worst.
const MaxWorst = 10

// Compare compares the reports of the same set on the live catalog and on
// a draft.
func Compare(set string, live, draft *Report) (Delta, error) {
	if len(live.Queries) != len(draft.Queries) {
		return Delta{}, fmt.Errorf("compare %s: %d queries on the live catalog, %d on the draft", set, len(live.Queries), len(draft.Queries))
	}
	d := Delta{Set: set, Queries: len(live.Queries), Live: scores(live), Draft: scores(draft), Worst: []QueryDelta{}}
	for i, l := range live.Queries {
		r := draft.Queries[i]
		if l.Query != r.Query {
			return Delta{}, fmt.Errorf("compare %s: query %d is %q on the live catalog, %q on the draft", set, i, l.Query, r.Query)
		}
		before, after := l.NDCGAt5, r.NDCGAt5
		if l.Unsupported {
			before, after = honesty(l), honesty(r)
		}
		switch {
		case after < before-Tolerance:
			d.Worse++
			d.Worst = append(d.Worst, QueryDelta{Query: l.Query, Live: before, Draft: after, LiveTop: top(l.Retrieved), DraftTop: top(r.Retrieved)})
		case after > before+Tolerance:
			d.Better++
		}
	}
	slices.SortStableFunc(d.Worst, func(a, b QueryDelta) int { return cmp.Compare(a.Draft-a.Live, b.Draft-b.Live) })
	d.Worst = d.Worst[:min(len(d.Worst), MaxWorst)]
	return d, nil
}

// Worsened reports whether the draft scores worse than the live catalog:
// a lower nDCG@5, recall@8 or honesty.
func (d Delta) Worsened() bool {
	return d.Draft.NDCGAt5 < d.Live.NDCGAt5-Tolerance/2 || d.Draft.RecallAt8 < d.Live.RecallAt8-Tolerance/2 ||
		d.Draft.Honesty < d.Live.Honesty-Tolerance/2
}

func scores(r *Report) Scores {
	return Scores{NDCGAt5: r.NDCGAt5, RecallAt8: r.RecallAt8, Honesty: r.Honesty}
}

// honesty scores an unsupported topic: 1 when answered without a
// confident pick.
func honesty(q QueryResult) float64 {
	if q.Honest {
		return 1
	}
	return 0
}

func top(ids []string) []string { return slices.Clone(ids[:min(5, len(ids))]) }

// Quality is how a draft catalog scores beside the live one on every
// labeled set that fits the live catalog.
type Quality struct {
	Sets []Delta `json:"sets"`
	// Worsened is set when any set scores worse on the draft.
	Worsened bool `json:"worsened"`
	// Note says why nothing was measured, when nothing was.
	Note string `json:"note,omitempty"`
}

// Measure runs the sets that fit the live catalog (every labeled app in
// it) on both recommenders and compares them. Labeled apps the draft lacks
// count as missed there.
func Measure(ctx context.Context, liveCat *vrrec.Catalog, live, draft vrrec.Recommender, sets map[string]*Set) (Quality, error) {
	q := Quality{Sets: []Delta{}}
	for _, name := range slices.Sorted(maps.Keys(sets)) {
		s := sets[name]
		if s.Check(liveCat) != nil {
			continue
		}
		before, err := Run(ctx, live, s)
		if err != nil {
			return Quality{}, fmt.Errorf("measure the live catalog on %s: %w", name, err)
		}
		after, err := Run(ctx, draft, s)
		if err != nil {
			return Quality{}, fmt.Errorf("measure the draft on %s: %w", name, err)
		}
		d, err := Compare(name, before, after)
		if err != nil {
			return Quality{}, err
		}
		q.Sets = append(q.Sets, d)
		q.Worsened = q.Worsened || d.Worsened()
	}
	if len(q.Sets) == 0 {
		q.Note = "no labeled query set fits the live catalog (their apps are not in it), so quality was not measured"
	}
	return q, nil
}
