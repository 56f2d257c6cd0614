package rag

import (
	"strings"
	"unicode"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/embedding"
)

// SkillText is how a skill is embedded: its name and aliases. (The old system
// appended the category too; a word shared by a thousand skills only blurs
// them.)
func SkillText(s vrrec.Skill) string {
	if len(s.Aliases) == 0 {
		return s.Name + "."
	}
	return s.Name + ". Also known as: " + strings.Join(s.Aliases, ", ") + "."
}

// AppText is how an app is embedded for matching its own name and content:
// name, category, description, features and the skills it lists.
func AppText(a vrrec.VRApp) string {
	return a.Name + ". " + a.Category + ". " + a.Description + " " + strings.Join(a.Features, ". ") + ". " + strings.Join(a.SkillsDeveloped, ". ") + "."
}

// CourseText is how a course is embedded when a query names it.
func CourseText(c vrrec.Course, skills []string) string {
	return c.Title + ". " + c.Description + " " + strings.Join(c.LearningOutcomes, ". ") + ". " + strings.Join(skills, ". ") + "."
}

// TrainOffline trains the built-in embedder on a catalog: each course with
// the skills it teaches, each app with the skills it develops, each skill
// with its aliases; short all-capital aliases ("ML", "UX") become
// abbreviations of their skill.
func TrainOffline(cat *vrrec.Catalog, opts embedding.Options) *embedding.Offline {
	courseSkills := map[string][]string{}
	for _, m := range cat.CourseSkills {
		courseSkills[m.SourceID] = append(courseSkills[m.SourceID], m.SkillName)
	}
	appSkills := map[string][]string{}
	for _, m := range cat.AppSkills {
		appSkills[m.SourceID] = append(appSkills[m.SourceID], m.SkillName)
	}
	docs := make([]string, 0, len(cat.Courses)+len(cat.Apps)+len(cat.Skills))
	for _, c := range cat.Courses {
		docs = append(docs, CourseText(c, courseSkills[c.CourseID]))
	}
	for _, a := range cat.Apps {
		docs = append(docs, AppText(a)+" "+strings.Join(appSkills[a.AppID], ". "))
	}
	abbrev := map[string]string{}
	for _, s := range cat.Skills {
		docs = append(docs, SkillText(s))
		for _, a := range s.Aliases {
			if isAcronym(a) {
				abbrev[strings.ToLower(a)] = s.Name
			}
		}
	}
	return embedding.Train(embedding.Corpus{Docs: docs, Abbreviations: abbrev}, opts)
}

// isAcronym reports whether s looks like an abbreviation: one word of two to
// six characters, all capitals or digits, at least one letter.
func isAcronym(s string) bool {
	if len(s) < 2 || len(s) > 6 {
		return false
	}
	letters := 0
	for _, r := range s {
		switch {
		case unicode.IsUpper(r):
			letters++
		case unicode.IsDigit(r):
		default:
			return false
		}
	}
	return letters > 0
}
