package rag

import "github.com/vrrec/vrrec"

// Course returns the catalog course with the given number ("15-112").
func (e *Engine) Course(id string) (vrrec.Course, bool) {
	i, ok := e.courseIdx[id]
	if !ok {
		return vrrec.Course{}, false
	}
	return e.courses[i], true
}

// Courses returns the catalog's courses; callers must not modify them.
func (e *Engine) Courses() []vrrec.Course { return e.courses }

// CourseName is how answers name a course: its number and title
// ("15-112 Fundamentals of Programming").
func CourseName(c vrrec.Course) string { return courseName(c) }

// inCourse reads a need in the context of the course of the page it was
// asked on: a need with no topic of its own (no topic word, course or app
// once its framing and constraints are set aside: "anything for this
// class?", "free ones?") is the course's, read as its number; one with a
// topic of its own stays its own. ok is false when the need is not the
// course's, or the catalog has no such course.
func (e *Engine) inCourse(u understood, course string) (understood, bool) {
	if course == "" || len(u.words) > 0 || len(u.courses) > 0 || len(u.apps) > 0 || len(u.unknownCourses) > 0 {
		return u, false
	}
	if _, ok := e.courseIdx[course]; !ok {
		return u, false
	}
	return e.understand(course), true
}
