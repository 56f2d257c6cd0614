package eval_test

import (
	"context"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/eval"
	"github.com/vrrec/vrrec/graph"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/rag"
)

func TestScore(t *testing.T) {
	// Relevant a, b, acceptable c; retrieved: a at rank 1, b at 3, c at 7.
	q := eval.Query{Query: "q", Relevant: []string{"a", "b"}, Acceptable: []string{"c"}}
	r := eval.Score([]string{"x", "a", "b", "y", "z", "w", "c", "v"}, q)
	if r.PrecisionAt5 != 0.4 {
		t.Errorf("P@5 = %v, want 0.4", r.PrecisionAt5)
	}
	if r.RecallAt8 != 1 {
		t.Errorf("R@8 = %v, want 1", r.RecallAt8)
	}
	dcg := 2/math.Log2(3) + 2/math.Log2(4)
	idcg := 2 + 2/math.Log2(3) + 1/math.Log2(4)
	if math.Abs(r.NDCGAt5-dcg/idcg) > 1e-12 {
		t.Errorf("nDCG@5 = %v, want %v", r.NDCGAt5, dcg/idcg)
	}
	if r.RR != 0.5 {
		t.Errorf("RR = %v, want 0.5 (first relevant at rank 2)", r.RR)
	}
	if r := eval.Score(nil, q); r.PrecisionAt5 != 0 || r.RecallAt8 != 0 || r.NDCGAt5 != 0 || r.RR != 0 {
		t.Errorf("empty retrieval scored %+v", r)
	}
	// Only acceptable apps: the first of them counts for RR.
	if r := eval.Score([]string{"x", "c"}, eval.Query{Query: "q", Acceptable: []string{"c"}}); r.RR != 0.5 || r.NDCGAt5 != 1/math.Log2(3) {
		t.Errorf("acceptable-only query scored %+v", r)
	}
	if r := eval.Score([]string{"a"}, eval.Query{Query: "q"}); !r.Unsupported || r.NDCGAt5 != 0 {
		t.Errorf("a query with no labels is an unsupported topic: %+v", r)
	}
}

// fixed answers with set ids and percentages, to check the report.
type fixed map[string]eval.Answer

func (f fixed) answer(_ context.Context, q string) (eval.Answer, error) { return f[q], nil }

func TestReportHonestyAndCalibration(t *testing.T) {
	set := &eval.Set{Queries: []eval.Query{
		{Query: "supported", Relevant: []string{"a"}},
		{Query: "tax law"}, {Query: "wine tasting"},
	}}
	rep, err := eval.RunAnswerer(context.Background(), fixed{
		"supported":    {IDs: []string{"a", "b"}, Percents: []int{95, 5}},
		"tax law":      {IDs: []string{"a"}, Percents: []int{75}},
		"wine tasting": {IDs: []string{"b"}, Percents: []int{12}, NothingFits: true},
	}.answer, set)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Supported != 1 || rep.Unsupported != 2 || rep.NDCGAt5 != 1 {
		t.Errorf("report %+v", rep)
	}
	if rep.Honesty != 0.5 || rep.NothingFitRate != 0.5 {
		t.Errorf("honesty %.2f (want 0.5: a 75%% pick for tax law is a failure), nothing-fits rate %.2f", rep.Honesty, rep.NothingFitRate)
	}
	// Pairs: (0.95, 1), (0.05, 0), (0.75, 0), (0.12, 0).
	want := (1*0.05 + 1*0.05 + 1*0.75 + 1*0.12) / 4
	if math.Abs(rep.Calibration.ECE-want) > 1e-9 || rep.Calibration.Pairs != 4 {
		t.Errorf("ECE %.4f over %d pairs, want %.4f over 4", rep.Calibration.ECE, rep.Calibration.Pairs, want)
	}
}

func TestLoadSetValidates(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	for name, body := range map[string]string{
		"empty.json":     `{"queries": []}`,
		"broken.json":    `{"queries": [`,
		"notext.json":    `{"queries": [{"query": " ", "relevant": ["a"]}]}`,
		"twice.json":     `{"queries": [{"query": "x", "relevant": ["a"]}, {"query": "x", "relevant": ["b"]}]}`,
		"both.json":      `{"queries": [{"query": "x", "relevant": ["a"], "acceptable": ["a"]}]}`,
		"split.json":     `{"queries": [{"query": "x", "relevant": ["a"], "split": "train"}]}`,
		"kind.json":      `{"queries": [{"query": "x", "relevant": ["a"], "constraints": [{"kind": "cheapish", "hard": true}]}]}`,
		"soft.json":      `{"queries": [{"query": "x", "relevant": ["a"], "constraints": [{"kind": "comfort", "hard": true}]}]}`,
		"cap.json":       `{"queries": [{"query": "x", "relevant": ["a"], "constraints": [{"kind": "max_price", "hard": true}]}]}`,
		"dup.json":       `{"queries": [{"query": "x", "relevant": ["a"], "constraints": [{"kind": "free", "hard": true}, {"kind": "free", "hard": true}]}]}`,
		"oneneed.json":   `{"queries": [{"query": "x", "relevant": ["a"], "needs": [{"topic": "t", "relevant": ["a"]}]}]}`,
		"needout.json":   `{"queries": [{"query": "x", "relevant": ["a", "b"], "needs": [{"topic": "t", "relevant": ["a"]}, {"topic": "u", "relevant": ["c"]}]}]}`,
		"needbare.json":  `{"queries": [{"query": "x", "relevant": ["a", "b"], "needs": [{"topic": "t", "relevant": ["a"]}, {"topic": "u"}]}]}`,
		"needtopic.json": `{"queries": [{"query": "x", "relevant": ["a", "b"], "needs": [{"topic": "t", "relevant": ["a"]}, {"topic": " ", "relevant": ["b"]}]}]}`,
		"needboth.json":  `{"queries": [{"query": "x", "relevant": ["a", "b"], "needs": [{"topic": "t", "relevant": ["a"], "acceptable": ["a"]}, {"topic": "u", "relevant": ["b"]}]}]}`,
	} {
		if _, err := eval.LoadSet(write(name, body)); err == nil {
			t.Errorf("%s loaded without error", name)
		}
	}
	set, err := eval.LoadSet(write("ok.json", `{"queries": [{"query": "x", "relevant": ["nope"]}, {"query": "tax law", "relevant": []}]}`))
	if err != nil {
		t.Fatal(err)
	}
	cat, _ := catalog.Default()
	if err := set.Check(cat); err == nil {
		t.Error("an unknown app id in the labels must be reported")
	}
	set, err = eval.LoadSet(write("needs.json", `{"queries": [{"query": "x", "relevant": ["medicalholodeck", "beat-saber"], "needs": [
		{"topic": "anatomy", "relevant": ["medicalholodeck"]}, {"topic": "fitness", "relevant": ["beat-saber"]}],
		"constraints": [{"kind": "max_price", "amount": 20, "hard": true}, {"kind": "solo", "hard": false}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if q := set.Queries[0]; len(q.Needs) != 2 || len(q.Constraints) != 2 || q.Constraints[0].Amount != 20 || !q.Constraints[0].Hard {
		t.Fatalf("needs and constraints not read: %+v", q)
	}
	if err := set.Check(cat); err != nil {
		t.Error(err)
	}
}

// The repository's sets are as the issue asks: enough queries, phrasing
// variety, unsupported topics, and a held-out test split.
func TestSetsAreBigAndVaried(t *testing.T) {
	for name, want := range map[string]int{"default.json": 120, "upstream.json": 60} {
		set, err := eval.LoadSet(filepath.Join(testenv.RepoRoot(), "eval", name))
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		unsupported, test := 0, 0
		for _, q := range set.Queries {
			kinds[q.Kind]++
			if q.Unsupported() {
				unsupported++
			}
			if q.Split == eval.SplitTest {
				test++
			}
		}
		if len(set.Queries) < want || unsupported < 20 || test < 30 {
			t.Errorf("%s: %d queries (want %d), %d unsupported (want 20), %d in the test split", name, len(set.Queries), want, unsupported, test)
		}
		for _, k := range []string{"conversational", "course", "typo", "short", "long", "non-english"} {
			if kinds[k] == 0 {
				t.Errorf("%s has no %s queries", name, k)
			}
		}
	}
}

// The phrasing families of issue 21: constraints, several needs, other and
// mixed languages, and plain English twins to compare them with.
func TestSetsHaveThePhrasingFamilies(t *testing.T) {
	for name, want := range map[string]map[string]int{
		"default.json":  {eval.KindConstraint: 25, eval.KindSeveralNeeds: 12, eval.KindNonEnglish: 15, eval.KindMixed: 6, eval.KindPlainTwin: 10},
		"upstream.json": {eval.KindConstraint: 10},
	} {
		set, err := eval.LoadSet(filepath.Join(testenv.RepoRoot(), "eval", name))
		if err != nil {
			t.Fatal(err)
		}
		kinds, hard := map[string]int{}, 0
		for _, q := range set.Queries {
			kinds[q.Kind]++
			if q.Kind == eval.KindSeveralNeeds && len(q.Needs) < 2 {
				t.Errorf("%s: several-needs query %q labels no needs", name, q.Query)
			}
			if (q.Kind == eval.KindNonEnglish || q.Kind == eval.KindMixed) && q.English() {
				t.Errorf("%s: %s query %q has no language", name, q.Kind, q.Query)
			}
			for _, c := range q.Constraints {
				if c.Hard {
					hard++
					break
				}
			}
		}
		for k, n := range want {
			if kinds[k] < n {
				t.Errorf("%s: %d %s queries, want %d", name, kinds[k], k, n)
			}
		}
		if hard < want[eval.KindConstraint]/2 {
			t.Errorf("%s: %d queries state a hard constraint", name, hard)
		}
	}
}

// floors are the least quality a split must keep: nDCG@5, recall@8,
// honesty, the most calibration error, and the least lead in nDCG@5 over
// the old system's retrieval on the same model.
type floors struct{ ndcg, recall, honesty, ece, lead float64 }

func runSet(t *testing.T, cat *vrrec.Catalog, name string) map[string]*eval.Report {
	t.Helper()
	set, err := eval.LoadSet(filepath.Join(testenv.RepoRoot(), "eval", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := set.Check(cat); err != nil {
		t.Fatal(err)
	}
	eng := testenv.Engine(t, cat)
	emb := testenv.Embedder(t)
	old, err := rag.NewOldSystem(context.Background(), cat, "v", graph.New(cat), emb, testenv.VectorCache(t, emb))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*eval.Report{}
	for _, split := range []string{eval.SplitDev, eval.SplitTest} {
		sub := set.Filter(split)
		if out[split], err = eval.Run(context.Background(), eng, sub); err != nil {
			t.Fatal(err)
		}
		if err := out[split].CheckConstraints(cat); err != nil {
			t.Fatal(err)
		}
		if out["old "+split], err = eval.Run(context.Background(), old, sub); err != nil {
			t.Fatal(err)
		}
		r, o := out[split], out["old "+split]
		t.Logf("%s %s: %d queries: nDCG@5 %.3f (old system %.3f) R@8 %.3f MRR %.3f honesty %.2f ECE %.3f; broken picks %d/%d",
			name, split, len(r.Queries), r.NDCGAt5, o.NDCGAt5, r.RecallAt8, r.MRR, r.Honesty, r.Calibration.ECE,
			r.Constraints.Violations, r.Constraints.Picks)
		var kinds []string
		for _, k := range slices.Sorted(maps.Keys(r.ByKind)) {
			kinds = append(kinds, fmt.Sprintf("%s %.2f (%d)", k, r.ByKind[k].NDCGAt5, r.ByKind[k].Queries))
		}
		t.Logf("%s %s by kind: %s", name, split, strings.Join(kinds, ", "))
	}
	return out
}

// Floors sit a little under the values measured when they were set (see
// docs/retrieval.md); a change that loses quality fails here. The test
// split was never tuned on.
func checkFloors(t *testing.T, reps map[string]*eval.Report, split string, f floors) {
	t.Helper()
	r, old := reps[split], reps["old "+split]
	if r.NDCGAt5 < f.ndcg || r.RecallAt8 < f.recall || r.Honesty < f.honesty || r.Calibration.ECE > f.ece {
		t.Errorf("%s: quality fell below the floors: nDCG@5 %.3f (floor %.2f), R@8 %.3f (floor %.2f), honesty %.2f (floor %.2f), ECE %.3f (ceiling %.2f)",
			split, r.NDCGAt5, f.ndcg, r.RecallAt8, f.recall, r.Honesty, f.honesty, r.Calibration.ECE, f.ece)
	}
	if r.NDCGAt5 < old.NDCGAt5+f.lead {
		t.Errorf("%s: nDCG@5 %.3f is not %.2f above the old system's %.3f", split, r.NDCGAt5, f.lead, old.NDCGAt5)
	}
}

// checkFamilies fails when a pick breaks a stated hard constraint, or when
// a phrasing family's nDCG@5 falls under its floor.
func checkFamilies(t *testing.T, reps map[string]*eval.Report, split string, floors map[string]float64) {
	t.Helper()
	r := reps[split]
	if c := r.Constraints; c.Queries == 0 || c.Violations != 0 {
		t.Errorf("%s: %d of %d picks break a stated hard constraint (%d queries state one)", split, c.Violations, c.Picks, c.Queries)
	}
	for kind, floor := range floors {
		if got := r.ByKind[kind]; got.Queries == 0 || got.NDCGAt5 < floor {
			t.Errorf("%s: %s nDCG@5 %.3f over %d queries, floor %.2f", split, kind, got.NDCGAt5, got.Queries, floor)
		}
	}
}

func TestQualityOnDefaultCatalog(t *testing.T) {
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	reps := runSet(t, cat, "default.json")
	checkFloors(t, reps, eval.SplitDev, floors{ndcg: 0.84, recall: 0.83, honesty: 1, ece: 0.07, lead: 0.25})
	checkFloors(t, reps, eval.SplitTest, floors{ndcg: 0.78, recall: 0.78, honesty: 1, ece: 0.07, lead: 0.33})
	// The phrasing families of #21 (docs/retrieval.md, section 7).
	checkFamilies(t, reps, eval.SplitDev, map[string]float64{eval.KindConstraint: 0.85, eval.KindSeveralNeeds: 0.84,
		eval.KindNonEnglish: 0.83, eval.KindMixed: 0.78, eval.KindPlainTwin: 0.90})
	checkFamilies(t, reps, eval.SplitTest, map[string]float64{eval.KindConstraint: 0.76, eval.KindSeveralNeeds: 0.60,
		eval.KindNonEnglish: 0.88, eval.KindMixed: 0.92, eval.KindPlainTwin: 0.88})
}

func TestQualityOnUpstreamCatalog(t *testing.T) {
	dir := testenv.UpstreamData(t)
	cat, _, err := catalog.ReadDir(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	reps := runSet(t, cat, "upstream.json")
	checkFloors(t, reps, eval.SplitDev, floors{ndcg: 0.82, recall: 0.89, honesty: 1, ece: 0.07, lead: 0.45})
	// Two test topics lost their only labels when their apps (phone and
	// clinic tools) stopped being served, and nothing was labeled in
	// their place; the engine picks an app at 60% or more for them. Since
	// other languages are read (#21), a third: "Ich möchte Geometrie und
	// Funktionen in 3D sehen", read as geometry in 3D, gets an anatomy app
	// at 73% as its English twin would (11/14).
	checkFloors(t, reps, eval.SplitTest, floors{ndcg: 0.78, recall: 0.84, honesty: 0.78, ece: 0.07, lead: 0.35})
	checkFamilies(t, reps, eval.SplitDev, map[string]float64{eval.KindConstraint: 0.63})
	checkFamilies(t, reps, eval.SplitTest, map[string]float64{eval.KindConstraint: 0.77})
}
