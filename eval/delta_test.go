package eval_test

import (
	"context"
	"testing"

	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/eval"
	"github.com/vrrec/vrrec/internal/testenv"
)

func TestCompareFindsTheQueriesADraftMakesWorse(t *testing.T) {
	set := &eval.Set{Queries: []eval.Query{
		{Query: "python", Relevant: []string{"a"}},
		{Query: "anatomy", Relevant: []string{"b"}, Acceptable: []string{"c"}},
		{Query: "origami"}, // unsupported
		{Query: "chess", Relevant: []string{"d"}},
	}}
	answers := func(m map[string]eval.Answer) eval.Answerer {
		return func(_ context.Context, q string) (eval.Answer, error) { return m[q], nil }
	}
	live, err := eval.RunAnswerer(context.Background(), answers(map[string]eval.Answer{
		"python":  {IDs: []string{"a", "x"}, Percents: []int{90, 40}},
		"anatomy": {IDs: []string{"c", "b"}, Percents: []int{80, 70}},
		"origami": {IDs: []string{"x"}, Percents: []int{30}},
		"chess":   {IDs: []string{"x", "d"}, Percents: []int{50, 45}},
	}), set)
	if err != nil {
		t.Fatal(err)
	}
	draft, err := eval.RunAnswerer(context.Background(), answers(map[string]eval.Answer{
		"python":  {IDs: []string{"x", "y", "z"}, Percents: []int{90, 80, 70}}, // lost its app
		"anatomy": {IDs: []string{"b", "c"}, Percents: []int{80, 70}},          // better
		"origami": {IDs: []string{"x"}, Percents: []int{95}},                   // now a confident wrong pick
		"chess":   {IDs: []string{"x", "d"}, Percents: []int{50, 45}},          // same
	}), set)
	if err != nil {
		t.Fatal(err)
	}
	d, err := eval.Compare("toy", live, draft)
	if err != nil {
		t.Fatal(err)
	}
	if d.Worse != 2 || d.Better != 1 || len(d.Worst) != 2 || !d.Worsened() {
		t.Fatalf("delta %+v: want 2 worse, 1 better, worsened", d)
	}
	// python fell from 1 to 0, origami from honest (1) to not (0): equal
	// drops keep the set's order.
	if d.Worst[0].Query != "python" || d.Worst[0].Live != 1 || d.Worst[0].Draft != 0 || d.Worst[0].DraftTop[0] != "x" {
		t.Errorf("worst %+v", d.Worst[0])
	}
	if same, _ := eval.Compare("toy", live, live); same.Worse != 0 || same.Better != 0 || same.Worsened() {
		t.Errorf("a catalog against itself: %+v", same)
	}
	if _, err := eval.Compare("toy", live, &eval.Report{}); err == nil {
		t.Error("reports of different query lists compared without an error")
	}
}

func TestBuiltinSetsFitTheEmbeddedCatalog(t *testing.T) {
	sets, err := eval.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	if err := sets["default"].Check(cat); err != nil || len(sets["default"].Queries) < 100 {
		t.Errorf("the built-in default set (%d queries) against the embedded catalog: %v", len(sets["default"].Queries), err)
	}
	if sets["upstream"] == nil || len(sets["upstream"].Queries) == 0 {
		t.Error("the built-in upstream set is missing")
	}
}

func TestMeasureSeesAnAppRemoved(t *testing.T) {
	sets, err := eval.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	live, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	// The draft loses every app labeled relevant for the first query.
	gone := map[string]bool{}
	for _, id := range sets["default"].Queries[0].Relevant {
		gone[id] = true
	}
	draft := *live
	draft.Apps = nil
	for _, a := range live.Apps {
		if !gone[a.AppID] {
			draft.Apps = append(draft.Apps, a)
		}
	}
	draft.AppSkills = nil
	for _, m := range live.AppSkills {
		if !gone[m.SourceID] {
			draft.AppSkills = append(draft.AppSkills, m)
		}
	}
	only := map[string]*eval.Set{"default": sets["default"]}
	liveEng := testenv.Engine(t, live)
	q, err := eval.Measure(context.Background(), live, liveEng, testenv.Engine(t, &draft), only)
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Sets) != 1 || !q.Worsened || q.Sets[0].Worse == 0 || q.Sets[0].Worst[0].Query == "" {
		t.Fatalf("quality %+v: want the default set measured and worse", q)
	}
	found := false
	for _, w := range q.Sets[0].Worst {
		found = found || w.Query == sets["default"].Queries[0].Query
	}
	if !found {
		t.Errorf("the query whose apps were removed is not among the worst: %+v", q.Sets[0].Worst)
	}
	same, err := eval.Measure(context.Background(), live, liveEng, liveEng, only)
	if err != nil || same.Worsened || same.Sets[0].Worse != 0 {
		t.Errorf("the live catalog against itself: %+v, %v", same, err)
	}
	// A catalog no set fits is not measured, and says so.
	none, err := eval.Measure(context.Background(), &draft, liveEng, liveEng, only)
	if err != nil || len(none.Sets) != 0 || none.Note == "" || none.Worsened {
		t.Errorf("a catalog no set fits: %+v, %v", none, err)
	}
}
