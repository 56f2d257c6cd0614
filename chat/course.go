package chat

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/ask"
	"github.com/vrrec/vrrec/rag"
)

// IntentCourseOpen is a course page's opening: the course's apps,
// suggested before the student asks anything.
const IntentCourseOpen = "course_open"

// mine is what of the student's own changed an answer: apps left out for
// their votes, an order their votes changed.
type mine struct {
	hidden  int
	changed bool
}

// find answers a request for the student: retrieval asked for enough apps
// that hiding those they marked not helpful still fills the answer, then
// their votes applied (opinions.apply).
func (s *Service) find(ctx context.Context, eng Engine, userID string, req rag.Request) (*vrrec.Result, mine, error) {
	o := s.opinions(ctx, eng, userID)
	want := req.TopK
	req.TopK += o.extra()
	res, err := s.findTranslated(ctx, eng, s.explainer.Load(), req)
	if err != nil {
		return nil, mine{}, err
	}
	hidden, changed := o.apply(eng, res, want)
	return res, mine{hidden, changed}, nil
}

// mark records on a reply what changed it for the student: the page's
// course it was answered for, their votes (and says how many apps their
// votes hid).
func (m mine) mark(eng Engine, reply *vrrec.Reply, res *vrrec.Result) {
	if res.InCourse != "" {
		c, _ := eng.Course(res.InCourse)
		reply.Course = &vrrec.CourseRef{ID: c.CourseID, Title: c.Title}
		reply.AdjustedBy = append(reply.AdjustedBy, vrrec.AdjustedByCourse)
	}
	if m.changed {
		reply.AdjustedBy = append(reply.AdjustedBy, vrrec.AdjustedByVotes)
	}
	if m.hidden > 0 {
		reply.HiddenByVotes = m.hidden
		reply.Response += hiddenNote(m.hidden)
	}
}

// unknownCourse tells the student plainly that a page's course is not in
// the catalog.
func unknownCourse(id string) string {
	return fmt.Sprintf("This page is set up for course %s, which isn't in our catalog, so I can't suggest apps for it. "+
		"Tell me what you study or a skill you want to practise, and I'll look for VR apps.", id)
}

// Open answers a course page opening (q.Course; q.Message is not read):
// the apps for the course, the student's votes applied, kept in the
// session as an answer, so "the second one" and "show me more" refer to
// them. ENOTFOUND when the catalog has no such course, with what to tell
// the student.
func (s *Service) Open(ctx context.Context, q vrrec.Question) (*vrrec.Reply, error) {
	if s.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.timeout)
		defer cancel()
	}
	eng := s.engine()
	c, ok := eng.Course(q.Course)
	if !ok {
		return nil, vrrec.Errorf(vrrec.ENOTFOUND, "%s", unknownCourse(q.Course))
	}
	// The course's number searched as a question on its own page.
	res, m, err := s.find(ctx, eng, q.UserID, rag.Request{Query: c.CourseID, TopK: TopK, Plain: true})
	if err != nil {
		return nil, s.failed(ctx, fmt.Errorf("open course %s: %w", c.CourseID, err))
	}
	res.InCourse = c.CourseID
	reply := &vrrec.Reply{Type: "success", UserID: q.UserID, SessionID: q.SessionID, Intent: IntentCourseOpen, Apps: []vrrec.AppRecommendation{}}
	fill(reply, res, ask.Text(c.CourseID, nil))
	reply.Response = FormatReply(res)
	m.mark(eng, reply, res)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sessionTimeout)
	defer cancel()
	err = s.sessions.Append(sctx, q.UserID, q.SessionID, vrrec.Message{Role: vrrec.RoleAssistant, Content: reply.Response,
		Intent: IntentCourseOpen, Time: s.now(), Apps: reply.Apps, Query: reply.Query, InteractionID: q.InteractionID})
	if err != nil {
		s.log.WarnContext(ctx, "course opening not saved", "err", err)
	}
	return reply, nil
}

// Course returns a course of the served catalog; ENOTFOUND, with a
// sentence for the student, when it lacks it.
func (s *Service) Course(id string) (vrrec.CourseRef, error) {
	c, ok := s.engine().Course(id)
	if !ok {
		return vrrec.CourseRef{}, vrrec.Errorf(vrrec.ENOTFOUND, "%s", unknownCourse(id))
	}
	return vrrec.CourseRef{ID: c.CourseID, Title: c.Title}, nil
}

// Courses lists the served catalog's courses, by number.
func (s *Service) Courses() []vrrec.CourseRef {
	cs := s.engine().Courses()
	out := make([]vrrec.CourseRef, len(cs))
	for i, c := range cs {
		out[i] = vrrec.CourseRef{ID: c.CourseID, Title: c.Title}
	}
	slices.SortFunc(out, func(a, b vrrec.CourseRef) int { return strings.Compare(a.ID, b.ID) })
	return out
}
