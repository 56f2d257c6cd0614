package web

import (
	"context"
	"net/http"
	"regexp"
	"time"

	"github.com/vrrec/vrrec"
)

// Courses opens course pages and lists the served catalog's courses
// (chat.Service).
type Courses interface {
	// Open answers a course page's opening: the course's apps, kept in
	// the session. ENOTFOUND for a course the catalog lacks.
	Open(ctx context.Context, q vrrec.Question) (*vrrec.Reply, error)
	Courses() []vrrec.CourseRef
	// Course returns a course's number and title; ENOTFOUND, with a
	// sentence for the student, when the catalog lacks it.
	Course(id string) (vrrec.CourseRef, error)
}

// courseIDPattern is a course number as the catalog writes it: 15-112.
var courseIDPattern = regexp.MustCompile(`^[0-9]{2}-[0-9]{3}$`)

var errCourseID = vrrec.Errorf(vrrec.EINVALID, "course must be a course number such as 15-112")

type openRequest struct {
	Course    string `json:"course"`
	SessionID string `json:"session_id"`
}

// chatOpen answers POST /chat/open {"course", "session_id"}: a course
// page opening (the widget's data-course, the chat page's ?course=) with
// the course's apps, as a /chat response, logged as an interaction of
// intent course_open. A course the catalog lacks is 404, with a sentence
// for the student.
func (s *Server) chatOpen(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Courses == nil {
		s.writeError(w, r, vrrec.Errorf(vrrec.EUNAVAILABLE, "Course pages are not available"))
		return
	}
	user := s.identify(w, r)
	var req openRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	switch {
	case !courseIDPattern.MatchString(req.Course):
		s.writeError(w, r, errCourseID)
		return
	case req.SessionID == "":
		req.SessionID = newUUID()
	case !sessionIDPattern.MatchString(req.SessionID):
		s.writeError(w, r, vrrec.Errorf(vrrec.EINVALID, "session_id must be 1-64 letters, digits, '-' or '_'"))
		return
	}
	release, ok := s.acquireSlot(w, r)
	if !ok {
		return
	}
	defer release()
	start := time.Now()
	q := vrrec.Question{UserID: user, SessionID: req.SessionID, Message: req.Course, Course: req.Course, InteractionID: newUUID()}
	reply, err := s.cfg.Courses.Open(r.Context(), q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.record(r, q, reply, start, "web")
	writeJSON(w, http.StatusOK, s.respondChat(r, reply, q.InteractionID))
}

// courses answers GET /api/courses with the served catalog's courses
// ({"courses": [{"id", "title"}]}), for instructors choosing the course of
// a page.
func (s *Server) courses(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Courses == nil {
		s.writeError(w, r, vrrec.Errorf(vrrec.EUNAVAILABLE, "Course pages are not available"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"courses": s.cfg.Courses.Courses()})
}

// course answers GET /api/courses/{id} with the course's number and title,
// or 404 with a sentence for the student when the catalog lacks it: what a
// course page checks before it opens.
func (s *Server) course(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Courses == nil {
		s.writeError(w, r, vrrec.Errorf(vrrec.EUNAVAILABLE, "Course pages are not available"))
		return
	}
	c, err := s.cfg.Courses.Course(r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// answersByCourse answers GET /api/admin/courses?days=N: the answers given
// on course pages, by course (most first), with the course's title from
// the served catalog.
func (s *Server) answersByCourse(w http.ResponseWriter, r *http.Request) {
	if s.cfg.CourseLog == nil {
		s.writeError(w, r, vrrec.Errorf(vrrec.EUNAVAILABLE, "no interaction log"))
		return
	}
	from, err := since(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	counts, err := s.cfg.CourseLog.AnswersByCourse(r.Context(), from)
	if err != nil {
		s.writeError(w, r, vrrec.Unavailable(err, "Answers by course are unavailable: the database does not answer"))
		return
	}
	if s.cfg.Courses != nil {
		titles := map[string]string{}
		for _, c := range s.cfg.Courses.Courses() {
			titles[c.ID] = c.Title
		}
		for i := range counts {
			counts[i].Title = titles[counts[i].CourseID]
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"courses": counts})
}
