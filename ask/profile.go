package ask

import (
	"regexp"
	"slices"
	"strings"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/text"
)

// What a student says about their own studies: "I'm a nursing student",
// "I'm a sophomore in mechanical engineering", "my major is economics",
// "I'm taking 15-112 and 21-127", "I'm interested in robotics". Only
// statements about the writer count: "my friend is a nursing student", "I
// used to be a nursing student" and "apps for a nursing student" say
// nothing about them. "I'm studying anatomy" is a question about anatomy
// (how students ask for apps), not a major.

// yearPattern names a year of study.
const yearPattern = `freshman|freshmen|sophomore|junior|senior|(?:first|second|third|fourth|final|1st|2nd|3rd|4th|last)[- ]year|` +
	`grad|graduate|postgrad|postgraduate|undergrad|undergraduate|phd|doctoral|master'?s|masters`

// studentWords end a major's words: "nursing student", "cs major".
const studentWords = `students?|majors?|undergrads?|undergraduates?|grad students?|graduate students?|phd students?|master'?s students?`

var (
	// "I'm a(n) ...", "as a(n) ...": what follows is read by iAmA.
	iAmA = regexp.MustCompile(`\b(?:i'm|as) (?:currently |now |also |just )?an? (.+)`)
	// "at CMU", "at Carnegie Mellon": where, after a statement.
	atPlace = regexp.MustCompile(`^\s+(?:at|from) `)
	// "I'm a sophomore", "a first-year": the year at the start.
	leadingYear = regexp.MustCompile(`^(` + yearPattern + `)\b\s*`)
	// "nursing student", "mechanical engineering major": a major of up to
	// four words before the student word, never a possessive ("a nursing
	// student's mom").
	majorThenStudent = regexp.MustCompile(`^((?:[a-z][a-z&/+-]*\s+){0,3}?[a-z][a-z&/+-]*)\s+(?:` + studentWords + `)\b('s|s')?`)
	// "student in physics", "sophomore studying biology", "majoring in
	// economics", "my major is X", "degree in X": the major after them.
	majorAfter  = regexp.MustCompile(`^(?:(?:` + studentWords + `)\s+)?(?:in|of|studying|majoring in|doing|reading)\s+(.+)`)
	majorStated = regexp.MustCompile(`(?:^|[,;:]\s*|\band\s+)(?:i study|i'm a student of|i'm a student in)\s+(.*)|\b(?:my major is|my major's|i major in|i'm majoring in|i'm double majoring in|` +
		`i'm doing (?:a|my) (?:degree|major|bachelor'?s|master'?s|phd) in|i'm pursuing (?:a|my) (?:degree|major) in|` +
		`my degree is in|i'm in the (.+?) program(?:me)?\b|i'm enrolled in the (.+?) program(?:me)?\b)\s*(.*)`)
	// "I'm taking 15-112 and 21-127", "my classes are ...".
	coursesStated = regexp.MustCompile(`\b(?:i'm taking|i am taking|i take|i'm enrolled in|i'm registered for|` +
		`my (?:classes|courses|modules) (?:are|this semester are|this term are)|my (?:class|course|module) is|` +
		`this (?:semester|term) i(?:'m taking| have| take)|i have classes in)\s+(.+)`)
	// "I'm in 15-112": only a course number says it is a course.
	inCourse = regexp.MustCompile(`\bi'm in ((?:[a-z]{2,5} ?)?\d{2,3}-?\d{3}\b.*)`)
	// "I'm interested in robotics", "I'm into architecture".
	interestStated = regexp.MustCompile(`\b(?:i'm (?:really |very |also )?interested in|i'm (?:really )?into|i'm passionate about|` +
		`my interests? (?:is|are|include)|i have an interest in)\s+(.+)`)
	// courseNumber is a course number as students write it: "15-112",
	// "CS 101", "MATH221".
	courseNumber = regexp.MustCompile(`\b(?:[a-z]{2,5} ?)?\d{2,3}-?\d{3}\b|\b[a-z]{2,5} ?\d{3}[a-z]?\b`)
	// statementEnd is where what a statement names ends: another clause,
	// a question, the place or time of study.
	statementEnd = regexp.MustCompile(`\s*(?:[,;:.!?()]|\s(?:and i|and i'm|and im|i|i'm|so|but|who|which|that|looking|want|wanting|need|needing|` +
		`trying|hoping|searching|at|this|next|right|currently|in my|for my|with|any|anything|something|what|can|could|would|is|are|do|does|` +
		`please|recommend|suggest)\b)`)
	// listSplit splits a list of courses or interests.
	listSplit = regexp.MustCompile(`\s*(?:,|\band\b|&|\bplus\b|/)\s*`)
)

var (
	iAm             = regexp.MustCompile(`\b(?:i am|im|i'm)\b`)
	clauseBreak     = regexp.MustCompile(`[.!?;]+\s+|\bbut\b`)
	leadingJoin     = regexp.MustCompile(`^(?:and|so|but|also)\b\s*`)
	leadingStudent  = regexp.MustCompile(`^\s*(?:` + studentWords + `)\b`)
	trailingStudent = regexp.MustCompile(`\b(?:` + studentWords + `|program|programme|degree|department)$`)
	aLetter         = regexp.MustCompile(`[a-z]`)
	listEnd         = regexp.MustCompile(`\s*(?:[;:.!?()]|\s(?:i|i'm|so|but|who|which|looking|want|need|trying|hoping|this|next|right now|currently|` +
		`in my|for my|any|anything|something|what|can|could|would|please|recommend|suggest|and i|and i'm)\b)`)
)

// notAMajor are words after "a sophomore in" that name no subject.
var notAMajor = map[string]bool{"college": true, "university": true, "school": true, "high school": true, "uni": true,
	"the": true, "a": true, "an": true, "my": true, "student": true, "grad school": true, "graduate school": true,
	"class": true, "program": true, "vr": true, "need": true, "big": true, "huge": true, "new": true, "good": true,
	"full time": true, "part time": true, "full-time": true, "part-time": true, "returning": true, "transfer": true,
	"international": true, "mature": true, "exchange": true, "college student": true, "university student": true}

// majorNames spells out the abbreviations students use for majors.
var majorNames = map[string]string{"cs": "computer science", "comp sci": "computer science", "compsci": "computer science",
	"ece": "electrical and computer engineering", "ee": "electrical engineering", "mech e": "mechanical engineering",
	"meche": "mechanical engineering", "mech-e": "mechanical engineering", "me": "mechanical engineering", "bio": "biology", "chem": "chemistry", "med": "medicine", "nursing school": "nursing", "med school": "medicine",
	"econ": "economics", "psych": "psychology", "poli sci": "political science", "polisci": "political science",
	"civ e": "civil engineering", "chem e": "chemical engineering", "bme": "biomedical engineering", "is": "information systems",
	"stats": "statistics", "math": "mathematics", "maths": "mathematics", "pre-med": "pre-medicine", "premed": "pre-medicine"}

// yearNames gives each year one spelling.
var yearNames = map[string]string{"freshman": "first year", "freshmen": "first year", "first-year": "first year",
	"1st year": "first year", "1st-year": "first year", "sophomore": "second year", "second-year": "second year",
	"2nd year": "second year", "2nd-year": "second year", "junior": "third year", "third-year": "third year", "3rd year": "third year",
	"3rd-year": "third year", "senior": "fourth year", "fourth-year": "fourth year", "4th year": "fourth year", "4th-year": "fourth year",
	"final year": "final year", "final-year": "final year", "last year": "final year", "last-year": "final year",
	"grad": "graduate", "postgrad": "graduate", "postgraduate": "graduate", "undergrad": "undergraduate",
	"phd": "PhD", "doctoral": "PhD", "masters": "master's", "master's": "master's", "masters'": "master's"}

// normalise lowers msg and writes "I'm" one way.
func normalise(msg string) string {
	s := strings.ToLower(strings.NewReplacer("’", "'", "‘", "'").Replace(msg))
	s = iAm.ReplaceAllString(s, "i'm")
	return strings.Join(strings.Fields(s), " ")
}

var negated = regexp.MustCompile(`\b(?:not|no longer|never|n't|used to|was|were|wasn't|formerly|former|ex)\b`)

// Profile reads what msg says about the studies of the student who wrote
// it: a major, a year, courses, interests (Language and the times are left
// for the caller). Statements in a clause that negates them ("I'm not a
// nursing student anymore"), about someone else, or in the past say
// nothing. rest is msg without the statements, to answer as a question
// ("I'm a nursing student looking for anatomy apps": "looking for anatomy
// apps").
func Profile(msg string) (p vrrec.Profile, rest string) {
	s := normalise(msg)
	var cut [][2]int // spans of s that were statements
	for _, clause := range clauses(s) {
		c := s[clause[0]:clause[1]]
		if negated.MatchString(c) && !strings.Contains(c, "i'm taking") {
			continue
		}
		if span, ok := readIAmA(c, &p); ok {
			cut = append(cut, [2]int{clause[0] + span[0], clause[0] + span[1]})
		}
		if m := majorStated.FindStringSubmatchIndex(c); m != nil {
			name := ""
			for _, g := range []int{2, 4, 6, 8} {
				if m[g] >= 0 && name == "" {
					name = c[m[g]:m[g+1]]
				}
			}
			if major := cleanMajor(upTo(name)); major != "" && p.Major == "" {
				p.Major = major
				end := m[1]
				for _, g := range []int{2, 8} { // the name runs on: up to its end
					if m[g] >= 0 && m[4] < 0 && m[6] < 0 {
						end = m[g] + len(upTo(c[m[g]:m[g+1]]))
					}
				}
				cut = append(cut, [2]int{clause[0] + m[0], clause[0] + end})
			}
		}
		for _, re := range []*regexp.Regexp{coursesStated, inCourse} {
			if m := re.FindStringSubmatchIndex(c); m != nil {
				list, end := readList(c[m[2]:m[3]], true)
				if len(list) > 0 {
					p.Courses = appendNew(p.Courses, list...)
					cut = append(cut, [2]int{clause[0] + m[0], clause[0] + m[2] + end})
				}
			}
		}
		if m := interestStated.FindStringSubmatchIndex(c); m != nil {
			list, end := readList(c[m[2]:m[3]], false)
			if len(list) > 0 {
				p.Interests = appendNew(p.Interests, list...)
				cut = append(cut, [2]int{clause[0] + m[0], clause[0] + m[2] + end})
			}
		}
	}
	if len(cut) == 0 {
		return p, msg
	}
	// The rest is what was not a statement, in the lowered message.
	var b strings.Builder
	last := 0
	slices.SortFunc(cut, func(a, b [2]int) int { return a[0] - b[0] })
	for _, c := range cut {
		if c[0] > last {
			b.WriteString(s[last:c[0]])
			b.WriteString(" ")
		}
		last = max(last, c[1])
	}
	b.WriteString(s[last:])
	rest = strings.Join(strings.Fields(b.String()), " ")
	rest = strings.TrimLeft(rest, ",;:.!? ")
	rest = leadingJoin.ReplaceAllString(rest, "")
	return p, rest
}

// clauses splits s where one statement cannot run into the next.
func clauses(s string) [][2]int {
	var out [][2]int
	start := 0
	for _, loc := range clauseBreak.FindAllStringIndex(s, -1) {
		out = append(out, [2]int{start, loc[0]})
		start = loc[1]
	}
	return append(out, [2]int{start, len(s)})
}

// readIAmA reads "I'm a sophomore in mechanical engineering", "I'm a
// nursing student", "as a cs major" into p, returning the span read.
func readIAmA(c string, p *vrrec.Profile) ([2]int, bool) {
	m := iAmA.FindStringSubmatchIndex(c)
	if m == nil {
		return [2]int{}, false
	}
	x := c[m[2]:m[3]]
	read := 0
	year := ""
	if y := leadingYear.FindStringSubmatch(x); y != nil {
		year, read = y[1], len(y[0])
	}
	major := ""
	after := x[read:]
	if mm := majorThenStudent.FindStringSubmatch(after); mm != nil && mm[2] != "" {
		return [2]int{}, false // "a nursing student's mom": someone else
	} else if mm != nil && !notAMajor[mm[1]] && !hasFunctionWord(mm[1]) {
		major = mm[1]
		read += len(mm[0])
		after = x[read:]
		if year == "" {
			if y := leadingYear.FindStringSubmatch(major); y != nil { // "a first year nursing student"
				year, major = y[1], strings.TrimSpace(major[len(y[0]):])
			}
		}
	}
	if mm := majorAfter.FindStringSubmatch(strings.TrimSpace(after)); mm != nil && major == "" && (year != "" || startsWithStudent(after)) {
		if name := upTo(mm[1]); cleanMajor(name) != "" {
			major = name
			read = len(x) - len(strings.TrimSpace(after)) + strings.Index(strings.TrimSpace(after), name) + len(name)
		}
	} else if major == "" && year != "" && startsWithStudent(after) {
		read += len(leadingStudent.FindString(after))
	}
	major = cleanMajor(major)
	if loc := atPlace.FindStringIndex(x[read:]); loc != nil && (year != "" || major != "") {
		read += loc[1] + len(upTo(x[read+loc[1]:])) // "at CMU" is said of the student, not asked
	}
	if year == "" && major == "" {
		return [2]int{}, false
	}
	if year != "" {
		p.Year = cmpYear(year)
	}
	if major != "" && p.Major == "" {
		p.Major = major
	}
	return [2]int{m[0], m[2] + read}, true
}

func startsWithStudent(s string) bool {
	return leadingStudent.MatchString(s)
}

// hasFunctionWord reports whether a would-be major has a word no major
// has ("a student who", "looking for a student").
func hasFunctionWord(s string) bool {
	for _, w := range strings.Fields(s) {
		if text.IsFunctionWord(w) && w != "and" && majorNames[w] == "" {
			return true
		}
	}
	return false
}

func cmpYear(y string) string {
	if n, ok := yearNames[y]; ok {
		return n
	}
	return y
}

// upTo returns s up to where what a statement names ends.
func upTo(s string) string {
	if loc := statementEnd.FindStringIndex(s); loc != nil {
		s = s[:loc[0]]
	}
	return strings.TrimSpace(s)
}

// cleanMajor returns a major as kept: abbreviations spelled out, "" for
// words that name no subject.
func cleanMajor(s string) string {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "the "))
	s = strings.TrimSpace(trailingStudent.ReplaceAllString(s, ""))
	if s == "" || notAMajor[s] || len(strings.Fields(s)) > 5 || !aLetter.MatchString(s) || !hasTopicWord(s) {
		return ""
	}
	if n, ok := majorNames[s]; ok {
		return n
	}
	return s
}

// readList reads a list of courses or interests ("15-112 and 21-127",
// "robotics and architecture") up to where the statement ends, and how
// much of s it read. Courses keep every course number in the list, and
// titles only when no number is given.
func readList(s string, courses bool) ([]string, int) {
	if courses {
		if nums := courseNumber.FindAllStringIndex(s, -1); len(nums) > 0 {
			var out []string
			end := 0
			for i, loc := range nums {
				if i > 0 && !listSplit.MatchString(s[end:loc[0]]) && strings.TrimSpace(s[end:loc[0]]) != "" {
					break // "15-112 with my friend from 21-127": the list ended
				}
				num := s[loc[0]:loc[1]]
				if w, n, ok := strings.Cut(num, " "); ok && text.IsFunctionWord(w) { // "and 21-127"
					num = n
				}
				out, end = append(out, strings.ToUpper(num)), loc[1]
			}
			return out, end
		}
	}
	body := upToList(s)
	var out []string
	for _, part := range listSplit.Split(body, -1) {
		part = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(part), "a "))
		if part == "" || len(strings.Fields(part)) > 5 || !hasTopicWord(part) {
			continue
		}
		out = append(out, part)
	}
	return out, len(body)
}

// upToList is upTo where commas and "and" continue the list.
func upToList(s string) string {
	if loc := listEnd.FindStringIndex(s); loc != nil {
		s = s[:loc[0]]
	}
	return strings.TrimSpace(s)
}

func hasTopicWord(s string) bool {
	for _, w := range text.Words(s) {
		if text.IsTopicWord(w) {
			return true
		}
	}
	return false
}

func appendNew(list []string, items ...string) []string {
	for _, it := range items {
		if !slices.Contains(list, it) {
			list = append(list, it)
		}
	}
	return list
}

// Scopes of a vague question: what of the profile it asks about.
const (
	ScopeMajor   = "major"   // "anything for my major?"
	ScopeCourses = "courses" // "something for my classes"
	ScopeStudies = "studies" // "what would help with my studies", "anything for me?"
)

var (
	vagueRef = regexp.MustCompile(`\b(?:my|our) (?:(major|degree|program|programme|field|subject|discipline|area of study)|` +
		`(courses?|class(?:es)?|modules?|course ?work|course ?load|lectures?|semester|term|schedule)|` +
		`(studies|study|school ?work|uni ?work|college ?work|academics|education|year|learning|homework|assignments?))\b|` +
		`\b(?:what|the stuff|the things|the subjects?) (i|i'm) (?:study|studying|learn|learning|take|taking)\b|\b(for|help|suit|suits|fit|fits|fitting) (me)\b`)
	// vagueFiller are the words of a vague question besides its reference.
	vagueFiller = map[string]bool{"anything": true, "something": true, "any": true, "some": true, "apps": true, "app": true,
		"vr": true, "good": true, "useful": true, "helpful": true, "help": true, "recommend": true, "recommendation": true,
		"recommendations": true, "suggest": true, "suggestion": true, "suggestions": true, "ideas": true, "idea": true,
		"games": true, "game": true, "stuff": true, "things": true, "thing": true, "relevant": true, "related": true,
		"quest": true, "meta": true, "headset": true, "best": true, "great": true, "cool": true, "fun": true, "options": true,
		"programs": true, "tools": true, "experiences": true, "worth": true, "trying": true, "try": true, "suit": true, "suits": true,
		"fit": true, "fits": true, "fitting": true, "match": true, "matches": true, "matching": true, "go": true, "along": true,
		"support": true, "boost": true, "improve": true, "better": true, "would": true, "could": true, "should": true,
		"there": true, "got": true, "know": true, "show": true, "give": true, "tell": true, "list": true, "hey": true,
		"hi": true, "hello": true, "please": true, "pls": true, "thanks": true, "based": true, "on": true, "use": true}
)

// Vague reports whether a question (its constraints already taken out)
// asks for apps for the student's studies without a topic of its own, and
// about which part: "anything for my major?" (ScopeMajor), "something for
// my classes" (ScopeCourses), "what would help with my studies" or
// "anything for me?" (ScopeStudies). "apps for my anatomy class" has a
// topic of its own and is not vague.
func Vague(question string) (scope string, ok bool) {
	s := normalise(question)
	ms := vagueRef.FindAllStringSubmatchIndex(s, -1)
	if ms == nil {
		return "", false
	}
	scope = ScopeStudies
	for _, m := range ms {
		switch {
		case m[2] >= 0 && scope == ScopeStudies:
			scope = ScopeMajor
		case m[4] >= 0 && scope == ScopeStudies:
			scope = ScopeCourses
		}
	}
	left := vagueRef.ReplaceAllString(s, " ")
	for _, w := range text.Words(left) {
		if text.IsTopicWord(w) && !vagueFiller[w] && !needWords[w] {
			return "", false
		}
	}
	return scope, true
}

// ProfileQuery is what to search for a vague question of scope from p, and
// the words that say so ("nursing", "15-112 and 21-127"); empty when p
// states nothing to search by. A scope p says nothing of falls back to the
// rest of p: courses for a major not stated, the major for courses.
func ProfileQuery(p vrrec.Profile, scope string) (query, label string) {
	var parts []string
	switch scope {
	case ScopeMajor:
		parts = nonEmpty(p.Major)
		if len(parts) == 0 {
			parts = p.Courses
		}
	case ScopeCourses:
		parts = p.Courses
		if len(parts) == 0 {
			parts = nonEmpty(p.Major)
		}
	}
	if len(parts) == 0 {
		parts = append(append(nonEmpty(p.Major), p.Courses...), p.Interests...)
	}
	if len(parts) == 0 {
		return "", ""
	}
	// One search per part (a comma separates needs), so a major and two
	// courses each get their own picks.
	return strings.Join(parts, ", "), joinAnd(parts)
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// joinAnd lists words in prose: "a", "a and b", "a, b and c".
func joinAnd(parts []string) string {
	if len(parts) <= 1 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}
