package rag_test

import (
	"slices"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/rag"
)

func findIn(t *testing.T, req rag.Request) *vrrec.Result {
	t.Helper()
	req.TopK = 8
	res := find(t, req)
	checkInvariants(t, res)
	return res
}

// A question with no topic of its own, asked on a course's page, is that
// course's: the same apps as the course number asked outright.
func TestCourseContextAnswersAVagueQuestion(t *testing.T) {
	course := findIn(t, rag.Request{Query: "15-112"})
	for _, q := range []string{"anything for this class?", "what should I try?", "free ones?"} {
		res := findIn(t, rag.Request{Query: q, Course: "15-112"})
		if res.InCourse != "15-112" {
			t.Errorf("%q on the 15-112 page: InCourse %q, want 15-112", q, res.InCourse)
		}
		if res.Topic != "15-112 Fundamentals of Programming and Computer Science" {
			t.Errorf("%q on the 15-112 page: topic %q", q, res.Topic)
		}
		if len(res.Constraints) == 0 && !slices.Equal(ids(res), ids(course)) {
			t.Errorf("%q on the 15-112 page: %v, the course's apps are %v", q, ids(res), ids(course))
		}
		if plain := findIn(t, rag.Request{Query: q}); plain.InCourse != "" {
			t.Errorf("%q without a course: InCourse %q", q, plain.InCourse)
		}
	}
}

// A question with a topic of its own is not bent towards the page's course,
// nor is one naming another course; a course the catalog lacks changes
// nothing.
func TestCourseContextLeavesATopicAlone(t *testing.T) {
	for _, tc := range []struct{ query, course string }{
		{"public speaking", "15-112"},
		{"apps for 03-350", "15-112"},
		{"anything for this class?", "99-999"},
	} {
		plain := findIn(t, rag.Request{Query: tc.query})
		res := findIn(t, rag.Request{Query: tc.query, Course: tc.course})
		if res.InCourse != "" || res.Topic != plain.Topic || !slices.Equal(ids(res), ids(plain)) {
			t.Errorf("%q on the %s page: in course %q, topic %q, %v; without the course: topic %q, %v",
				tc.query, tc.course, res.InCourse, res.Topic, ids(res), plain.Topic, ids(plain))
		}
	}
}

func TestCourseLookup(t *testing.T) {
	eng, cat := defaultEngine()
	c, ok := eng.Course("15-112")
	if !ok || c.Title != "Fundamentals of Programming and Computer Science" {
		t.Errorf("Course(15-112) = %+v, %v", c, ok)
	}
	if _, ok := eng.Course("99-999"); ok {
		t.Error("Course(99-999) found")
	}
	if len(eng.Courses()) != len(cat.Courses) {
		t.Errorf("Courses: %d, the catalog has %d", len(eng.Courses()), len(cat.Courses))
	}
}
