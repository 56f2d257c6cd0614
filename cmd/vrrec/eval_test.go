package main

import (
	"encoding/json"
	"os"
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
	var reports map[string]map[string]*eval.Report
	if err := json.Unmarshal([]byte(out), &reports); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	r := reports["families.json"]["vrrec all"]
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
