package catalog

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/vrrec/vrrec"
)

// Diff is what one catalog changes against another: rows added, removed
// and changed, by table. Rows are named by their id (apps, courses), name
// (skills) or "source → skill" (mappings).
type Diff struct {
	Apps         Changes `json:"apps"`
	Courses      Changes `json:"courses"`
	Skills       Changes `json:"skills"`
	CourseSkills Changes `json:"course_skills"`
	AppSkills    Changes `json:"app_skills"`
}

// Changes lists the rows of one table that differ.
type Changes struct {
	Added   []string  `json:"added"`
	Removed []string  `json:"removed"`
	Changed []Changed `json:"changed"`
}

// Changed is a row in both catalogs whose fields differ.
type Changed struct {
	Key    string   `json:"key"`
	Fields []string `json:"fields"` // JSON names of the fields that differ
}

// Empty reports whether nothing differs.
func (d Diff) Empty() bool {
	for _, c := range d.tables() {
		if c.Count() > 0 {
			return false
		}
	}
	return true
}

// Count is the number of rows that differ.
func (c Changes) Count() int { return len(c.Added) + len(c.Removed) + len(c.Changed) }

func (d Diff) tables() []Changes {
	return []Changes{d.Apps, d.Courses, d.Skills, d.CourseSkills, d.AppSkills}
}

// Summary is the diff in one line for logs and the audit trail: "apps +3
// -1 ~2; skills +10".
func (d Diff) Summary() string {
	names := []string{"apps", "courses", "skills", "course skills", "app skills"}
	var parts []string
	for i, c := range d.tables() {
		if c.Count() == 0 {
			continue
		}
		var p []string
		for _, n := range []struct {
			sign  string
			count int
		}{{"+", len(c.Added)}, {"-", len(c.Removed)}, {"~", len(c.Changed)}} {
			if n.count > 0 {
				p = append(p, fmt.Sprintf("%s%d", n.sign, n.count))
			}
		}
		parts = append(parts, names[i]+" "+strings.Join(p, " "))
	}
	if len(parts) == 0 {
		return "no changes"
	}
	return strings.Join(parts, "; ")
}

// Compare returns what to changes against from.
func Compare(from, to *vrrec.Catalog) Diff {
	mappingKey := func(m vrrec.Mapping) string { return m.SourceID + " → " + m.SkillName }
	return Diff{
		Apps:         compareRows(from.Apps, to.Apps, func(a vrrec.VRApp) string { return a.AppID }),
		Courses:      compareRows(from.Courses, to.Courses, func(c vrrec.Course) string { return c.CourseID }),
		Skills:       compareRows(from.Skills, to.Skills, func(s vrrec.Skill) string { return s.Name }),
		CourseSkills: compareRows(from.CourseSkills, to.CourseSkills, mappingKey),
		AppSkills:    compareRows(from.AppSkills, to.AppSkills, mappingKey),
	}
}

// compareRows matches rows by key; the lists come out sorted.
func compareRows[T any](from, to []T, key func(T) string) Changes {
	old := make(map[string]T, len(from))
	for _, r := range from {
		old[key(r)] = r
	}
	c := Changes{Added: []string{}, Removed: []string{}, Changed: []Changed{}}
	seen := make(map[string]bool, len(to))
	for _, r := range to {
		k := key(r)
		seen[k] = true
		before, ok := old[k]
		if !ok {
			c.Added = append(c.Added, k)
			continue
		}
		if fields := changedFields(before, r); len(fields) > 0 {
			c.Changed = append(c.Changed, Changed{Key: k, Fields: fields})
		}
	}
	for k := range old {
		if !seen[k] {
			c.Removed = append(c.Removed, k)
		}
	}
	slices.Sort(c.Added)
	slices.Sort(c.Removed)
	slices.SortFunc(c.Changed, func(a, b Changed) int { return strings.Compare(a.Key, b.Key) })
	return c
}

// changedFields returns the JSON names of the fields that differ between
// two rows of the same type.
func changedFields(a, b any) []string {
	fields := func(v any) map[string]json.RawMessage {
		raw, err := json.Marshal(v)
		if err != nil { // cannot happen for the catalog's plain types
			panic(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			panic(err)
		}
		return m
	}
	x, y := fields(a), fields(b)
	var out []string
	for _, k := range slices.Sorted(maps.Keys(y)) {
		switch {
		case string(x[k]) == string(y[k]):
		case k == "facets": // named one by one: "facets.comfort", "facets.players.max"
			out = append(out, nestedChanges(k, x[k], y[k])...)
		default:
			out = append(out, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(x)) {
		if _, ok := y[k]; !ok {
			out = append(out, k)
		}
	}
	return out
}

// nestedChanges names the fields that differ between two JSON objects,
// prefix first and nested objects' fields joined with dots; prefix alone
// when either is not an object.
func nestedChanges(prefix string, a, b json.RawMessage) []string {
	var x, y map[string]json.RawMessage
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return []string{prefix}
	}
	keys := map[string]bool{}
	for k := range x {
		keys[k] = true
	}
	for k := range y {
		keys[k] = true
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		if string(x[k]) != string(y[k]) {
			out = append(out, nestedChanges(prefix+"."+k, x[k], y[k])...)
		}
	}
	return out
}
