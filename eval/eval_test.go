package eval_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/eval"
	"github.com/vrrec/vrrec/internal/testenv"
)

func TestScore(t *testing.T) {
	// Relevant a, b, c; retrieved hits at ranks 1 and 3 within the top 5,
	// and c at rank 7.
	r := eval.Score([]string{"a", "x", "b", "y", "z", "w", "c", "v"}, []string{"a", "b", "c"})
	if r.PrecisionAt5 != 0.4 {
		t.Errorf("P@5 = %v, want 0.4", r.PrecisionAt5)
	}
	if r.RecallAt8 != 1 {
		t.Errorf("R@8 = %v, want 1", r.RecallAt8)
	}
	dcg := 1 + 1/math.Log2(4)
	idcg := 1 + 1/math.Log2(3) + 1/math.Log2(4)
	if math.Abs(r.NDCGAt5-dcg/idcg) > 1e-12 {
		t.Errorf("nDCG@5 = %v, want %v", r.NDCGAt5, dcg/idcg)
	}
	if r := eval.Score(nil, []string{"a"}); r.PrecisionAt5 != 0 || r.RecallAt8 != 0 || r.NDCGAt5 != 0 {
		t.Errorf("empty retrieval scored %+v", r)
	}
	if r := eval.Score([]string{"a"}, []string{"a"}); r.NDCGAt5 != 1 || r.PrecisionAt5 != 0.2 {
		t.Errorf("perfect single hit scored %+v", r)
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
		"empty.json":  `{"queries": []}`,
		"norel.json":  `{"queries": [{"query": "x", "relevant": []}]}`,
		"broken.json": `{"queries": [`,
		"notext.json": `{"queries": [{"query": "", "relevant": ["a"]}]}`,
	} {
		if _, err := eval.LoadSet(write(name, body)); err == nil {
			t.Errorf("%s loaded without error", name)
		}
	}
	set, err := eval.LoadSet(write("ok.json", `{"queries": [{"query": "x", "relevant": ["nope"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	cat, _ := catalog.Default()
	if err := set.Check(cat); err == nil {
		t.Error("an unknown app id in the labels must be reported")
	}
}

func runSet(t *testing.T, cat *vrrec.Catalog, path string) *eval.Report {
	t.Helper()
	set, err := eval.LoadSet(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := set.Check(cat); err != nil {
		t.Fatal(err)
	}
	rep, err := eval.Run(context.Background(), testenv.Engine(t, cat), set)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d queries: P@5 %.3f R@8 %.3f nDCG@5 %.3f", len(rep.Queries), rep.PrecisionAt5, rep.RecallAt8, rep.NDCGAt5)
	return rep
}

// Floors sit a little under the values measured when they were set (see
// docs/benchmarks.md); a change that loses quality fails here.
func checkFloors(t *testing.T, rep *eval.Report, p5, r8, ndcg float64) {
	t.Helper()
	if rep.PrecisionAt5 < p5 || rep.RecallAt8 < r8 || rep.NDCGAt5 < ndcg {
		t.Errorf("quality fell below the floors: P@5 %.3f (floor %.2f), R@8 %.3f (floor %.2f), nDCG@5 %.3f (floor %.2f)",
			rep.PrecisionAt5, p5, rep.RecallAt8, r8, rep.NDCGAt5, ndcg)
	}
}

func TestQualityOnDefaultCatalog(t *testing.T) {
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	rep := runSet(t, cat, filepath.Join(testenv.RepoRoot(), "eval", "default.json"))
	if len(rep.Queries) < 30 {
		t.Errorf("only %d labeled queries, want at least 30", len(rep.Queries))
	}
	checkFloors(t, rep, 0.35, 0.86, 0.82)
}

func TestQualityOnUpstreamCatalog(t *testing.T) {
	dir := testenv.UpstreamData(t)
	cat, _, err := catalog.ReadDir(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	rep := runSet(t, cat, filepath.Join(testenv.RepoRoot(), "eval", "upstream.json"))
	checkFloors(t, rep, 0.15, 0.39, 0.34)
}
