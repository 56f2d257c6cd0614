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
	// Queries is how many queries were compared; 0 when the set could not
	// be measured on one of the versions (Note says why, and the scores
	// are zero values, not measurements).
	Queries int `json:"queries"`
	// Skipped counts the queries left out because the apps they name are
	// not in both versions, so no score of theirs would compare the two.
	Skipped int    `json:"skipped"`
	Note    string `json:"note,omitempty"`
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

// Quality is how a draft catalog scores beside the live one on the
// labeled sets that apply to both.
type Quality struct {
	Sets []Delta `json:"sets"`
	// Worsened is set when any set scores worse on the draft.
	Worsened bool `json:"worsened"`
	// Note says why nothing was measured, when no set was given.
	Note string `json:"note,omitempty"`
}

// Unknown reports whether no set could be measured on both versions: the
// draft's quality is unknown, which is not the same as worse.
func (q Quality) Unknown() bool {
	return !slices.ContainsFunc(q.Sets, func(d Delta) bool { return d.Queries > 0 })
}

// Versions are the two catalogs Measure compares and their recommenders.
// Renamed maps the live id of an app the draft keeps under a new id to
// that id (catalog.Changes.RenamedIDs), so a label naming either id names
// the app in both.
type Versions struct {
	LiveCatalog, DraftCatalog *vrrec.Catalog
	Live, Draft               vrrec.Recommender
	Renamed                   map[string]string
}

// Measure runs every set on both versions and compares them, on the
// queries that apply to both: a labeled query applies when at least one
// app it names is in each version (its other apps count as missed where
// they are absent, so a draft dropping an app scores worse); a query with
// no apps (an unsupported topic) applies when most of the set's labeled
// apps are in both, since on another catalog the topic may be served. A
// set with no query that applies is reported with a note saying which
// version its labels do not name, not scored.
func Measure(ctx context.Context, v Versions, sets map[string]*Set) (Quality, error) {
	q := Quality{Sets: []Delta{}}
	m := newMapping(v)
	for _, name := range slices.Sorted(maps.Keys(sets)) {
		liveSet, draftSet, d := m.split(name, sets[name])
		if d.Queries == 0 {
			q.Sets = append(q.Sets, d)
			continue
		}
		before, err := Run(ctx, v.Live, liveSet)
		if err != nil {
			return Quality{}, fmt.Errorf("measure the live catalog on %s: %w", name, err)
		}
		after, err := Run(ctx, v.Draft, draftSet)
		if err != nil {
			return Quality{}, fmt.Errorf("measure the draft on %s: %w", name, err)
		}
		measured, err := Compare(name, before, after)
		if err != nil {
			return Quality{}, err
		}
		measured.Skipped = d.Skipped
		q.Sets = append(q.Sets, measured)
		q.Worsened = q.Worsened || measured.Worsened()
	}
	if len(q.Sets) == 0 {
		q.Note = "no labeled queries to measure with: label a few from the log"
	}
	return q, nil
}

// NotLabeled is the advice of a set that names none of a version's apps.
const NotLabeled = "label a few from the log"

// mapping resolves a labeled app id to each version's id of that app.
type mapping struct {
	live, draft map[string]string
}

func newMapping(v Versions) mapping {
	m := mapping{live: map[string]string{}, draft: map[string]string{}}
	for _, a := range v.LiveCatalog.Apps {
		m.live[a.AppID] = a.AppID
	}
	for _, a := range v.DraftCatalog.Apps {
		m.draft[a.AppID] = a.AppID
	}
	for from, to := range v.Renamed {
		if _, ok := m.live[from]; ok {
			if _, ok := m.draft[to]; ok {
				m.draft[from], m.live[to] = to, from
			}
		}
	}
	return m
}

// split returns the queries of s that apply to both versions, with their
// labels in each version's ids, and a Delta counting them (Queries,
// Skipped, and a Note when none applies).
func (m mapping) split(name string, s *Set) (live, draft *Set, d Delta) {
	live, draft = &Set{Catalog: s.Catalog}, &Set{Catalog: s.Catalog}
	d = Delta{Set: name, Worst: []QueryDelta{}}
	var labeled, inBoth, anyLive, anyDraft int
	for _, q := range s.Queries {
		for _, id := range q.labeled() {
			_, l := m.live[id]
			_, r := m.draft[id]
			labeled++
			if l && r {
				inBoth++
			}
			if l {
				anyLive++
			}
			if r {
				anyDraft++
			}
		}
	}
	mostlyShared := labeled > 0 && 2*inBoth >= labeled
	for _, q := range s.Queries {
		applies := mostlyShared
		if !q.Unsupported() {
			applies = slices.ContainsFunc(q.labeled(), func(id string) bool { _, ok := m.live[id]; return ok }) &&
				slices.ContainsFunc(q.labeled(), func(id string) bool { _, ok := m.draft[id]; return ok })
		}
		if !applies {
			d.Skipped++
			continue
		}
		live.Queries = append(live.Queries, q.in(m.live))
		draft.Queries = append(draft.Queries, q.in(m.draft))
	}
	d.Queries = len(live.Queries)
	switch {
	case d.Queries > 0:
	case anyLive == 0 && anyDraft == 0:
		d.Note = "no labeled queries name either version's apps: " + NotLabeled
	case anyDraft == 0:
		d.Note = "no labeled queries name this draft's apps, so its quality cannot be measured: " + NotLabeled
	case anyLive == 0:
		d.Note = "no labeled queries name the live catalog's apps, so there is nothing to compare with: " + NotLabeled
	default:
		d.Note = "no labeled query names apps of both versions: " + NotLabeled
	}
	return live, draft, d
}

// labeled returns the ids the query names, relevant then acceptable.
func (q Query) labeled() []string { return append(slices.Clip(q.Relevant), q.Acceptable...) }

// in returns q with its labels in a version's ids; an app the version
// lacks keeps its id, which the version never retrieves (a miss).
func (q Query) in(ids map[string]string) Query {
	tr := func(labels []string) []string {
		out := make([]string, len(labels))
		for i, id := range labels {
			out[i] = cmp.Or(ids[id], id)
		}
		return out
	}
	q.Relevant, q.Acceptable = tr(q.Relevant), tr(q.Acceptable)
	return q
}
