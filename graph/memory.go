// Package graph holds the in-memory knowledge graph, the embedded default
// behind vrrec.Graph: courses TEACH skills, apps DEVELOP skills, and aliases
// resolve to canonical skill names.
package graph

import (
	"context"
	"slices"

	"github.com/vrrec/vrrec"
)

// Memory is an immutable in-memory graph. Its methods never fail and are safe
// for concurrent use.
type Memory struct {
	resolve        map[string]string       // SkillKey of name or alias -> canonical name
	appsBySkill    map[string][]vrrec.Edge // canonical skill -> DEVELOPS edges
	skillsByCourse map[string][]vrrec.Edge // course_id -> TEACHES edges
	coursesBySkill map[string][]vrrec.Edge // canonical skill -> TEACHES edges
	active         []string
}

var _ vrrec.Graph = (*Memory)(nil)

// New builds the graph of a validated catalog.
func New(cat *vrrec.Catalog) *Memory {
	g := &Memory{
		resolve:        vrrec.SkillKeys(cat.Skills),
		appsBySkill:    map[string][]vrrec.Edge{},
		skillsByCourse: map[string][]vrrec.Edge{},
		coursesBySkill: map[string][]vrrec.Edge{},
	}
	for _, m := range cat.AppSkills {
		e := vrrec.Edge{From: m.SourceID, Skill: m.SkillName, Weight: m.Weight}
		g.appsBySkill[m.SkillName] = append(g.appsBySkill[m.SkillName], e)
	}
	for _, m := range cat.CourseSkills {
		e := vrrec.Edge{From: m.SourceID, Skill: m.SkillName, Weight: m.Weight}
		g.skillsByCourse[m.SourceID] = append(g.skillsByCourse[m.SourceID], e)
		g.coursesBySkill[m.SkillName] = append(g.coursesBySkill[m.SkillName], e)
	}
	for skill, edges := range g.appsBySkill {
		vrrec.SortEdges(edges)
		g.active = append(g.active, skill)
	}
	for _, edges := range g.skillsByCourse {
		vrrec.SortEdges(edges)
	}
	for _, edges := range g.coursesBySkill {
		vrrec.SortEdges(edges)
	}
	slices.Sort(g.active)
	return g
}

// Canonical resolves a skill name or alias to its canonical name.
func (g *Memory) Canonical(name string) (string, bool) {
	c, ok := g.resolve[vrrec.SkillKey(name)]
	return c, ok
}

// AppsDeveloping implements vrrec.Graph.
func (g *Memory) AppsDeveloping(_ context.Context, skills []string) ([]vrrec.Edge, error) {
	return g.intoSkills(g.appsBySkill, skills), nil
}

// CoursesTeaching implements vrrec.Graph.
func (g *Memory) CoursesTeaching(_ context.Context, skills []string) ([]vrrec.Edge, error) {
	return g.intoSkills(g.coursesBySkill, skills), nil
}

func (g *Memory) intoSkills(index map[string][]vrrec.Edge, skills []string) []vrrec.Edge {
	var out []vrrec.Edge
	seen := make(map[string]bool, len(skills))
	for _, s := range skills {
		c, ok := g.Canonical(s)
		if !ok || seen[c] {
			continue
		}
		seen[c] = true
		out = append(out, index[c]...)
	}
	vrrec.SortEdges(out)
	return out
}

// SkillsTaughtBy implements vrrec.Graph.
func (g *Memory) SkillsTaughtBy(_ context.Context, courseIDs []string) ([]vrrec.Edge, error) {
	var out []vrrec.Edge
	seen := make(map[string]bool, len(courseIDs))
	for _, id := range courseIDs {
		if !seen[id] {
			seen[id] = true
			out = append(out, g.skillsByCourse[id]...)
		}
	}
	vrrec.SortEdges(out)
	return out, nil
}

// ActiveSkills implements vrrec.Graph.
func (g *Memory) ActiveSkills(context.Context) ([]string, error) {
	return slices.Clone(g.active), nil
}
