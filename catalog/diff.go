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
// (skills) or "source → skill" (mappings). An app whose id changed but
// whose name is the same (appNameKey: "Beat_Saber" and "beat-saber") is
// neither added nor removed but Renamed, and its skill links are compared
// under its new id.
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
	// Renamed lists rows found in both under another id: the same app
	// with a new id (apps only).
	Renamed []Renamed `json:"renamed"`
}

// Renamed is a row whose id changed: From in the old catalog, To in the
// new one, matched by Name; Fields are the other fields that differ.
type Renamed struct {
	Name   string   `json:"name"`
	From   string   `json:"from"`
	To     string   `json:"to"`
	Fields []string `json:"fields"`
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
func (c Changes) Count() int {
	return len(c.Added) + len(c.Removed) + len(c.Changed) + len(c.Renamed)
}

// RenamedIDs maps each renamed row's old id to its new one.
func (c Changes) RenamedIDs() map[string]string {
	out := make(map[string]string, len(c.Renamed))
	for _, r := range c.Renamed {
		out[r.From] = r.To
	}
	return out
}

func (d Diff) tables() []Changes {
	return []Changes{d.Apps, d.Courses, d.Skills, d.CourseSkills, d.AppSkills}
}

// Summary is the diff in one line for logs and the audit trail: "apps +3
// -1 ~2 =4 (same app, new id); skills +10".
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
		if n := len(c.Renamed); n > 0 {
			p = append(p, fmt.Sprintf("=%d (same app, new id)", n))
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
	apps := compareRows(from.Apps, to.Apps, func(a vrrec.VRApp) string { return a.AppID })
	renameRows(&apps, from.Apps, to.Apps, func(a vrrec.VRApp) string { return a.AppID },
		func(a vrrec.VRApp) (string, string) { return a.Name, appNameKey(a.Name) }, "app_id")
	// A renamed app's links count under its new id.
	renamed := apps.RenamedIDs()
	oldAppSkills := slices.Clone(from.AppSkills)
	for i, m := range oldAppSkills {
		if id, ok := renamed[m.SourceID]; ok {
			oldAppSkills[i].SourceID = id
		}
	}
	return Diff{
		Apps:         apps,
		Courses:      compareRows(from.Courses, to.Courses, func(c vrrec.Course) string { return c.CourseID }),
		Skills:       compareRows(from.Skills, to.Skills, func(s vrrec.Skill) string { return s.Name }),
		CourseSkills: compareRows(from.CourseSkills, to.CourseSkills, mappingKey),
		AppSkills:    compareRows(oldAppSkills, to.AppSkills, mappingKey),
	}
}

// renameRows moves the removed and added rows that name the same thing
// (exactly one row on each side with the same non-empty name key) to
// c.Renamed; idField is the JSON name of the id, left out of the fields
// that differ.
func renameRows[T any](c *Changes, from, to []T, key func(T) string, name func(T) (shown, key string), idField string) {
	byName := func(rows []T, ids []string) map[string][]T {
		want := make(map[string]bool, len(ids))
		for _, id := range ids {
			want[id] = true
		}
		out := map[string][]T{}
		for _, r := range rows {
			if _, k := name(r); k != "" && want[key(r)] {
				out[k] = append(out[k], r)
			}
		}
		return out
	}
	gone, came := byName(from, c.Removed), byName(to, c.Added)
	moved := map[string]bool{}
	for k, olds := range gone {
		news := came[k]
		if len(olds) != 1 || len(news) != 1 {
			continue
		}
		before, after := olds[0], news[0]
		fields := slices.DeleteFunc(changedFields(before, after), func(f string) bool { return f == idField })
		shown, _ := name(after)
		c.Renamed = append(c.Renamed, Renamed{Name: shown, From: key(before), To: key(after), Fields: nonNil(fields)})
		moved[key(before)], moved[key(after)] = true, true
	}
	c.Added = slices.DeleteFunc(c.Added, func(id string) bool { return moved[id] })
	c.Removed = slices.DeleteFunc(c.Removed, func(id string) bool { return moved[id] })
	slices.SortFunc(c.Renamed, func(a, b Renamed) int { return strings.Compare(a.From, b.From) })
}

// compareRows matches rows by key; the lists come out sorted.
func compareRows[T any](from, to []T, key func(T) string) Changes {
	old := make(map[string]T, len(from))
	for _, r := range from {
		old[key(r)] = r
	}
	c := Changes{Added: []string{}, Removed: []string{}, Changed: []Changed{}, Renamed: []Renamed{}}
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
