package usage_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/usage"
)

func TestFeedbackReport(t *testing.T) {
	ctx := context.Background()
	db := testenv.SQLite(t)
	at := func(h int) time.Time { return time.Date(2026, 11, 20, h, 0, 0, 0, time.UTC) }
	db.Record(ctx,
		vrrec.Interaction{ID: "i1", UserID: "u1", Query: "I study anatomy", Topic: "anatomy", Intent: "recommendation", Apps: []string{"organon", "cubism"}, BestMatch: 90, Time: at(1)},
		vrrec.Interaction{ID: "i2", UserID: "u2", Query: "anatomy apps?", Topic: "anatomy", Intent: "recommendation", Apps: []string{"organon", "cubism"}, BestMatch: 88, Time: at(2)},
		vrrec.Interaction{ID: "i3", UserID: "u3", Query: "spatial puzzles", Topic: "spatial puzzles", Intent: "recommendation", Apps: []string{"cubism"}, BestMatch: 80, Time: at(3)},
	)
	for _, f := range []vrrec.Feedback{
		{UserID: "u1", InteractionID: "i1", AppID: "organon", Vote: vrrec.VoteHelpful, Time: at(4)},
		{UserID: "u1", InteractionID: "i1", AppID: "cubism", Vote: vrrec.VoteNotHelpful, Time: at(5)},
		{UserID: "u2", InteractionID: "i2", AppID: "cubism", Vote: vrrec.VoteNotHelpful, Time: at(6)},
		{UserID: "u2", InteractionID: "i2", Vote: vrrec.VoteNotWhatIAsked, Time: at(7)},
		{UserID: "u3", InteractionID: "i3", AppID: "cubism", Vote: vrrec.VoteHelpful, Time: at(8)},
		{UserID: "u3", InteractionID: "gone", AppID: "organon", Vote: vrrec.VoteHelpful, Time: at(9)},
	} {
		if err := db.SaveFeedback(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	names := map[string]string{"cubism": "Cubism", "organon": "3D Organon VR Anatomy"}
	r := &usage.Reports{Log: db, Votes: db, AppName: func(id string) string { return names[id] }}
	rep, err := r.Feedback(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Votes != 6 {
		t.Errorf("votes: %d", rep.Votes)
	}
	wantApps := []vrrec.Helpfulness{
		{Key: "cubism", Name: "Cubism", Helpful: 1, NotHelpful: 2},
		{Key: "organon", Name: "3D Organon VR Anatomy", Helpful: 2},
	}
	if !reflect.DeepEqual(rep.Apps, wantApps) {
		t.Errorf("per app:\n got %+v\nwant %+v", rep.Apps, wantApps)
	}
	wantTopics := []vrrec.Helpfulness{
		{Key: "anatomy", Helpful: 1, NotHelpful: 2, NotWhatIAsked: 1},
		{Key: "spatial puzzles", Helpful: 1},
	}
	if !reflect.DeepEqual(rep.Topics, wantTopics) {
		t.Errorf("per topic:\n got %+v\nwant %+v", rep.Topics, wantTopics)
	}
	wantFlagged := []vrrec.Unhelpful{{AppID: "cubism", Name: "Cubism", NotHelpful: 2, Questions: []string{"anatomy apps?", "I study anatomy"}}}
	if !reflect.DeepEqual(rep.Flagged, wantFlagged) {
		t.Errorf("most not helpful:\n got %+v\nwant %+v", rep.Flagged, wantFlagged)
	}
	if !reflect.DeepEqual(rep.NotWhatIAsked, []string{"anatomy apps?"}) {
		t.Errorf("not what I asked: %q", rep.NotWhatIAsked)
	}
	recent, err := r.Feedback(ctx, at(8))
	if err != nil || recent.Votes != 2 || len(recent.Flagged) != 0 {
		t.Errorf("since 08:00: %+v, %v", recent, err)
	}
}

// Personalised answers against plain ones: how many of each, and their
// votes.
func TestFeedbackOnPersonalisedAnswers(t *testing.T) {
	ctx := context.Background()
	db := testenv.SQLite(t)
	at := func(h int) time.Time { return time.Date(2026, 11, 20, h, 0, 0, 0, time.UTC) }
	mine := []string{vrrec.AdjustedByProfile}
	db.Record(ctx,
		vrrec.Interaction{ID: "p1", UserID: "u1", Query: "anything for my major?", Intent: "recommendation", Apps: []string{"organon"}, Time: at(1), AdjustedBy: mine},
		vrrec.Interaction{ID: "p2", UserID: "u2", Query: "something for my classes", Intent: "recommendation", Apps: []string{"organon"}, Time: at(2), AdjustedBy: mine},
		vrrec.Interaction{ID: "a1", UserID: "u3", Query: "anatomy", Intent: "recommendation", Apps: []string{"organon", "cubism"}, Time: at(3)},
		vrrec.Interaction{ID: "a2", UserID: "u3", Query: "puzzles", Intent: "recommendation", Apps: []string{"cubism"}, Time: at(4)},
		vrrec.Interaction{ID: "a3", UserID: "u3", Query: "spatial", Intent: "recommendation", Apps: []string{"cubism"}, Time: at(5)},
		vrrec.Interaction{ID: "g", UserID: "u3", Query: "hi", Intent: "greeting", Time: at(6)},
	)
	for _, f := range []vrrec.Feedback{
		{UserID: "u1", InteractionID: "p1", AppID: "organon", Vote: vrrec.VoteHelpful, Time: at(7)},
		{UserID: "u2", InteractionID: "p2", AppID: "organon", Vote: vrrec.VoteHelpful, Time: at(7)},
		{UserID: "u3", InteractionID: "a1", AppID: "cubism", Vote: vrrec.VoteNotHelpful, Time: at(7)},
		{UserID: "u3", InteractionID: "a2", Vote: vrrec.VoteNotWhatIAsked, Time: at(7)},
		{UserID: "u3", InteractionID: "a3", AppID: "cubism", Vote: vrrec.VoteHelpful, Time: at(7)},
	} {
		if err := db.SaveFeedback(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := (&usage.Reports{Log: db, Votes: db}).Feedback(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	// One row per kind of adjustment, in order (none but the profile's
	// has answers here), then the plain answers.
	want := []vrrec.Personalisation{
		{Helpfulness: vrrec.Helpfulness{Key: "profile", Helpful: 2}, Answers: 2},
		{Helpfulness: vrrec.Helpfulness{Key: "course"}},
		{Helpfulness: vrrec.Helpfulness{Key: "votes"}},
		{Helpfulness: vrrec.Helpfulness{Key: "plain", Helpful: 1, NotHelpful: 1, NotWhatIAsked: 1}, Answers: 3},
	}
	if !reflect.DeepEqual(rep.Personalisation, want) {
		t.Errorf("personalisation:\n got %+v\nwant %+v", rep.Personalisation, want)
	}
	if recent, _ := (&usage.Reports{Log: db, Votes: db}).Feedback(ctx, at(3)); recent.Personalisation[0].Answers != 0 || recent.Personalisation[3].Answers != 3 {
		t.Errorf("since 03:00: %+v", recent.Personalisation)
	}
}
