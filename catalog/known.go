package catalog

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/vrrec/vrrec"
)

// boilerplateMin is how many apps must share a description word for word
// for it to count as boilerplate: a template that says nothing about any
// one of them. The old system's catalog gives 74 of its 77 apps one of four
// such texts, with the skills of the template ("Productivity", "Remote
// work") rather than the app's (FitXR is a fitness app).
const boilerplateMin = 3

// knownFiles describe real apps the embedded catalog does not serve, in the
// upstream format (known/README.md says what they reflect and when). They
// are never served; they fill boilerplate rows of an imported catalog.
//
//go:embed known/*.json
var knownFiles embed.FS

// loadKnown returns the apps the binary can vouch for: the embedded
// catalog's and those of known/, with their skills. Validating them never
// fills (their rows are not boilerplate: TestKnownAppsAreCleanAndDistinct).
var loadKnown = sync.OnceValues(func() (*vrrec.Catalog, error) {
	def, _, _, err := readRaw(DefaultFS())
	if err != nil {
		return nil, fmt.Errorf("embedded catalog: %w", err)
	}
	sub, err := fs.Sub(knownFiles, "known")
	if err != nil {
		return nil, err
	}
	more, bad, _, err := readRaw(sub)
	if err != nil {
		return nil, fmt.Errorf("known apps: %w", err)
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("known apps: %s", bad[0])
	}
	cat, rep := validate(&vrrec.Catalog{
		Apps:      append(slices.Clone(def.Apps), more.Apps...),
		Skills:    append(slices.Clone(def.Skills), more.Skills...),
		AppSkills: append(slices.Clone(def.AppSkills), more.AppSkills...),
	}, nil)
	if bad := rep.Faults(); len(bad) > 0 {
		return nil, fmt.Errorf("known apps: %d problems, first: %s", len(bad), bad[0])
	}
	return cat, nil
})

// fillFromKnown replaces the row of every app whose description is
// boilerplate, when knownApps knows the app by name, with the known row
// (description, category, features and skills; price and rating too when
// known; the app keeps its id and name), and its skill mappings with the
// known ones, adding the skills the catalog lacks. Each fill is reported on
// the app's row. Apps it does not know keep their rows: the ranking has
// only their names and skills to go on.
func fillFromKnown(raw, out *vrrec.Catalog, rep *Report, resolve map[string]string, knownApps func() (*vrrec.Catalog, error)) {
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
	known, byName := knownByName(knownApps)
	if known == nil {
		return
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
		if !filled.Price.Known() {
			filled.Price = a.Price
		}
		if filled.Rating == 0 {
			filled.Rating = a.Rating
		}
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
		reason := fmt.Sprintf("description is boilerplate shared by %d apps; row and skills filled from the built-in knowledge of %q", n, k.Name)
		if len(added) > 0 {
			reason += fmt.Sprintf(" (skills added: %s)", strings.Join(added, ", "))
		}
		rep.add(AppsFile, rawIndex(raw.Apps, a.AppID), a.AppID, Fixed, "%s", reason)
	}
}

// statusFromKnown gives every app whose row says nothing of its status or
// platform (the old system's rows never do) what the built-in knowledge
// says of the app by that name: AltspaceVR is discontinued, Half-Life: Alyx
// runs on a PC. Apps the knowledge does not have keep their rows.
func statusFromKnown(out *vrrec.Catalog, knownApps func() (*vrrec.Catalog, error)) {
	known, byName := knownByName(knownApps)
	if known == nil {
		return
	}
	for i := range out.Apps {
		a := &out.Apps[i]
		k, ok := byName[appNameKey(a.Name)]
		if !ok || a.Status != "" || a.Platform != "" {
			continue
		}
		a.Status, a.Discontinued, a.Platform, a.StatusNote = k.Status, k.Discontinued, k.Platform, k.StatusNote
	}
}

// knownByName loads the known apps and indexes them by appNameKey; nil
// when they cannot be loaded (then nothing is filled).
func knownByName(knownApps func() (*vrrec.Catalog, error)) (*vrrec.Catalog, map[string]vrrec.VRApp) {
	known, err := knownApps()
	if err != nil {
		return nil, nil
	}
	byName := make(map[string]vrrec.VRApp, len(known.Apps))
	for _, a := range known.Apps {
		byName[appNameKey(a.Name)] = a
	}
	return known, byName
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
// PLUS", "Engage VR", "Bigscreen Beta", "Meta Horizon Workrooms").
func appNameKey(name string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		switch w {
		case "vr", "beta", "plus", "the", "app", "meta", "oculus":
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
