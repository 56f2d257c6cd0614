// Package catalog reads, validates and stores the recommender's catalog:
// courses, VR apps, skills and their mappings in the upstream JSON format. It
// ships a default catalog inside the binary and keeps an imported one under
// the data directory.
package catalog

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/vrrec/vrrec"
)

// File names of the upstream format, one JSON array each.
const (
	CoursesFile      = "courses.json"
	AppsFile         = "vr_apps.json"
	SkillsFile       = "skills.json"
	CourseSkillsFile = "course_skills.json"
	AppSkillsFile    = "app_skills.json"
)

// Files lists the upstream files in the order they are validated: skills
// first, since mappings are checked against them.
var Files = []string{SkillsFile, CoursesFile, AppsFile, CourseSkillsFile, AppSkillsFile}

// What happened to a row that had a problem.
const (
	Dropped = "dropped" // the row was not imported
	Fixed   = "fixed"   // the row was imported after a correction the reason describes
	Flagged = "flagged" // the app was imported but is never recommended (gone, or not on a Quest); the reason says why
)

// Problem is one bad row of an input file.
type Problem struct {
	File   string `json:"file"`
	Index  int    `json:"index"` // position in the file's array, from 0
	ID     string `json:"id,omitempty"`
	Reason string `json:"reason"`
	Action string `json:"action"`
}

func (p Problem) String() string {
	id := ""
	if p.ID != "" {
		id = fmt.Sprintf(" (%s)", p.ID)
	}
	return fmt.Sprintf("%s[%d]%s: %s [%s]", p.File, p.Index, id, p.Reason, p.Action)
}

// Report summarises a validation: rows read and kept per file and every problem.
type Report struct {
	Read     map[string]int `json:"read"`
	Kept     map[string]int `json:"kept"`
	Problems []Problem      `json:"problems"`
}

// Count returns how many problems had the given action.
func (r *Report) Count(action string) int {
	n := 0
	for _, p := range r.Problems {
		if p.Action == action {
			n++
		}
	}
	return n
}

// Faults returns the problems that are mistakes in the rows: all but the
// flagged apps, whose rows are right about an app that is gone or not on a
// Quest.
func (r *Report) Faults() []Problem {
	var out []Problem
	for _, p := range r.Problems {
		if p.Action != Flagged {
			out = append(out, p)
		}
	}
	return out
}

func (r *Report) add(file string, index int, id, action, format string, args ...any) {
	r.Problems = append(r.Problems, Problem{File: file, Index: index, ID: id, Reason: fmt.Sprintf(format, args...), Action: action})
}

// Skill categories a validated catalog uses.
var skillCategories = map[string]bool{"technical": true, "soft": true, "domain": true}

var courseIDPattern = regexp.MustCompile(`^\d{2}-\d{3}$`)

// defaultWeight replaces a missing weight.
const defaultWeight = 0.5

// Validate returns a clean catalog built from raw rows, with every problem
// reported by file and index. Bad rows are dropped or fixed, never silently:
// skill twins are merged (the later name becomes an alias), mappings naming a
// skill by alias are resolved to the canonical name, and mappings naming an
// unknown skill, course or app are dropped, and the rows of apps whose
// description is boilerplate are filled from the embedded catalog when it
// knows them (fillFromKnown: the embedded catalog's apps and those of
// catalog/known). Source counts are recomputed from the
// mappings that survive.
func Validate(raw *vrrec.Catalog) (*vrrec.Catalog, *Report) { return validate(raw, loadKnown) }

// validate is Validate filling boilerplate rows from known (nil: never).
func validate(raw *vrrec.Catalog, known func() (*vrrec.Catalog, error)) (*vrrec.Catalog, *Report) {
	rep := &Report{Read: map[string]int{}, Kept: map[string]int{}}
	out := &vrrec.Catalog{}
	resolve := validateSkills(raw.Skills, out, rep)
	courses := validateCourses(raw.Courses, out, rep)
	rejected := map[string]string{}
	apps := validateApps(raw.Apps, out, rep, rejected)
	out.CourseSkills = validateMappings(CourseSkillsFile, vrrec.SourceCourse, raw.CourseSkills, courses, nil, resolve, rep)
	out.AppSkills = validateMappings(AppSkillsFile, vrrec.SourceApp, raw.AppSkills, apps, rejected, resolve, rep)
	if known != nil {
		fillFromKnown(raw, out, rep, resolve, known)
		statusFromKnown(out, known)
	}
	flagUnservable(raw, out, rep)
	rep.Kept[CourseSkillsFile] = len(out.CourseSkills)
	rep.Kept[AppSkillsFile] = len(out.AppSkills)

	counts := map[string]map[string]bool{}
	for _, m := range append(append([]vrrec.Mapping(nil), out.CourseSkills...), out.AppSkills...) {
		if counts[m.SkillName] == nil {
			counts[m.SkillName] = map[string]bool{}
		}
		counts[m.SkillName][m.SourceType+":"+m.SourceID] = true
	}
	for i := range out.Skills {
		out.Skills[i].SourceCount = len(counts[out.Skills[i].Name])
	}
	return out, rep
}

// validateSkills fills out.Skills and returns a resolver from SkillKey of any
// name or alias to the canonical name.
func validateSkills(raw []vrrec.Skill, out *vrrec.Catalog, rep *Report) map[string]string {
	rep.Read[SkillsFile] = len(raw)
	byKey := map[string]int{} // SkillKey(name) -> index in out.Skills
	firstAt := map[string]int{}
	for i, s := range raw {
		name := strings.Join(strings.Fields(s.Name), " ")
		key := vrrec.SkillKey(name)
		if key == "" {
			rep.add(SkillsFile, i, name, Dropped, "missing name")
			continue
		}
		if j, ok := byKey[key]; ok {
			canon := &out.Skills[j]
			rep.add(SkillsFile, i, name, Fixed, "duplicate of skill %q (index %d); merged into it", canon.Name, firstAt[key])
			canon.Aliases = append(canon.Aliases, name)
			canon.Aliases = append(canon.Aliases, s.Aliases...)
			continue
		}
		cat := strings.ToLower(strings.TrimSpace(s.Category))
		if !skillCategories[cat] {
			rep.add(SkillsFile, i, name, Fixed, "unknown category %q, set to \"domain\"", s.Category)
			cat = "domain"
		}
		w := s.Weight
		switch {
		case w == 0:
			rep.add(SkillsFile, i, name, Fixed, "missing weight, set to %.1f", defaultWeight)
			w = defaultWeight
		case w < 0 || w > 1 || math.IsNaN(w):
			rep.add(SkillsFile, i, name, Fixed, "weight %v outside 0-1, set to %.1f", s.Weight, defaultWeight)
			w = defaultWeight
		}
		byKey[key] = len(out.Skills)
		firstAt[key] = i
		out.Skills = append(out.Skills, vrrec.Skill{Name: name, Aliases: s.Aliases, Category: cat, Weight: w})
	}

	// Aliases may not shadow a canonical name or be claimed by two skills:
	// either would make a mapping's skill ambiguous.
	resolve := make(map[string]string, len(out.Skills)*2)
	for _, s := range out.Skills {
		resolve[vrrec.SkillKey(s.Name)] = s.Name
	}
	for i := range out.Skills {
		s := &out.Skills[i]
		kept := make([]string, 0, len(s.Aliases))
		for _, a := range s.Aliases {
			a = strings.Join(strings.Fields(a), " ")
			k := vrrec.SkillKey(a)
			owner, taken := resolve[k]
			switch {
			case k == "":
				continue
			case owner == s.Name:
				// Same as the name or an alias already kept: a harmless repeat.
				if k != vrrec.SkillKey(s.Name) && !containsKey(kept, k) {
					kept = append(kept, a)
				}
				continue
			case taken:
				rep.add(SkillsFile, firstAt[vrrec.SkillKey(s.Name)], s.Name, Fixed, "alias %q already names skill %q; alias removed", a, owner)
				continue
			}
			resolve[k] = s.Name
			kept = append(kept, a)
		}
		s.Aliases = kept
	}
	rep.Kept[SkillsFile] = len(out.Skills)
	return resolve
}

func containsKey(names []string, key string) bool {
	for _, n := range names {
		if vrrec.SkillKey(n) == key {
			return true
		}
	}
	return false
}

func validateCourses(raw []vrrec.Course, out *vrrec.Catalog, rep *Report) map[string]bool {
	rep.Read[CoursesFile] = len(raw)
	seen := map[string]int{}
	for i, c := range raw {
		c.CourseID = strings.TrimSpace(c.CourseID)
		switch j, dup := seen[c.CourseID]; {
		case c.CourseID == "":
			rep.add(CoursesFile, i, "", Dropped, "missing course_id")
			continue
		case !courseIDPattern.MatchString(c.CourseID):
			rep.add(CoursesFile, i, c.CourseID, Dropped, "course_id %q does not match NN-NNN", c.CourseID)
			continue
		case dup:
			rep.add(CoursesFile, i, c.CourseID, Dropped, "duplicate course_id (first at index %d)", j)
			continue
		}
		seen[c.CourseID] = i
		c.Title = strings.TrimSpace(c.Title)
		if c.Title == "" {
			rep.add(CoursesFile, i, c.CourseID, Fixed, "missing title, set to \"Course %s\"", c.CourseID)
			c.Title = "Course " + c.CourseID
		}
		c.Prerequisites = nonNil(c.Prerequisites)
		c.LearningOutcomes = nonNil(c.LearningOutcomes)
		out.Courses = append(out.Courses, c)
	}
	rep.Kept[CoursesFile] = len(out.Courses)
	return keys(seen)
}

// validateApps fills out.Apps and returns the ids kept; rejected collects why
// other ids were not, so mappings to them can say so.
func validateApps(raw []vrrec.VRApp, out *vrrec.Catalog, rep *Report, rejected map[string]string) map[string]bool {
	rep.Read[AppsFile] = len(raw)
	seen := map[string]int{}
	for i, a := range raw {
		a.AppID = strings.TrimSpace(a.AppID)
		a.Name = strings.TrimSpace(a.Name)
		switch j, dup := seen[a.AppID]; {
		case a.AppID == "":
			rep.add(AppsFile, i, a.Name, Dropped, "missing app_id")
			continue
		case a.Name == "":
			rep.add(AppsFile, i, a.AppID, Dropped, "missing name")
			continue
		case dup:
			rep.add(AppsFile, i, a.AppID, Dropped, "duplicate app_id (first at index %d)", j)
			continue
		case IsPlaceholderApp(a.Name):
			rep.add(AppsFile, i, a.AppID, Dropped, "placeholder app: %q is a generic term, not a product", a.Name)
			rejected[a.AppID] = fmt.Sprintf("a placeholder, dropped at %s[%d]", AppsFile, i)
			continue
		}
		seen[a.AppID] = i
		a.Category = strings.ToLower(strings.TrimSpace(a.Category))
		if a.Rating < 0 || a.Rating > 5 || math.IsNaN(a.Rating) {
			rep.add(AppsFile, i, a.AppID, Fixed, "rating %v outside 0-5, cleared", a.Rating)
			a.Rating = 0
		}
		a.Features = nonNil(a.Features)
		a.SkillsDeveloped = nonNil(a.SkillsDeveloped)
		validateAvailability(&a, i, rep)
		var facetProblems []string
		a.Facets, facetProblems = a.Facets.Check()
		for _, reason := range facetProblems {
			rep.add(AppsFile, i, a.AppID, Fixed, "facets.%s", reason)
		}
		out.Apps = append(out.Apps, a)
	}
	rep.Kept[AppsFile] = len(out.Apps)
	return keys(seen)
}

var datePattern = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)

// validateAvailability checks an app's price, status and platform, fixing
// what it can and saying so on the row. A price that is not one price
// ("$0-29.99") was kept as unknown with its text (vrrec.ParsePrice).
func validateAvailability(a *vrrec.VRApp, i int, rep *Report) {
	if _, err := vrrec.ParsePrice(a.Price.Raw); a.Price.Raw != "" && err != nil {
		rep.add(AppsFile, i, a.AppID, Fixed, "%s; stored as an unknown price", vrrec.ErrorMessage(err))
	}
	a.Status = strings.ToLower(strings.TrimSpace(a.Status))
	a.Discontinued = strings.TrimSpace(a.Discontinued)
	switch {
	case a.Status != "" && a.Status != vrrec.StatusAvailable && a.Status != vrrec.StatusDiscontinued:
		rep.add(AppsFile, i, a.AppID, Fixed, "status %q is neither %q nor %q; cleared", a.Status, vrrec.StatusAvailable, vrrec.StatusDiscontinued)
		a.Status = ""
	case a.Discontinued != "" && a.Status != vrrec.StatusDiscontinued:
		rep.add(AppsFile, i, a.AppID, Fixed, "discontinued on %q but status %q; status set to %q", a.Discontinued, a.Status, vrrec.StatusDiscontinued)
		a.Status = vrrec.StatusDiscontinued
	}
	if a.Discontinued != "" && !datePattern.MatchString(a.Discontinued) {
		rep.add(AppsFile, i, a.AppID, Fixed, "discontinued date %q is not YYYY-MM-DD (or YYYY-MM, YYYY); cleared", a.Discontinued)
		a.Discontinued = ""
	}
	a.Platform = strings.ToLower(strings.TrimSpace(a.Platform))
	if a.Platform != "" && !slices.Contains(vrrec.Platforms, a.Platform) {
		rep.add(AppsFile, i, a.AppID, Fixed, "platform %q is not one of %s; cleared", a.Platform, strings.Join(vrrec.Platforms, ", "))
		a.Platform = ""
	}
}

// flagUnservable reports every app that is discontinued or not playable on
// a Quest: it stays in the catalog, so logs and links that name it resolve,
// but it is never recommended. Apps whose row says nothing of their status
// become available.
func flagUnservable(raw, out *vrrec.Catalog, rep *Report) {
	for i := range out.Apps {
		a := &out.Apps[i]
		if a.Status == "" {
			a.Status = vrrec.StatusAvailable
		}
		if a.Servable() {
			continue
		}
		why := strings.TrimSuffix(a.StatusNote, ".")
		if why == "" {
			why = "as its row says"
		}
		rep.add(AppsFile, rawIndex(raw.Apps, a.AppID), a.AppID, Flagged, "%s: %s; kept in the catalog, never recommended", a.StatusText(), why)
	}
}

func keys(m map[string]int) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// genericAppWords are words that, alone, name a kind of app rather than an app.
var genericAppWords = map[string]bool{
	"vr": true, "ar": true, "xr": true, "meta": true, "quest": true, "oculus": true, "app": true, "apps": true,
	"game": true, "games": true, "on": true, "the": true, "for": true, "and": true, "in": true,
	"education": true, "educational": true, "training": true, "productivity": true, "fitness": true,
	"social": true, "wellness": true, "entertainment": true, "creativity": true, "learning": true,
}

// IsPlaceholderApp reports whether an app name is only generic words, such as
// the upstream rows "VR education", "Meta" or "VR Fitness Games on Meta".
func IsPlaceholderApp(name string) bool {
	for _, w := range strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return r == ' ' || r == '-' || r == ':' }) {
		if !genericAppWords[w] {
			return false
		}
	}
	return true
}

func validateMappings(file, sourceType string, raw []vrrec.Mapping, sources map[string]bool, rejected, resolve map[string]string, rep *Report) []vrrec.Mapping {
	rep.Read[file] = len(raw)
	out := make([]vrrec.Mapping, 0, len(raw))
	seen := map[[2]string]int{}
	for i, m := range raw {
		m.SourceID = strings.TrimSpace(m.SourceID)
		id := m.SourceID + " -> " + m.SkillName
		// The old system wrote app rows as "vr_app" as often as "app".
		if m.SourceType == "" || sourceType == vrrec.SourceApp && m.SourceType == "vr_app" {
			m.SourceType = sourceType
		}
		switch {
		case m.SourceID == "":
			rep.add(file, i, id, Dropped, "missing source_id")
			continue
		case m.SourceType != sourceType:
			rep.add(file, i, id, Dropped, "source_type %q where %q belongs", m.SourceType, sourceType)
			continue
		case !sources[m.SourceID] && rejected[m.SourceID] != "":
			rep.add(file, i, id, Dropped, "%s %q was not imported (%s)", sourceType, m.SourceID, rejected[m.SourceID])
			continue
		case !sources[m.SourceID]:
			rep.add(file, i, id, Dropped, "unknown %s %q", sourceType, m.SourceID)
			continue
		case strings.TrimSpace(m.SkillName) == "":
			rep.add(file, i, id, Dropped, "missing skill_name")
			continue
		}
		canon, ok := resolve[vrrec.SkillKey(m.SkillName)]
		if !ok {
			rep.add(file, i, id, Dropped, "unknown skill %q", m.SkillName)
			continue
		}
		m.SkillName = canon
		switch {
		case m.Weight == 0:
			rep.add(file, i, id, Fixed, "missing weight, set to %.1f", defaultWeight)
			m.Weight = defaultWeight
		case m.Weight < 0 || m.Weight > 1 || math.IsNaN(m.Weight):
			rep.add(file, i, id, Dropped, "weight %v outside 0-1", m.Weight)
			continue
		}
		k := [2]string{m.SourceID, canon}
		if j, dup := seen[k]; dup {
			rep.add(file, i, id, Dropped, "duplicate of row %d", j)
			continue
		}
		seen[k] = i
		out = append(out, m)
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
