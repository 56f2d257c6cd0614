package catalog

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/vrrec/vrrec"
)

// boilerplateMin is how many apps must share a description word for word
// for it to count as boilerplate: a template that says nothing about any
// one of them. The old system's catalog gives 74 of its 77 apps one of four
// such texts, with the skills of the template ("Productivity", "Remote
// work") rather than the app's (FitXR is a fitness app).
const boilerplateMin = 3

// fillFromKnown replaces the row of every app whose description is
// boilerplate, when the embedded catalog knows the app by name, with the
// known row (description, category, features, price, rating and skills;
// the app keeps its id and name), and its skill mappings with the known
// ones, adding the skills the catalog lacks. Each fill is reported on the
// app's row. Apps the embedded catalog does not know keep their rows: the
// ranking has only their names and skills to go on.
//
// The embedded catalog's own validation never reaches knownApps (it has no
// boilerplate; TestDefaultCatalogHasNoBoilerplate), so loading it here
// cannot recurse, and its tests guarantee it loads.
func fillFromKnown(raw, out *vrrec.Catalog, rep *Report, resolve map[string]string) {
	shared := map[string]int{}
	for _, a := range out.Apps {
		if d := normalSpace(a.Description); d != "" {
			shared[d]++
		}
	}
	var templated []int
	for i, a := range out.Apps {
		if shared[normalSpace(a.Description)] >= boilerplateMin {
			templated = append(templated, i)
		}
	}
	if len(templated) == 0 {
		return
	}
	known, err := Default() // the apps the binary can vouch for
	if err != nil {
		return
	}
	byName := map[string]vrrec.VRApp{}
	for _, a := range known.Apps {
		byName[appNameKey(a.Name)] = a
	}
	skills := map[string]vrrec.Skill{}
	for _, s := range known.Skills {
		skills[s.Name] = s
	}
	for _, i := range templated {
		a := &out.Apps[i]
		k, ok := byName[appNameKey(a.Name)]
		if !ok {
			continue
		}
		n := shared[normalSpace(a.Description)]
		filled := k
		filled.AppID, filled.Name = a.AppID, a.Name
		*a = filled
		out.AppSkills = slices.DeleteFunc(out.AppSkills, func(m vrrec.Mapping) bool { return m.SourceID == a.AppID })
		var added []string
		for _, m := range known.AppSkills {
			if m.SourceID != k.AppID {
				continue
			}
			name, ok := resolve[vrrec.SkillKey(m.SkillName)]
			if !ok {
				name = addKnownSkill(skills[m.SkillName], out, resolve)
				added = append(added, name)
			}
			out.AppSkills = append(out.AppSkills, vrrec.Mapping{SourceID: a.AppID, SourceType: vrrec.SourceApp, SkillName: name, Weight: m.Weight})
		}
		reason := fmt.Sprintf("description is boilerplate shared by %d apps; row and skills filled from the built-in catalog's %q", n, k.Name)
		if len(added) > 0 {
			reason += fmt.Sprintf(" (skills added: %s)", strings.Join(added, ", "))
		}
		rep.add(AppsFile, rawIndex(raw.Apps, a.AppID), a.AppID, Fixed, "%s", reason)
	}
}

// addKnownSkill adds a skill of the embedded catalog, with those of its
// aliases no other skill claims, and returns its name.
func addKnownSkill(s vrrec.Skill, out *vrrec.Catalog, resolve map[string]string) string {
	var aliases []string
	for _, a := range s.Aliases {
		if _, taken := resolve[vrrec.SkillKey(a)]; !taken {
			resolve[vrrec.SkillKey(a)] = s.Name
			aliases = append(aliases, a)
		}
	}
	resolve[vrrec.SkillKey(s.Name)] = s.Name
	out.Skills = append(out.Skills, vrrec.Skill{Name: s.Name, Aliases: aliases, Category: s.Category, Weight: s.Weight})
	return s.Name
}

// appNameKey identifies an app across catalogs: its name's letters and
// digits, without the words editions and platforms add ("Titans of Space
// PLUS", "Engage VR", "Bigscreen Beta").
func appNameKey(name string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		switch w {
		case "vr", "beta", "plus", "the", "app":
			continue
		}
		b.WriteString(w)
	}
	return b.String()
}

func normalSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// rawIndex is the position of an app's row among the raw rows.
func rawIndex(apps []vrrec.VRApp, id string) int {
	for i, a := range apps {
		if strings.TrimSpace(a.AppID) == id {
			return i
		}
	}
	return -1
}
