package privacy_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/privacy"
)

type store interface {
	vrrec.InteractionLog
	vrrec.SessionStore
	vrrec.FeedbackStore
	vrrec.ProfileStore
}

// backends open each store the service runs on, fresh.
var backends = map[string]func(t *testing.T) store{
	"sqlite": func(t *testing.T) store { return testenv.SQLite(t) },
	"mongo":  func(t *testing.T) store { return testenv.MongoDB(t) },
}

var now = time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)

func service(db store) *privacy.Service {
	return &privacy.Service{Kinds: []privacy.Kind{privacy.Interactions(db, 180*24*time.Hour), privacy.Sessions(db, 30*24*time.Hour),
		privacy.Feedback(db, 180*24*time.Hour), privacy.Profiles(db, 30*24*time.Hour)},
		Now: func() time.Time { return now }}
}

// fill stores a student's old and recent interactions and sessions, and
// another student's.
func fill(t *testing.T, db store) {
	ctx := context.Background()
	ago := func(days int) time.Time { return now.AddDate(0, 0, -days) }
	var items []vrrec.Interaction
	for i, a := range []struct {
		user string
		days int
	}{{"ann", 200}, {"ann", 190}, {"bob", 200}, {"ann", 10}, {"bob", 1}, {"bob", 179}} {
		items = append(items, vrrec.Interaction{ID: "i" + string(rune('a'+i)), UserID: a.user, SessionID: "s", Query: a.user + "'s private question",
			Intent: "recommendation", Response: "apps", Apps: []string{"cubism"}, LatencyMS: float64(10 * (i + 1)), Source: "web", Time: ago(a.days)})
	}
	if err := db.Record(ctx, items...); err != nil {
		t.Fatal(err)
	}
	// Votes on three of those answers: ann's old one, ann's and bob's
	// recent ones.
	for _, v := range []struct {
		user, interaction string
		days              int
	}{{"ann", "ia", 200}, {"ann", "id", 10}, {"bob", "ie", 1}} {
		if err := db.SaveFeedback(ctx, vrrec.Feedback{UserID: v.user, InteractionID: v.interaction, AppID: "cubism",
			Vote: vrrec.VoteHelpful, Time: ago(v.days)}); err != nil {
			t.Fatal(err)
		}
	}
	// Profiles: ann's changed recently, bob's last seen 40 days ago.
	if err := db.SaveProfile(ctx, "ann", vrrec.Profile{Major: "nursing", Courses: []string{"15-112"}, UpdatedAt: ago(3)}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveVisit(ctx, "ann", vrrec.Visit{At: ago(2), Apps: []string{"cubism"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveVisit(ctx, "bob", vrrec.Visit{At: ago(40), Apps: []string{"cubism"}}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		user, session string
		days          int
	}{{"ann", "old", 40}, {"ann", "new", 2}, {"bob", "old", 31}, {"bob", "new", 29}} {
		if err := db.Append(ctx, s.user, s.session, vrrec.Message{Role: vrrec.RoleUser, Content: "hello from " + s.user, Time: ago(s.days)}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRetention runs retention on each store at an injected time: the
// rows past their window go, the statistics stay.
func TestRetention(t *testing.T) {
	for name, open := range backends {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := open(t)
			fill(t, db)
			before, err := db.Stats(ctx, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			var reported []string
			removed, err := service(db).Expire(ctx, func(kind string, _ time.Time, n int, err error) {
				reported = append(reported, kind)
			})
			if err != nil || !reflect.DeepEqual(removed, map[string]int{"interactions": 3, "messages": 2, "feedback": 1, "profile": 1}) {
				t.Fatalf("removed %v, %v; want 3 interactions (older than 180 days), 2 messages (sessions idle 30 days), 1 vote, 1 profile (bob's, not seen for 40 days)", removed, err)
			}
			if !reflect.DeepEqual(reported, []string{"interactions", "messages", "feedback", "profile"}) {
				t.Errorf("reported %v", reported)
			}
			page, total, _ := db.Interactions(ctx, vrrec.InteractionFilter{Limit: 100})
			if total != 3 {
				t.Errorf("%d interactions kept, want 3", total)
			}
			for _, it := range page {
				if now.Sub(it.Time) > 180*24*time.Hour {
					t.Errorf("an interaction past its window is kept: %+v", it)
				}
			}
			after, err := db.Stats(ctx, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			if after.Total != before.Total || after.AvgLatencyMS != before.AvgLatencyMS || after.P95LatencyMS != before.P95LatencyMS ||
				!reflect.DeepEqual(after.PerDay, before.PerDay) || !reflect.DeepEqual(after.Intents, before.Intents) ||
				!reflect.DeepEqual(after.Apps, before.Apps) || !reflect.DeepEqual(after.Latency, before.Latency) {
				t.Errorf("statistics changed:\n got %+v\nwant %+v", after, before)
			}
			if after.SummarizedDays != 2 {
				t.Errorf("summarised days %d, want 2", after.SummarizedDays)
			}
			if p, _, _ := db.Profile(ctx, "ann"); p.Major != "nursing" {
				t.Errorf("ann's recent profile went: %+v", p)
			}
			if _, v, _ := db.Profile(ctx, "bob"); !v.At.IsZero() {
				t.Errorf("bob's visit of 40 days ago is kept: %+v", v)
			}
			for user, want := range map[string]int{"ann": 1, "bob": 1} {
				if h, _ := db.History(ctx, user, 100); len(h) != want {
					t.Errorf("%s keeps %d messages, want %d", user, len(h), want)
				}
			}
		})
	}
}

// TestForgetAndExport: staff export a student, the student is forgotten,
// an export afterwards holds nothing of theirs and the other student keeps
// everything.
func TestForgetAndExport(t *testing.T) {
	for name, open := range backends {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := open(t)
			fill(t, db)
			svc := service(db)
			exp, err := svc.Export(ctx, "ann")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(exp)
			if got := string(b); !strings.Contains(got, "ann's private question") || !strings.Contains(got, "hello from ann") || strings.Contains(got, "bob") ||
				!strings.Contains(got, `"major":"nursing"`) {
				t.Errorf("export of ann: %s", got)
			}
			if exp.Data["interactions"].([]vrrec.Interaction)[0].UserID != "ann" || len(exp.Data["interactions"].([]vrrec.Interaction)) != 3 {
				t.Errorf("exported interactions: %+v", exp.Data["interactions"])
			}
			f, err := svc.Forget(ctx, "ann")
			if votes, _ := exp.Data["feedback"].([]vrrec.Feedback); len(votes) != 2 || votes[0].UserID != "ann" {
				t.Errorf("exported votes: %+v", exp.Data["feedback"])
			}
			if err != nil || !reflect.DeepEqual(f.Removed, map[string]int{"interactions": 3, "messages": 2, "feedback": 2, "profile": 1}) || !f.At.Equal(now) {
				t.Fatalf("forget: %+v, %v", f, err)
			}
			exp, _ = svc.Export(ctx, "ann")
			if n := len(exp.Data["interactions"].([]vrrec.Interaction)) + len(exp.Data["messages"].([]vrrec.Message)) + len(exp.Data["feedback"].([]vrrec.Feedback)); n != 0 {
				t.Errorf("after the forget the export holds %d records: %+v", n, exp)
			}
			if p := exp.Data["profile"].(privacy.ProfileExport); p.Profile.Stated() || !p.LastVisit.At.IsZero() {
				t.Errorf("after the forget the export holds a profile: %+v", p)
			}
			if _, v, _ := db.Profile(ctx, "bob"); v.At.IsZero() {
				t.Error("bob's visit went with ann's forget")
			}
			exp, _ = svc.Export(ctx, "bob")
			if n := len(exp.Data["interactions"].([]vrrec.Interaction)); n != 3 {
				t.Errorf("bob's interactions: %d, want 3", n)
			}
			if st, _ := db.Stats(ctx, time.Time{}); st.Total != 6 {
				t.Errorf("statistics after the forget count %d interactions, want 6", st.Total)
			}
			for _, bad := range []string{"", strings.Repeat("x", privacy.MaxUserID+1)} {
				if _, err := svc.Forget(ctx, bad); vrrec.ErrorCode(err) != vrrec.EINVALID {
					t.Errorf("forget %q: %v, want EINVALID", bad, err)
				}
			}
		})
	}
}

func TestDue(t *testing.T) {
	job := func(state string, hoursAgo int) vrrec.Job {
		return vrrec.Job{Type: privacy.JobType, State: state, StartedAt: now.Add(-time.Duration(hoursAgo) * time.Hour)}
	}
	for _, c := range []struct {
		name   string
		recent []vrrec.Job
		want   bool
	}{
		{"never ran", nil, true},
		{"ran an hour ago", []vrrec.Job{job(vrrec.JobCompleted, 1)}, false},
		{"ran yesterday", []vrrec.Job{job(vrrec.JobCompleted, 25)}, true},
		{"failed an hour ago", []vrrec.Job{job(vrrec.JobFailed, 1), job(vrrec.JobCompleted, 30)}, true},
		{"running", []vrrec.Job{job(vrrec.JobRunning, 0)}, false},
		{"other jobs only", []vrrec.Job{{Type: "import", State: vrrec.JobCompleted, StartedAt: now}}, true},
	} {
		if got := privacy.Due(c.recent, now); got != c.want {
			t.Errorf("%s: due %v, want %v", c.name, got, c.want)
		}
	}
}
