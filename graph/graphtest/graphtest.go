// Package graphtest is the contract every vrrec.Graph backend must pass, so
// the in-memory graph and database-backed ones return the same answers in the
// same order.
package graphtest

import (
	"context"
	"reflect"
	"testing"

	"github.com/vrrec/vrrec"
)

// Fixture is the small catalog the contract is checked on. Mappings are
// listed out of weight order and one app mapping names its skill by alias.
func Fixture() *vrrec.Catalog {
	return &vrrec.Catalog{
		Skills: []vrrec.Skill{
			{Name: "Python Programming", Aliases: []string{"Python"}, Category: "technical", Weight: 0.9},
			{Name: "Teamwork", Aliases: []string{"Collaboration"}, Category: "soft", Weight: 0.7},
			{Name: "Human Anatomy", Category: "domain", Weight: 0.8},
			{Name: "Cybersecurity", Aliases: []string{"Cyber Security"}, Category: "technical", Weight: 0.9},
		},
		Courses: []vrrec.Course{
			{CourseID: "95-888", Title: "Data-Focused Python", Department: "Heinz College"},
			{CourseID: "95-752", Title: "Introduction to Information Security", Department: "Heinz College"},
		},
		Apps: []vrrec.VRApp{
			{AppID: "cubism", Name: "Cubism", Category: "entertainment"},
			{AppID: "organon", Name: "3D Organon VR Anatomy", Category: "education"},
			{AppID: "workrooms", Name: "Horizon Workrooms", Category: "productivity"},
		},
		CourseSkills: []vrrec.Mapping{
			{SourceID: "95-888", SourceType: "course", SkillName: "Teamwork", Weight: 0.5},
			{SourceID: "95-888", SourceType: "course", SkillName: "Python Programming", Weight: 1.0},
			{SourceID: "95-752", SourceType: "course", SkillName: "Cybersecurity", Weight: 1.0},
			{SourceID: "95-752", SourceType: "course", SkillName: "Teamwork", Weight: 0.6},
		},
		AppSkills: []vrrec.Mapping{
			{SourceID: "workrooms", SourceType: "app", SkillName: "Teamwork", Weight: 0.9},
			{SourceID: "cubism", SourceType: "app", SkillName: "Teamwork", Weight: 0.6},
			{SourceID: "organon", SourceType: "app", SkillName: "Human Anatomy", Weight: 1.0},
			{SourceID: "cubism", SourceType: "app", SkillName: "Python Programming", Weight: 0.6},
		},
	}
}

// Run checks a backend built by open from Fixture().
func Run(t *testing.T, open func(t *testing.T, cat *vrrec.Catalog) vrrec.Graph) {
	ctx := context.Background()
	g := open(t, Fixture())

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
