package chat_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/chat"
	"github.com/vrrec/vrrec/internal/inmem"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/sqlite"
)

// voter answers as the web does: each answer logged as an interaction in
// a real SQLite store, whose votes the service reads.
type voter struct {
	t   *testing.T
	svc *chat.Service
	db  *sqlite.DB
	n   int
}

func newVoter(t *testing.T) *voter {
	eng := testenv.DefaultEngine(t)
	db := testenv.SQLite(t)
	svc := chat.New(func() chat.Engine { return eng }, inmem.NewSessions(), slog.New(slog.DiscardHandler))
	svc.SetVotes(db)
	return &voter{t: t, svc: svc, db: db}
}

// ask answers msg for user and logs it; it returns the reply and its
// interaction id.
func (v *voter) ask(user, msg string) (*vrrec.Reply, string) {
	v.t.Helper()
	v.n++
	id := fmt.Sprintf("it-%d", v.n)
	r, err := v.svc.Answer(context.Background(), vrrec.Question{UserID: user, SessionID: user + "-s", Message: msg, InteractionID: id}, nil)
	if err != nil {
		v.t.Fatalf("Answer(%q): %v", msg, err)
	}
	var apps []string
	for _, a := range r.Apps {
		apps = append(apps, a.AppID)
	}
	if err := v.db.Record(context.Background(), vrrec.Interaction{ID: id, UserID: user, SessionID: r.SessionID, Query: msg,
		Intent: r.Intent, Apps: apps, Topic: r.Topic, Time: time.Now(), AdjustedBy: r.AdjustedBy}); err != nil {
		v.t.Fatal(err)
	}
	return r, id
}

func (v *voter) vote(user, interaction, app, vote string) {
	v.t.Helper()
	if err := v.db.SaveFeedback(context.Background(), vrrec.Feedback{UserID: user, InteractionID: interaction, AppID: app, Vote: vote, Time: time.Now()}); err != nil {
		v.t.Fatal(err)
	}
}

func appIDs(r *vrrec.Reply) []string {
	var out []string
	for _, a := range r.Apps {
		out = append(out, a.AppID)
	}
	return out
}

// An app a student marked not helpful is not shown to them again for the
// same need, and the answer says so; another student still gets it, and
// the same student gets it for another need.
func TestNotHelpfulHidesTheAppForThatStudentAndNeed(t *testing.T) {
	v := newVoter(t)
	const question = "fitness"
	first, id := v.ask("ana", question)
	if len(first.Apps) < 4 {
		t.Fatalf("%q: %v, want a few apps", question, appIDs(first))
	}
	gone := first.Apps[2].AppID
	v.vote("ana", id, gone, vrrec.VoteNotHelpful)

	again, _ := v.ask("ana", question)
	if slices.Contains(appIDs(again), gone) {
		t.Errorf("after not helpful on %s, the same question shows %v", gone, appIDs(again))
	}
	if again.HiddenByVotes != 1 || !slices.Contains(again.AdjustedBy, vrrec.AdjustedByVotes) {
		t.Errorf("hidden %d, adjusted by %v; want 1 and votes", again.HiddenByVotes, again.AdjustedBy)
	}
	if want := slices.DeleteFunc(appIDs(first), func(id string) bool { return id == gone }); !slices.Equal(appIDs(again)[:len(want)], want) {
		t.Errorf("the others moved: %v, before %v", appIDs(again), appIDs(first))
	}
	if !strings.Contains(again.Response, "1 app you marked not helpful for this is hidden") {
		t.Errorf("the answer does not say an app is hidden: %q", again.Response)
	}
	// Nor in the rest of the ranking, or under a condition.
	for _, follow := range []string{"show me more", "free ones?"} {
		if more, _ := v.ask("ana", follow); slices.Contains(appIDs(more), gone) {
			t.Errorf("%q after the vote shows %s: %v", follow, gone, appIDs(more))
		}
		v.ask("ana", question)
	}
	// The same need in other words is read as the same topic.
	if other, _ := v.ask("ana", "fitness apps?"); slices.Contains(appIDs(other), gone) || other.HiddenByVotes != 1 {
		t.Errorf("%q (topic %q) shows %s", "fitness apps?", other.Topic, gone)
	}

	bea, _ := v.ask("bea", question)
	if !slices.Equal(appIDs(bea), appIDs(first)) || bea.HiddenByVotes != 0 || len(bea.AdjustedBy) != 0 {
		t.Errorf("another student: %v (hidden %d, adjusted by %v), want %v as before any vote", appIDs(bea), bea.HiddenByVotes, bea.AdjustedBy, appIDs(first))
	}
	// A different need: the app may be shown again.
	for _, q := range []string{"rhythm games for exercise", "dance workouts", "boxing"} {
		r, _ := v.ask("ana", q)
		if r.Topic == first.Topic {
			continue
		}
		plain, _ := v.ask("cem", q)
		if slices.Contains(appIDs(plain), gone) {
			if !slices.Contains(appIDs(r), gone) {
				t.Errorf("%q (topic %q, not %q): %s hidden, want it shown for another need", q, r.Topic, first.Topic, gone)
			}
			return
		}
	}
	t.Fatalf("no other need shows %s: pick another question for this check", gone)
}

// A student's helpful vote lifts apps like it for them alone, within
// their band, and says why.
func TestHelpfulLiftsLikeAppsForThatStudent(t *testing.T) {
	v := newVoter(t)
	const question = "art and painting"
	first, id := v.ask("ana", question)
	if len(first.Apps) < 4 {
		t.Fatalf("%q: %v, want a few apps", question, appIDs(first))
	}
	liked := first.Apps[3]
	v.vote("ana", id, liked.AppID, vrrec.VoteHelpful)
	again, _ := v.ask("ana", question)
	i := slices.IndexFunc(again.Apps, func(a vrrec.AppRecommendation) bool { return a.AppID == liked.AppID })
	if i < 0 || i >= 3 || again.Apps[i].ForYou != "You found "+liked.Name+" helpful" {
		t.Fatalf("after helpful on %s (4th): %v, want it higher and saying why", liked.AppID, again.Apps)
	}
	if !slices.Contains(again.AdjustedBy, vrrec.AdjustedByVotes) {
		t.Errorf("adjusted by %v, want votes", again.AdjustedBy)
	}
	// Every app that moved above another says why, and no app passed one
	// of a higher band or one more than 5 points more likely.
	before := map[string]int{}
	for i, a := range first.Apps {
		before[a.AppID] = i
	}
	for i, a := range again.Apps {
		for _, b := range again.Apps[i+1:] {
			if before[a.AppID] > before[b.AppID] {
				if a.ForYou == "" {
					t.Errorf("%s passed %s without a reason", a.AppID, b.AppID)
				}
				if b.LikelinessScore >= a.LikelinessScore+0.05 || band(b) > band(a) {
					t.Errorf("%s (%.2f) passed %s (%.2f)", a.AppID, a.LikelinessScore, b.AppID, b.LikelinessScore)
				}
			}
		}
	}
	bea, _ := v.ask("bea", question)
	if !slices.Equal(appIDs(bea), appIDs(first)) || slices.ContainsFunc(bea.Apps, func(a vrrec.AppRecommendation) bool { return a.ForYou != "" }) {
		t.Errorf("another student: %v, want %v and nothing for them", appIDs(bea), appIDs(first))
	}
}

func band(a vrrec.AppRecommendation) int {
	switch {
	case a.LikelinessScore >= 0.5:
		return 2
	case a.LikelinessScore >= 0.3:
		return 1
	}
	return 0
}
