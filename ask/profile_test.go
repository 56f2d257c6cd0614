package ask

import (
	"slices"
	"strings"
	"testing"
)

func TestProfileStatementsInManyPhrasings(t *testing.T) {
	for _, c := range []struct {
		msg, major, year string
		courses          []string
		interests        []string
		rest             string // "" when the message is only a statement
	}{
		{"I'm a nursing student", "nursing", "", nil, nil, ""},
		{"im a nursing student", "nursing", "", nil, nil, ""},
		{"I am a Nursing student.", "nursing", "", nil, nil, ""},
		{"I’m a nursing major", "nursing", "", nil, nil, ""},
		{"I'm a sophomore in mechanical engineering", "mechanical engineering", "second year", nil, nil, ""},
		{"i'm a freshman studying biology", "biology", "first year", nil, nil, ""},
		{"I'm a senior majoring in economics", "economics", "fourth year", nil, nil, ""},
		{"I'm a first-year nursing student", "nursing", "first year", nil, nil, ""},
		{"I'm a grad student in physics", "physics", "graduate", nil, nil, ""},
		{"I'm a PhD student in neuroscience", "neuroscience", "PhD", nil, nil, ""},
		{"I'm a junior", "", "third year", nil, nil, ""},
		{"I'm a cs major", "computer science", "", nil, nil, ""},
		{"As a mech e major, what should I try?", "mechanical engineering", "", nil, nil, "what should i try?"},
		{"My major is architecture", "architecture", "", nil, nil, ""},
		{"I'm majoring in political science", "political science", "", nil, nil, ""},
		{"I'm in the nursing program", "nursing", "", nil, nil, ""},
		{"I'm doing a degree in chemical engineering", "chemical engineering", "", nil, nil, ""},
		{"I'm taking 15-112 and 21-127", "", "", []string{"15-112", "21-127"}, nil, ""},
		{"I'm taking 15-112, 21-127 and 15-122 this semester", "", "", []string{"15-112", "21-127", "15-122"}, nil, "this semester"},
		{"This semester I'm taking organic chemistry and calculus", "", "", []string{"organic chemistry", "calculus"}, nil, ""},
		{"I'm in 15-112", "", "", []string{"15-112"}, nil, ""},
		{"I study nursing", "nursing", "", nil, nil, ""},
		{"I study nursing, something for my degree?", "nursing", "", nil, nil, "something for my degree?"},
		{"my classes are CS 101 and MATH 221", "", "", []string{"CS 101", "MATH 221"}, nil, ""},
		{"I'm interested in robotics and architecture", "", "", nil, []string{"robotics", "architecture"}, ""},
		{"I'm really into astronomy", "", "", nil, []string{"astronomy"}, ""},
		{"I'm a sophomore in mechanical engineering and I'm taking 24-101", "mechanical engineering", "second year", []string{"24-101"}, nil, ""},
		{"I'm a nursing student looking for anatomy apps", "nursing", "", nil, nil, "looking for anatomy apps"},
		{"I'm an architecture student at CMU", "architecture", "", nil, nil, ""},
		{"im a 2nd year med student", "medicine", "second year", nil, nil, ""},
		{"I am currently a junior studying psychology", "psychology", "third year", nil, nil, ""},
		{"As a grad student in health informatics, what do you recommend?", "health informatics", "graduate", nil, nil, "what do you recommend?"},
		{"I'm a comp sci student and need help with data structures", "computer science", "", nil, nil, "need help with data structures"},
		{"Hi! I'm a nursing student", "nursing", "", nil, nil, "hi!"},
		{"I'm a nursing student. Anything for my clinical skills lab?", "nursing", "", nil, nil, "anything for my clinical skills lab?"},
	} {
		p, rest := Profile(c.msg)
		if p.Major != c.major || p.Year != c.year || !slices.Equal(p.Courses, c.courses) || !slices.Equal(p.Interests, c.interests) {
			t.Errorf("%q: major %q year %q courses %q interests %q; want %q %q %q %q", c.msg, p.Major, p.Year, p.Courses, p.Interests,
				c.major, c.year, c.courses, c.interests)
		}
		if rest != c.rest {
			t.Errorf("%q: rest %q, want %q", c.msg, rest, c.rest)
		}
	}
}

// Statements about someone else, in the past, negated, or a question
// about a kind of student, say nothing about the writer; nor do questions
// that happen to use the words.
func TestProfileNegatives(t *testing.T) {
	for _, msg := range []string{
		"my friend is a nursing student",
		"my roommate is a cs major, what would she like?",
		"I'm not a nursing student",
		"I'm no longer a nursing student",
		"I used to be a nursing student",
		"I was a nursing major",
		"apps for a nursing student",
		"what do nursing students use?",
		"I'm studying anatomy",
		"I'm learning Python",
		"I'm a big fan of Beat Saber",
		"I'm a nurse",
		"I'm a TA for 15-112",
		"I'm teaching 15-112",
		"I'm a student",
		"I'm a college student",
		"I'm a nursing student's mom",
		"I'm looking for a good physics app",
		"public speaking",
		"15-112",
		"free apps for 2 players",
		"I'm in a small dorm room",
		"I'm in college",
		"I study best at night",
		"when I study I get distracted, any focus apps?",
		"apps that help me study",
	} {
		if p, rest := Profile(msg); p.Stated() || rest != msg {
			t.Errorf("%q read as a statement about the writer: %+v, rest %q", msg, p, rest)
		}
	}
}

func TestVagueQuestions(t *testing.T) {
	for _, c := range []struct {
		msg, scope string
	}{
		{"anything for my major?", ScopeMajor},
		{"Any VR apps for my degree?", ScopeMajor},
		{"what would suit my field", ScopeMajor},
		{"something for my classes", ScopeCourses},
		{"apps for my courses please", ScopeCourses},
		{"anything useful for my coursework?", ScopeCourses},
		{"what would help with my studies", ScopeStudies},
		{"recommend something for what I study", ScopeStudies},
		{"anything for me?", ScopeStudies},
		{"what do you recommend for me", ScopeStudies},
		{"good apps for my major and my classes", ScopeMajor},
	} {
		scope, ok := Vague(c.msg)
		if !ok || scope != c.scope {
			t.Errorf("%q: %q, %v; want %q", c.msg, scope, ok, c.scope)
		}
	}
	// A question with a topic of its own is not vague, even when it says
	// "my".
	for _, msg := range []string{
		"apps for my anatomy class",
		"anything for my clinical skills lab?",
		"public speaking for my presentations",
		"something for my chemistry homework",
		"I want to practice public speaking",
		"anatomy",
		"tell me more about Beat Saber",
		"my roommates and I want a party game",
	} {
		if scope, ok := Vague(msg); ok {
			t.Errorf("%q read as vague (%s)", msg, scope)
		}
	}
}

func TestProfileQuery(t *testing.T) {
	p, _ := Profile("I'm a sophomore in nursing and I'm taking 15-112 and 21-127")
	for _, c := range []struct{ scope, query, label string }{
		{ScopeMajor, "nursing", "nursing"},
		{ScopeCourses, "15-112, 21-127", "15-112 and 21-127"},
		{ScopeStudies, "nursing, 15-112, 21-127", "nursing, 15-112 and 21-127"},
	} {
		if q, l := ProfileQuery(p, c.scope); q != c.query || l != c.label {
			t.Errorf("%s: %q %q; want %q %q", c.scope, q, l, c.query, c.label)
		}
	}
	// A scope the profile says nothing of falls back to the rest.
	major, _ := Profile("I'm a nursing student")
	if q, _ := ProfileQuery(major, ScopeCourses); q != "nursing" {
		t.Errorf("courses of a major-only profile: %q", q)
	}
	year, _ := Profile("I'm a junior")
	if q, l := ProfileQuery(year, ScopeStudies); q != "" || l != "" {
		t.Errorf("a year alone is nothing to search by: %q %q", q, l)
	}
	if strings.Contains(joinAnd([]string{"a", "b", "c"}), ", and") {
		t.Error("no serial comma")
	}
}
