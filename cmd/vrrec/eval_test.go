package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vrrec/vrrec/eval"
)

// eval reports the share of picks that break a stated hard constraint and
// scores a several-needs query need by need, in text and in JSON.
func TestEvalReportsConstraintsAndNeeds(t *testing.T) {
	dir := t.TempDir()
	queries := filepath.Join(dir, "families.json")
	if err := os.WriteFile(queries, []byte(`{"catalog": "default", "queries": [
		{"query": "free painting apps", "kind": "constraint", "relevant": ["open-brush"],
		 "constraints": [{"kind": "free", "hard": true}]},
		{"query": "anatomy, and a workout", "kind": "several_needs", "relevant": ["medicalholodeck", "beat-saber"],
		 "needs": [{"topic": "anatomy", "relevant": ["medicalholodeck"]}, {"topic": "workout", "relevant": ["beat-saber"]}]},
		{"query": "painting apps", "kind": "plain_twin", "relevant": ["open-brush", "vermillion"]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, dir, "eval", "--queries", queries, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var reports evalJSON
	if err := json.Unmarshal([]byte(out), &reports); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	r := reports.Sets["families.json"]["vrrec all"]
	if r == nil {
		t.Fatalf("no report of every query:\n%s", out)
	}
	if c := r.Constraints; c.Queries != 1 || c.Picks == 0 || c.Picks > eval.PicksShown || c.Violations+c.Unconfirmed > c.Picks {
		t.Errorf("constraint score %+v, want one query and its picks", c)
	}
	if q := r.Queries[1]; len(q.Needs) != 2 || q.Needs[0].Topic != "anatomy" || q.Needs[1].Topic != "workout" {
		t.Errorf("several needs scored %+v", q.Needs)
	}
	for _, k := range []string{eval.KindConstraint, eval.KindSeveralNeeds, eval.KindPlainTwin} {
		if r.ByKind[k].Queries != 1 {
			t.Errorf("by kind %s: %+v", k, r.ByKind[k])
		}
	}
	if out, err = runCLI(t, dir, "eval", "--queries", queries); err != nil || !strings.Contains(out, "broken") ||
		!strings.Contains(out, "several_needs") {
		t.Errorf("text report (%v):\n%s", err, out)
	}
}

// --without names kinds of evidence; a name that is none is refused.
func TestEvalWithoutChecksTheEvidence(t *testing.T) {
	_, err := runCLI(t, t.TempDir(), "eval", "--without", "dense,bogus")
	if err == nil || !strings.Contains(err.Error(), `"bogus" is no kind of evidence`) {
		t.Errorf("--without bogus: %v", err)
	}
}

// vrrec eval runs from any directory (its built-in sets travel in the
// binary), and --json prints JSON only on stdout: notices go to stderr,
// --fit's weights into the JSON.
func TestEvalJSONFromAnEmptyDirectory(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 checks the JSON as an operator's pipe would")
	}
	bin := vrrecBinary(t)
	dir := t.TempDir()
	cmd := exec.Command("sh", "-c", `"$0" eval --json --split dev --fit | python3 -m json.tool`, bin)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DATA_DIR=", "EMBEDDER=", "MONGODB_URI=", "REDIS_URL=", "SECRET_KEY=", "LOG_LEVEL=")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("vrrec eval --json | python3 -m json.tool: %v\n%s", err, stderr.String())
	}
	var out evalJSON
	if err := json.Unmarshal([]byte(stdout.String()), &out); err != nil {
		t.Fatal(err)
	}
	if r := out.Sets["default"]["vrrec dev"]; r == nil || len(r.Queries) == 0 {
		t.Errorf("no report of the built-in default set: %v", out.Sets)
	}
	if w := out.FittedWeights; w == nil || w.Dense == 0 {
		t.Errorf("--fit's weights missing from the JSON: %+v", w)
	}
	if !strings.Contains(stderr.String(), "eval/upstream.json skipped") {
		t.Errorf("the notice of the skipped upstream set is not on stderr:\n%s", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "data", secretKeyFile)); err == nil {
		t.Error("eval needs no secret, yet wrote one")
	}
}
