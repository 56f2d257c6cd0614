package rag

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/embedding"
)

// nameEntry is an app name or course title as lower-case words, for finding
// it inside a query.
type nameEntry struct {
	id    string
	words []string
}

func nameWords(s string) []string { return embedding.Words(s) }

// interestLead matches the ways students open a request, so the reason can
// quote what they want rather than how they asked.
var interestLead = regexp.MustCompile(`(?i)^(?:(?:hi|hello|hey)[,!. ]+)?(?:` +
	`i(?:'m| am) (?:currently )?(?:learning|studying|taking|interested in|into|curious about|trying to (?:learn|get better at|improve)|working on)|` +
	`i (?:want|would like|'d like|wanna|need|hope) to (?:learn|study|practice|practise|get better at|improve(?: my)?|explore|understand|build)|` +
	`i (?:like|love|enjoy|study)|` +
	`(?:can you |please )?(?:teach me|help me (?:learn|with|improve)|show me|recommend(?: me)?(?: (?:some|an?) )?(?:vr )?(?:apps?|games?)? ?(?:for|about|on)?)|` +
	`(?:learning|studying|learn|study)` +
	`)\s+(?:about\s+|more about\s+)?`)

// Interest returns the part of a query that says what the student wants:
// "I want to learn cybersecurity" gives "cybersecurity". It is at most 80
// characters long.
func Interest(query string) string {
	s := strings.TrimSpace(interestLead.ReplaceAllString(query, ""))
	s = strings.TrimRight(s, ".!?")
	if s == "" {
		s = query
	}
	if r := []rune(s); len(r) > 80 {
		s = string(r[:77]) + "..."
	}
	return s
}

// topicWords returns the query's words that say something about its topic.
func topicWords(query string) map[string]bool {
	out := map[string]bool{}
	for _, w := range embedding.Words(query) {
		if embedding.IsTopicWord(w) && len(w) > 2 {
			out[w] = true
		}
	}
	return out
}

// reason explains one pick in a sentence, from the evidence that found it.
func (r *retrieval) reason(c *candidate, source, interest string) string {
	app := r.e.apps[c.app]
	switch source {
	case vrrec.SourceAppNameMatch:
		return fmt.Sprintf("You asked about %s: %s.", app.Name, describeApp(app))
	case vrrec.SourceCourseMatch:
		course := r.e.courses[c.course]
		if len(c.skills) > 0 && c.bridge == "" {
			return fmt.Sprintf("Builds %s, which %s %s teaches.", listSkills(c.skills, 2), course.CourseID, course.Title)
		}
		return fmt.Sprintf("Builds %s, close to what %s %s covers.", listSkills(c.skills, 2), course.CourseID, course.Title)
	case vrrec.SourceDirectSkill:
		verb := "matches"
		if len(c.skills) > 1 {
			verb = "match"
		}
		return fmt.Sprintf("Builds %s, which %s your interest in %s.", listSkills(c.skills, 2), verb, interest)
	case vrrec.SourceAppTextMatch:
		if len(c.terms) > 0 {
			return fmt.Sprintf("Covers %s, as you asked: %s.", listSkills(c.terms, 3), describeApp(app))
		}
		return fmt.Sprintf("Its content relates to %s: %s.", interest, describeApp(app))
	default:
		if course, ok := r.e.courses[c.viaCourse]; ok {
			return fmt.Sprintf("Builds %s, which %s %s teaches alongside %s.", c.bridge, course.CourseID, course.Title, c.viaSkill)
		}
		return fmt.Sprintf("Builds %s, a skill related to %s.", c.bridge, interest)
	}
}

// describeApp is a short description of an app: its category, and the first
// skills it lists.
func describeApp(a vrrec.VRApp) string {
	d := "a " + a.Category + " app"
	if strings.HasPrefix(a.Category, "e") || strings.HasPrefix(a.Category, "a") {
		d = "an " + a.Category + " app"
	}
	if len(a.SkillsDeveloped) > 0 {
		d += " that builds " + listSkills(a.SkillsDeveloped, 2)
	}
	return d
}

// listSkills joins up to n names as English: "A", "A and B", "A, B and C".
func listSkills(names []string, n int) string {
	if len(names) > n {
		names = names[:n]
	}
	switch len(names) {
	case 0:
		return "related skills"
	case 1:
		return names[0]
	default:
		return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	}
}
