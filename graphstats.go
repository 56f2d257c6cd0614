package vrrec

import (
	"cmp"
	"slices"
)

// GraphStatsTop is how many entries each ranking of GraphStats holds.
const GraphStatsTop = 10

// GraphStats summarises a knowledge graph for operators: what building the
// graph prints and the admin data page shows. Every backend fills it by the
// same rules (TopCounts), so the numbers of two backends built from one
// catalog are equal.
type GraphStats struct {
	Courses  int `json:"courses"`
	Apps     int `json:"apps"`
	Skills   int `json:"skills"`
	Teaches  int `json:"teaches"`  // Course-TEACHES->Skill edges
	Develops int `json:"develops"` // VRApp-DEVELOPS->Skill edges
	// TopSkills are the skills with the most mentions: how many courses and
	// apps map to them (Skill.SourceCount).
	TopSkills []RankedCount `json:"top_skills"`
	// TopCourses are the courses teaching the most skills.
	TopCourses []RankedCount `json:"top_courses"`
	// TopApps are the apps developing the most skills.
	TopApps []RankedCount `json:"top_apps"`
}

// Nodes is the number of course, app and skill nodes.
func (s GraphStats) Nodes() int { return s.Courses + s.Apps + s.Skills }

// Edges is the number of TEACHES and DEVELOPS edges.
func (s GraphStats) Edges() int { return s.Teaches + s.Develops }

// RankedCount is one entry of a GraphStats ranking.
type RankedCount struct {
	ID    string `json:"id"`   // skill name, course_id or app_id
	Name  string `json:"name"` // skill name, course title or app name
	Count int    `json:"count"`
}

// TopCounts returns the n entries with the largest counts, ties broken by
// ID, leaving out zero counts; never nil, so an empty ranking is [] in JSON.
// It is the one ranking rule of GraphStats. entries may be reordered.
func TopCounts(entries []RankedCount, n int) []RankedCount {
	slices.SortFunc(entries, func(a, b RankedCount) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	out := make([]RankedCount, 0, min(n, len(entries)))
	for _, e := range entries {
		if len(out) == n || e.Count <= 0 {
			break
		}
		out = append(out, e)
	}
	return out
}
