// Package graph holds the in-memory knowledge graph, the embedded default
// behind vrrec.Graph: courses TEACH skills, apps DEVELOP skills, and aliases
// resolve to canonical skill names.
package graph

import (
	"cmp"
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
		resolve:        SkillKeys(cat.Skills),
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
		SortEdges(edges)
		g.active = append(g.active, skill)
	}
	for _, edges := range g.skillsByCourse {
		SortEdges(edges)
	}
	for _, edges := range g.coursesBySkill {
		SortEdges(edges)
	}
	slices.Sort(g.active)
	return g
}

// SkillKeys is the table every vrrec.Graph resolves skill names through: the
// vrrec.SkillKey of each canonical name and alias, mapped to the canonical
// name. A canonical name takes precedence over any alias with the same key,
// and an alias two skills claim belongs to the first. Backends that store the
// graph elsewhere store this table, so they resolve exactly as Memory does.
func SkillKeys(skills []vrrec.Skill) map[string]string {
	resolve := make(map[string]string, len(skills)*2)
	for _, s := range skills {
		resolve[vrrec.SkillKey(s.Name)] = s.Name
		for _, a := range s.Aliases {
			if _, taken := resolve[vrrec.SkillKey(a)]; !taken {
				resolve[vrrec.SkillKey(a)] = s.Name
			}
		}
	}
	return resolve
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
	SortEdges(out)
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
	SortEdges(out)
	return out, nil
}

// ActiveSkills implements vrrec.Graph.
func (g *Memory) ActiveSkills(context.Context) ([]string, error) {
	return slices.Clone(g.active), nil
}

// SortEdges puts edges in the order every vrrec.Graph returns: weight
// descending, then source id, then skill name.
func SortEdges(edges []vrrec.Edge) {
	slices.SortFunc(edges, func(a, b vrrec.Edge) int {
		if c := cmp.Compare(b.Weight, a.Weight); c != 0 {
			return c
		}
		if c := cmp.Compare(a.From, b.From); c != 0 {
			return c
		}
		return cmp.Compare(a.Skill, b.Skill)
	})
}
