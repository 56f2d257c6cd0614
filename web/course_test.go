package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/chat"
	"github.com/vrrec/vrrec/sqlite"
	"github.com/vrrec/vrrec/web"
)

// personalServer is usageServer with the students' votes read back by the
// chat and the answers counted by course.
func personalServer(t *testing.T) (string, *sqlite.DB) {
	return usageServer(t, func(c *web.Config, db *sqlite.DB) {
		c.Chat.(*chat.Service).SetVotes(db)
		c.CourseLog = db
	})
}

// logged waits until the journal has copied the interactions to the
// database.
func logged(t *testing.T, db *sqlite.DB, ids ...string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, n, err := db.Interactions(context.Background(), vrrec.InteractionFilter{IDs: ids}); err == nil && n == len(ids) {
			return
		}
	}
	t.Fatalf("interactions %v never logged", ids)
}

func ids(a answer) []string {
	var out []string
	for _, x := range a.Apps {
		out = append(out, x.AppID)
	}
	return out
}

// After "not helpful" on an app, the same student's same question no
// longer shows it; another student's does.
func TestNotHelpfulHidesTheAppFromThatStudentOnly(t *testing.T) {
	base, db := personalServer(t)
	ana, bea := newClient(), newClient()
	first := askFor(t, ana, base, "fitness")
	if len(first.Apps) < 3 {
		t.Fatalf("fitness: %v", ids(first))
	}
	gone := first.Apps[1].AppID
	if res := vote(t, ana, base, first, gone, vrrec.VoteNotHelpful); res.status != 200 {
		t.Fatalf("vote: %d %s", res.status, res.body)
	}
	logged(t, db, first.InteractionID)
	again := postChat(t, ana, base, "fitness")
	var reply struct {
		answer
		HiddenByVotes int      `json:"hidden_by_votes"`
		AdjustedBy    []string `json:"adjusted_by"`
	}
	if err := json.Unmarshal(again.body, &reply); err != nil || again.status != 200 {
		t.Fatalf("again: %d %s", again.status, again.body)
	}
	if slices.Contains(ids(reply.answer), gone) || reply.HiddenByVotes != 1 || !slices.Equal(reply.AdjustedBy, []string{vrrec.AdjustedByVotes}) {
		t.Errorf("ana again: %v, hidden %d, adjusted by %v; want %s hidden", ids(reply.answer), reply.HiddenByVotes, reply.AdjustedBy, gone)
	}
	if other := askFor(t, bea, base, "fitness"); !slices.Equal(ids(other), ids(first)) {
		t.Errorf("bea: %v, want %v", ids(other), ids(first))
	}
	// The interaction keeps what changed it, for staff.
	logged(t, db, reply.InteractionID)
	its, _, _ := db.Interactions(context.Background(), vrrec.InteractionFilter{IDs: []string{reply.InteractionID}})
	if !slices.Equal(its[0].AdjustedBy, []string{vrrec.AdjustedByVotes}) {
		t.Errorf("logged adjusted by %v", its[0].AdjustedBy)
	}
}

func TestCoursePageAPI(t *testing.T) {
	base, db := personalServer(t)
	ana := newClient()
	post := func(path, body string) response { return do(t, ana, "POST", base+path, "application/json", body, nil) }
	type reply struct {
		answer
		Intent     string           `json:"intent"`
		Course     *vrrec.CourseRef `json:"course"`
		AdjustedBy []string         `json:"adjusted_by"`
	}
	read := func(res response) reply {
		t.Helper()
		var r reply
		if err := json.Unmarshal(res.body, &r); err != nil || res.status != 200 {
			t.Fatalf("%d %s", res.status, res.body)
		}
		return r
	}
	open := read(post("/chat/open", `{"course":"15-112"}`))
	if open.Intent != chat.IntentCourseOpen || open.Course == nil || open.Course.Title != "Fundamentals of Programming and Computer Science" ||
		len(open.Apps) == 0 || open.FeedbackToken == "" {
		t.Errorf("opening: %+v", open)
	}
	vague := read(post("/chat", `{"message":"anything for this class?","course":"15-112"}`))
	if vague.Course == nil || !slices.Equal(vague.AdjustedBy, []string{vrrec.AdjustedByCourse}) || !slices.Equal(ids(vague.answer), ids(open.answer)) {
		t.Errorf("vague on the course page: %+v", vague)
	}
	own := read(post("/chat", `{"message":"public speaking","course":"15-112"}`))
	if own.Course != nil || len(own.AdjustedBy) != 0 {
		t.Errorf("own topic on the course page: %+v", own)
	}
	for _, c := range []struct {
		path, body string
		status     int
		says       string
	}{
		{"/chat/open", `{"course":"99-999"}`, http.StatusNotFound, "This page is set up for course 99-999, which isn't in our catalog"},
		{"/chat/open", `{"course":"abc"}`, http.StatusBadRequest, "course must be a course number such as 15-112"},
		{"/chat/open", `{}`, http.StatusBadRequest, "course must be a course number such as 15-112"},
		{"/chat", `{"message":"hi","course":"<b>"}`, http.StatusBadRequest, "course must be a course number such as 15-112"},
		{"/chat", `{"message":"anything?","course":"99-999"}`, http.StatusBadRequest, "This page is set up for course 99-999, which isn't in our catalog"},
	} {
		res := post(c.path, c.body)
		if msg, _ := res.json(t)["error"].(string); res.status != c.status || len(msg) < len(c.says) || msg[:len(c.says)] != c.says {
			t.Errorf("%s %s: %d %q, want %d %q", c.path, c.body, res.status, msg, c.status, c.says)
		}
	}
	if res := do(t, ana, "GET", base+"/api/courses/15-112", "", "", nil); res.status != 200 || res.json(t)["title"] != "Fundamentals of Programming and Computer Science" {
		t.Errorf("GET /api/courses/15-112: %d %s", res.status, res.body)
	}
	if res := do(t, ana, "GET", base+"/api/courses/99-999", "", "", nil); res.status != 404 {
		t.Errorf("GET /api/courses/99-999: %d %s", res.status, res.body)
	}
	var list struct{ Courses []vrrec.CourseRef }
	if res := do(t, ana, "GET", base+"/api/courses", "", "", nil); json.Unmarshal(res.body, &list) != nil || len(list.Courses) != 160 || list.Courses[0].ID > list.Courses[1].ID {
		t.Errorf("GET /api/courses: %d courses", len(list.Courses))
	}

	// Staff see the answers by course.
	logged(t, db, open.InteractionID, vague.InteractionID, own.InteractionID)
	if res := do(t, ana, "GET", base+"/api/admin/courses", "", "", nil); res.status != http.StatusUnauthorized {
		t.Errorf("a student reads answers by course: %d", res.status)
	}
	staff := newClient()
	if res := do(t, staff, "POST", base+"/api/auth/login", "application/json", `{"password":"staff-password"}`, nil); res.status != 200 {
		t.Fatalf("login: %d %s", res.status, res.body)
	}
	var by struct{ Courses []vrrec.CourseAnswers }
	res := do(t, staff, "GET", base+"/api/admin/courses?days=7", "", "", nil)
	want := []vrrec.CourseAnswers{{CourseID: "15-112", Title: "Fundamentals of Programming and Computer Science", Answers: 3, Students: 1, InCourse: 2}}
	if json.Unmarshal(res.body, &by) != nil || !slices.Equal(by.Courses, want) {
		t.Errorf("answers by course: %d %s, want %+v", res.status, res.body, want)
	}
}
