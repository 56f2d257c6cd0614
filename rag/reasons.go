package rag

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/text"
)

// Interest returns the part of a query that says what the student wants,
// without the way it was asked: "I want to learn cybersecurity" gives
// "cybersecurity", "I'm a psych major" gives "psych". It is at most 80
// characters long; a query that is all framing is returned as it is.
func Interest(query string) string {
	s := restoreCase(strings.Join(strings.Fields(stripFraming(queryWords(query))), " "), query)
	if s == "" {
		s = strings.TrimRight(strings.TrimSpace(query), ".!?")
	}
	if r := []rune(s); len(r) > 80 {
		s = string(r[:77]) + "..."
	}
	return s
}

// restoreCase gives the words of lower, found in order among the words of
// original, the spelling the student used: "python" of "I'm learning
// Python" is "Python". Words are compared whole and case-insensitively, so
// letters whose lower case has another length cannot misalign anything.
func restoreCase(lower, original string) string {
	words := strings.Fields(lower)
	orig := strings.FieldsFunc(original, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	j := 0
	for i, w := range words {
		for k := j; k < len(orig); k++ {
			if strings.EqualFold(orig[k], w) {
				words[i], j = orig[k], k+1
				break
			}
		}
	}
	return strings.Join(words, " ")
}

// topicLabel is how the answer names what the student asked for: the topic
// as understood (corrected, abbreviations spelled out, in the student's
// capitals), or the courses named, or "your question".
func (e *Engine) topicLabel(u understood) string {
	var s string
	switch {
	case len(u.words) > 0:
		s = trimLabel(restoreCase(u.topic, u.raw))
	case len(u.courses) > 0:
		names := make([]string, len(u.courses))
		for i, c := range u.courses {
			names[i] = courseName(e.courses[c])
		}
		s = listWords(names, len(names))
	default:
		s = Interest(u.raw)
	}
	if strings.TrimSpace(s) == "" {
		return "your question"
	}
	if r := []rune(s); len(r) > 80 {
		s = string(r[:77]) + "..."
	}
	return s
}

// labelTail are words that end a topic without saying anything of it:
// "painting apps" is painting.
var labelTail = map[string]bool{"apps": true, "app": true, "ones": true, "stuff": true, "please": true, "pls": true}

// labelArticles may start a topic: "the solar system" reads as said.
var labelArticles = map[string]bool{"the": true, "a": true, "an": true}

// trimLabel drops the words at the ends of a topic that say nothing of it:
// grammar left where a constraint was taken out ("piano but I" of "I want
// to learn piano but I only have 5 dollars"), and "apps".
func trimLabel(s string) string {
	words := strings.Fields(s)
	lower := func(i int) string { return strings.ToLower(strings.Trim(words[i], ",.;:!?")) }
	for len(words) > 1 && text.IsFunctionWord(lower(0)) && !labelArticles[lower(0)] {
		words = words[1:]
	}
	for len(words) > 1 && (text.IsFunctionWord(lower(len(words)-1)) || labelTail[lower(len(words)-1)]) {
		words = words[:len(words)-1]
	}
	return strings.Trim(strings.Join(words, " "), ",;:")
}

// reason explains one pick in a sentence, from the evidence that found it.
func (e *Engine) reason(u understood, ev Evidence, app int, source, interest string) string {
	a := e.apps[app]
	skills := make([]string, len(ev.skills))
	for i, s := range ev.skills {
		skills[i] = s.name
	}
	switch source {
	case vrrec.SourceAppNameMatch:
		return fmt.Sprintf("You asked about %s: %s.", a.Name, describeApp(a))
	case vrrec.SourceCourseMatch:
		c := e.courses[ev.course]
		return fmt.Sprintf("Builds %s, which %s teaches.", listWords(skills, 2), courseName(c))
	case vrrec.SourceDirectSkill:
		verb := "matches"
		if len(skills) > 1 {
			verb = "match"
		}
		return fmt.Sprintf("Builds %s, which %s your interest in %s.", listWords(skills, 2), verb, interest)
	}
	if words := matchedWords(u, ev.terms); len(words) > 0 {
		return fmt.Sprintf("Covers %s: %s.", listWords(words, 3), describeApp(a))
	}
	return fmt.Sprintf("Close to %s: %s.", interest, describeApp(a))
}

// courseName is "95-729 Title", or the number alone when the title only
// repeats it ("Course 95-729").
func courseName(c vrrec.Course) string {
	if c.Title == "" || strings.Contains(c.Title, c.CourseID) {
		return c.CourseID
	}
	return c.CourseID + " " + c.Title
}

// matchedWords turns the lexical terms an app matched back into the
// student's words: "machinelearn" is "machine learning".
func matchedWords(u understood, terms []string) []string {
	if len(terms) == 0 {
		return nil
	}
	words := strings.Fields(u.topic)
	var out []string
	used := map[string]bool{}
	for i, w := range words {
		if i > 0 && slices.Contains(terms, text.Stem(words[i-1]+w)) {
			pair := words[i-1] + " " + w
			out = slices.DeleteFunc(out, func(s string) bool { return s == words[i-1] })
			out = append(out, pair)
			used[w] = true
			continue
		}
		if !used[w] && text.IsTopicWord(w) && slices.Contains(terms, text.Stem(w)) {
			out = append(out, w)
			used[w] = true
		}
	}
	return out
}

// describeApp is a short description of an app: its category, and the first
// skills it lists.
func describeApp(a vrrec.VRApp) string {
	d := "a " + a.Category + " app"
	if article.MatchString(a.Category) {
		d = "an " + a.Category + " app"
	}
	if len(a.SkillsDeveloped) > 0 {
		d += " that builds " + listWords(a.SkillsDeveloped, 2)
	}
	return d
}

var article = regexp.MustCompile(`^(?i)[aeio]`)

// listWords joins up to n names as English: "A", "A and B", "A, B and C".
func listWords(names []string, n int) string {
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
