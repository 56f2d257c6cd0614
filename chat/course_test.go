package chat_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/chat"
)

func TestCourseOpening(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	r, err := s.Open(ctx, vrrec.Question{UserID: "u", SessionID: "s", Course: "15-112"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Intent != chat.IntentCourseOpen || r.Course == nil || r.Course.ID != "15-112" || r.Course.Title != "Fundamentals of Programming and Computer Science" {
		t.Errorf("opening: intent %q, course %+v", r.Intent, r.Course)
	}
	if !strings.HasPrefix(r.Response, "For **15-112 Fundamentals of Programming and Computer Science**, the course of this page:") || len(r.Apps) == 0 {
		t.Errorf("opening: %d apps, %q", len(r.Apps), r.Response)
	}
	// The same apps as the course number asked.
	asked := ask(t, s, "v", "s", "15-112")
	if !slices.Equal(appIDs(r), appIDs(asked)) {
		t.Errorf("opening %v, asking 15-112 %v", appIDs(r), appIDs(asked))
	}
	// Kept in the session: "show me more" refers to it.
	more := ask(t, s, "u", "s", "show me more")
	if more.Intent != chat.IntentFollowUp || slices.ContainsFunc(more.Apps, func(a vrrec.AppRecommendation) bool { return slices.Contains(appIDs(r), a.AppID) }) {
		t.Errorf("show me more after the opening: %s %v (opening %v)", more.Intent, appIDs(more), appIDs(r))
	}

	_, err = s.Open(ctx, vrrec.Question{UserID: "u", SessionID: "s", Course: "99-999"})
	if vrrec.ErrorCode(err) != vrrec.ENOTFOUND || !strings.Contains(vrrec.ErrorMessage(err), "course 99-999, which isn't in our catalog") {
		t.Errorf("unknown course: %v", err)
	}
}

func TestQuestionsOnACoursePage(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	on := func(msg, course string) (*vrrec.Reply, error) {
		return s.Answer(ctx, vrrec.Question{UserID: "u", SessionID: "s", Message: msg, Course: course}, nil)
	}
	vague, err := on("anything for this class?", "15-112")
	if err != nil {
		t.Fatal(err)
	}
	course := ask(t, s, "v", "s", "15-112")
	if vague.Course == nil || vague.Course.ID != "15-112" || !slices.Equal(vague.AdjustedBy, []string{vrrec.AdjustedByCourse}) ||
		!slices.Equal(appIDs(vague), appIDs(course)) {
		t.Errorf("vague on 15-112: course %+v, adjusted by %v, %v; the course's apps %v", vague.Course, vague.AdjustedBy, appIDs(vague), appIDs(course))
	}
	own, err := on("public speaking", "15-112")
	if err != nil {
		t.Fatal(err)
	}
	plain := ask(t, s, "v", "s2", "public speaking")
	if own.Course != nil || len(own.AdjustedBy) != 0 || !slices.Equal(appIDs(own), appIDs(plain)) {
		t.Errorf("own topic on 15-112: course %+v, adjusted by %v, %v; asked elsewhere %v", own.Course, own.AdjustedBy, appIDs(own), appIDs(plain))
	}
	if _, err := on("anything?", "99-999"); vrrec.ErrorCode(err) != vrrec.EINVALID {
		t.Errorf("unknown course in a question: %v, want EINVALID", err)
	}
}
