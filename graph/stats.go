package graph

import "github.com/vrrec/vrrec"

// StatsOf computes the statistics of the graph built from a validated
// catalog, by the same rules as every other backend, so the CLI and the admin
// page can show them whichever backend serves the graph.
func StatsOf(cat *vrrec.Catalog) vrrec.GraphStats {
	skills := make([]vrrec.RankedCount, 0, len(cat.Skills))
	for _, s := range cat.Skills {
		skills = append(skills, vrrec.RankedCount{ID: s.Name, Name: s.Name, Count: s.SourceCount})
	}
	return vrrec.GraphStats{
		Courses:    len(cat.Courses),
		Apps:       len(cat.Apps),
		Skills:     len(cat.Skills),
		Teaches:    len(cat.CourseSkills),
		Develops:   len(cat.AppSkills),
		TopSkills:  vrrec.TopCounts(skills, vrrec.GraphStatsTop),
		TopCourses: vrrec.TopCounts(countSources(cat.CourseSkills, courseNames(cat)), vrrec.GraphStatsTop),
		TopApps:    vrrec.TopCounts(countSources(cat.AppSkills, appNames(cat)), vrrec.GraphStatsTop),
	}
}

// countSources counts the mappings out of each source; names maps every
// source id to its display name, and sources without a mapping count zero.
func countSources(mappings []vrrec.Mapping, names map[string]string) []vrrec.RankedCount {
	counts := make(map[string]int, len(names))
	for _, m := range mappings {
		counts[m.SourceID]++
	}
	out := make([]vrrec.RankedCount, 0, len(names))
	for id, name := range names {
		out = append(out, vrrec.RankedCount{ID: id, Name: name, Count: counts[id]})
	}
	return out
}

func courseNames(cat *vrrec.Catalog) map[string]string {
	names := make(map[string]string, len(cat.Courses))
	for _, c := range cat.Courses {
		names[c.CourseID] = c.Title
	}
	return names
}

func appNames(cat *vrrec.Catalog) map[string]string {
	names := make(map[string]string, len(cat.Apps))
	for _, a := range cat.Apps {
		names[a.AppID] = a.Name
	}
	return names
}
