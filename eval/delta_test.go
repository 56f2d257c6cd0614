package eval_test

import (
	"context"
	"os"
	"strings"
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
	// The draft loses the first app labeled relevant for the first
	// queries; their other apps are still there, so they still apply.
	gone := map[string]bool{}
	for _, q := range sets["default"].Queries[:5] {
		gone[q.Relevant[0]] = true
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
	q, err := eval.Measure(context.Background(), eval.Versions{LiveCatalog: live, DraftCatalog: &draft, Live: liveEng, Draft: testenv.Engine(t, &draft)}, only)
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Sets) != 1 || !q.Worsened || q.Unknown() || q.Sets[0].Worse == 0 || q.Sets[0].Worst[0].Query == "" {
		t.Fatalf("quality %+v: want the default set measured and worse", q)
	}
	found := false
	for _, w := range q.Sets[0].Worst {
		found = found || w.Query == sets["default"].Queries[0].Query
	}
	if !found {
		t.Errorf("the query whose app was removed is not among the worst: %+v", q.Sets[0].Worst)
	}
	same, err := eval.Measure(context.Background(), eval.Versions{LiveCatalog: live, DraftCatalog: live, Live: liveEng, Draft: liveEng}, only)
	if err != nil || same.Worsened || same.Sets[0].Worse != 0 || same.Sets[0].Queries != len(sets["default"].Queries) {
		t.Errorf("the live catalog against itself: %+v, %v", same, err)
	}
}

// TestMeasureAcrossIDStyles: the old system's catalog as a draft of the
// embedded one. The built-in default set reaches the draft's apps through
// the apps kept under new ids, so its scores there are not zero; the
// upstream set names the live catalog's apps only through those, and a
// set naming none of the draft's apps says it cannot be measured rather
// than scoring 0.
func TestMeasureAcrossIDStyles(t *testing.T) {
	sets, err := eval.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	live, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	draft, _, err := catalog.ReadDir(os.DirFS(testenv.UpstreamData(t)))
	if err != nil {
		t.Fatal(err)
	}
	v := eval.Versions{LiveCatalog: live, DraftCatalog: draft, Live: testenv.Engine(t, live), Draft: testenv.Engine(t, draft),
		Renamed: catalog.Compare(live, draft).Apps.RenamedIDs()}
	q, err := eval.Measure(context.Background(), v, sets)
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Sets) != 2 || q.Unknown() {
		t.Fatalf("quality %+v: want both sets measured", q)
	}
	for _, d := range q.Sets {
		t.Logf("%s: %d queries, %d skipped: nDCG@5 %.3f → %.3f", d.Set, d.Queries, d.Skipped, d.Live.NDCGAt5, d.Draft.NDCGAt5)
		if d.Queries == 0 || d.Skipped == 0 || d.Draft.NDCGAt5 == 0 || d.Live.NDCGAt5 == 0 {
			t.Errorf("%s: %+v: want the queries naming apps of both measured, the others skipped, neither score 0", d.Set, d)
		}
	}

	// Without the apps kept under new ids, the upstream set names nothing
	// in the live catalog.
	v.Renamed = nil
	q, err = eval.Measure(context.Background(), v, map[string]*eval.Set{"upstream": sets["upstream"]})
	if err != nil {
		t.Fatal(err)
	}
	if !q.Unknown() || q.Worsened || q.Sets[0].Queries != 0 || !strings.Contains(q.Sets[0].Note, "live catalog's apps") {
		t.Errorf("a set naming none of the live apps: %+v", q)
	}
	v.LiveCatalog, v.DraftCatalog, v.Live, v.Draft = draft, live, v.Draft, v.Live
	q, err = eval.Measure(context.Background(), v, map[string]*eval.Set{"upstream": sets["upstream"]})
	if err != nil || !q.Unknown() || !strings.Contains(q.Sets[0].Note, "this draft's apps") || !strings.Contains(q.Sets[0].Note, eval.NotLabeled) {
		t.Errorf("a set naming none of the draft's apps: %+v, %v", q, err)
	}
}
