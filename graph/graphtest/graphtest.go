// Package graphtest is the contract every vrrec.Graph backend must pass, so
// the in-memory graph and database-backed ones return the same answers in the
// same order.
package graphtest

import (
	"context"
	"reflect"
	"testing"

	"github.com/vrrec/vrrec/internal/fixture"

	"github.com/vrrec/vrrec"
)

// Run checks a backend built by open from fixture.Small().
func Run(t *testing.T, open func(t *testing.T, cat *vrrec.Catalog) vrrec.Graph) {
	ctx := context.Background()
	g := open(t, fixture.Small())

	t.Run("AppsDeveloping orders by weight then id and resolves aliases", func(t *testing.T) {
		got, err := g.AppsDeveloping(ctx, []string{"collaboration", "Python", "Nonexistent Skill", "Teamwork"})
		if err != nil {
			t.Fatal(err)
		}
		want := []vrrec.Edge{
			{From: "workrooms", Skill: "Teamwork", Weight: 0.9},
			{From: "cubism", Skill: "Python Programming", Weight: 0.6},
			{From: "cubism", Skill: "Teamwork", Weight: 0.6},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v\nwant %+v", got, want)
		}
	})
	t.Run("AppsDeveloping of unknown or inactive skills is empty", func(t *testing.T) {
		for _, skills := range [][]string{nil, {"Basket Weaving"}, {"Cybersecurity"}} {
			got, err := g.AppsDeveloping(ctx, skills)
			if err != nil || len(got) != 0 {
				t.Errorf("AppsDeveloping(%q) = %+v, %v; want nothing", skills, got, err)
			}
		}
	})
	t.Run("SkillsTaughtBy", func(t *testing.T) {
		got, err := g.SkillsTaughtBy(ctx, []string{"95-888", "95-752", "99-999", "95-888"})
		if err != nil {
			t.Fatal(err)
		}
		want := []vrrec.Edge{
			{From: "95-752", Skill: "Cybersecurity", Weight: 1.0},
			{From: "95-888", Skill: "Python Programming", Weight: 1.0},
			{From: "95-752", Skill: "Teamwork", Weight: 0.6},
			{From: "95-888", Skill: "Teamwork", Weight: 0.5},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v\nwant %+v", got, want)
		}
	})
	t.Run("CoursesTeaching", func(t *testing.T) {
		got, err := g.CoursesTeaching(ctx, []string{"cyber security", "teamwork"})
		if err != nil {
			t.Fatal(err)
		}
		want := []vrrec.Edge{
			{From: "95-752", Skill: "Cybersecurity", Weight: 1.0},
			{From: "95-752", Skill: "Teamwork", Weight: 0.6},
			{From: "95-888", Skill: "Teamwork", Weight: 0.5},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v\nwant %+v", got, want)
		}
	})
	t.Run("ActiveSkills are the skills some app develops, sorted", func(t *testing.T) {
		got, err := g.ActiveSkills(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"Human Anatomy", "Python Programming", "Teamwork"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}
