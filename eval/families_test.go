package eval_test

import (
	"context"
	"math"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/eval"
)

var twoNeeds = eval.Query{Query: "anatomy and a workout", Kind: eval.KindSeveralNeeds,
	Relevant: []string{"organon", "holodeck", "saber"}, Acceptable: []string{"fitxr"},
	Needs: []eval.Need{
		{Topic: "anatomy", Relevant: []string{"organon", "holodeck"}},
		{Topic: "workout", Relevant: []string{"saber"}, Acceptable: []string{"fitxr"}},
	}}

func TestScoreNeedsMatchesGroupsToNeeds(t *testing.T) {
	// The engine lists the workout group first and adds a third group:
	// each need is scored on the group that serves it.
	got := eval.ScoreNeeds(eval.Answer{Groups: [][]string{{"saber", "x"}, {"organon", "holodeck"}, {"y"}}}, twoNeeds)
	if got[0].Group != 1 || got[0].NDCGAt5 != 1 || got[1].Group != 0 || got[1].NDCGAt5 != 2/(2+1/math.Log2(3)) {
		t.Errorf("needs scored %+v, want anatomy on group 1 (1.0), workout on group 0 (%.3f)", got, 2/(2+1/math.Log2(3)))
	}
	// One group for two needs: it goes to the need it serves best, and
	// the other need, not served, scores 0.
	got = eval.ScoreNeeds(eval.Answer{IDs: []string{"organon", "saber"}, Groups: [][]string{{"organon"}}}, twoNeeds)
	if got[0].Group != 0 || got[1].Group != -1 || got[1].NDCGAt5 != 0 {
		t.Errorf("one group for two needs scored %+v", got)
	}
	// No groups: each need on the flat list.
	got = eval.ScoreNeeds(eval.Answer{IDs: []string{"x", "saber", "organon"}}, twoNeeds)
	want0 := (1 / math.Log2(4)) / (1 + 1/math.Log2(3))
	want1 := (2 / math.Log2(3)) / (2 + 1/math.Log2(3))
	if got[0].Group != -1 || math.Abs(got[0].NDCGAt5-want0) > 1e-12 || math.Abs(got[1].NDCGAt5-want1) > 1e-12 {
		t.Errorf("flat answer scored %+v, want %.3f and %.3f", got, want0, want1)
	}
}

func TestReportByKindUsesNeeds(t *testing.T) {
	set := &eval.Set{Queries: []eval.Query{twoNeeds,
		{Query: "free painting", Kind: eval.KindConstraint, Relevant: []string{"brush"}},
		{Query: "painting", Kind: eval.KindPlainTwin, Relevant: []string{"brush"}},
	}}
	rep, err := eval.RunAnswerer(context.Background(), fixed{
		// Anatomy served perfectly in its group, the workout not at all:
		// 0.5, though the flat list alone would score higher.
		"anatomy and a workout": {IDs: []string{"organon", "holodeck", "saber"}, Groups: [][]string{{"organon", "holodeck"}, {"x"}}},
		"free painting":         {IDs: []string{"x", "brush"}},
		"painting":              {IDs: []string{"brush"}},
	}.answer, set)
	if err != nil {
		t.Fatal(err)
	}
	if k := rep.ByKind[eval.KindSeveralNeeds]; k.Queries != 1 || k.NDCGAt5 != 0.5 {
		t.Errorf("several needs: %+v, want the mean of the needs' nDCG@5, 0.5", k)
	}
	if k := rep.ByKind[eval.KindConstraint]; k.NDCGAt5 != 1/math.Log2(3) {
		t.Errorf("constraint family: %+v", k)
	}
	if k := rep.ByKind[eval.KindPlainTwin]; k.NDCGAt5 != 1 {
		t.Errorf("plain twins: %+v", k)
	}
	if len(rep.Queries[0].Needs) != 2 || rep.Queries[0].Needs[1].NDCGAt5 != 0 {
		t.Errorf("per-need scores not reported: %+v", rep.Queries[0].Needs)
	}
}

func app(id, price string, modes ...string) vrrec.VRApp {
	p, _ := vrrec.ParsePrice(price)
	return vrrec.VRApp{AppID: id, Price: p, Facets: vrrec.Facets{PlayModes: modes}}
}

func TestCheckConstraints(t *testing.T) {
	cat := &vrrec.Catalog{Apps: []vrrec.VRApp{
		app("free", "Free", vrrec.PlaySitting), app("ten", "$9.99", vrrec.PlayStanding), app("twenty", "$19.99"),
		app("sub", "Free, subscription $9.99/month", vrrec.PlaySitting), app("unpriced", ""),
	}}
	under10 := []vrrec.Constraint{{Kind: vrrec.ConstraintMaxPrice, Amount: 10, Hard: true}}
	seated := []vrrec.Constraint{{Kind: vrrec.ConstraintSeated, Hard: true}, {Kind: vrrec.ConstraintSolo}}
	set := &eval.Set{Queries: []eval.Query{
		{Query: "fitness under $10", Relevant: []string{"ten"}, Constraints: under10},
		{Query: "seated", Relevant: []string{"free"}, Constraints: seated},
		{Query: "solo only", Relevant: []string{"free"}, Constraints: []vrrec.Constraint{{Kind: vrrec.ConstraintSolo}}},
	}}
	rep, err := eval.RunAnswerer(context.Background(), fixed{
		// Picks are the top 5: "sub" at rank 6 is not shown. Twenty
		// breaks the cap; unpriced cannot be confirmed.
		"fitness under $10": {IDs: []string{"ten", "free", "twenty", "unpriced", "ten2", "sub"}},
		// Grouped: the top 5 of each group, each app once. Ten is
		// standing only; twenty's play modes are unknown.
		"seated": {Groups: [][]string{{"free", "ten"}, {"free", "twenty"}}},
		// Soft constraints only: not counted.
		"solo only": {IDs: []string{"twenty"}},
	}.answer, set)
	if err != nil {
		t.Fatal(err)
	}
	cat.Apps = append(cat.Apps, app("ten2", "$10"))
	if err := rep.CheckConstraints(cat); err != nil {
		t.Fatal(err)
	}
	c := rep.Constraints
	if c.Queries != 2 || c.Picks != 8 || c.Violations != 2 || c.Unconfirmed != 2 || c.ViolationRate != 0.25 || c.UnconfirmedRate != 0.25 {
		t.Errorf("constraint score %+v, want 2 queries, 8 picks, 2 violations, 2 unconfirmed", c)
	}
	if q := rep.Queries[0]; len(q.Violating) != 1 || q.Violating[0] != "twenty" || len(q.Unconfirmed) != 1 || q.Unconfirmed[0] != "unpriced" {
		t.Errorf("under $10: violating %v, unconfirmed %v", q.Violating, q.Unconfirmed)
	}
	if q := rep.Queries[1]; len(q.Violating) != 1 || q.Violating[0] != "ten" || len(q.Unconfirmed) != 1 || q.Unconfirmed[0] != "twenty" {
		t.Errorf("seated: violating %v, unconfirmed %v", q.Violating, q.Unconfirmed)
	}
	if err := rep.CheckConstraints(&vrrec.Catalog{Apps: cat.Apps[:2]}); err == nil {
		t.Error("a pick the catalog lacks must be an error, not a pass")
	}
}
