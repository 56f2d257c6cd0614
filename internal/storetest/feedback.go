package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
)

// Feedback checks a vrrec.FeedbackStore.
func Feedback(t *testing.T, open func(t *testing.T) vrrec.FeedbackStore) {
	ctx := context.Background()
	at := func(min int) time.Time { return time.Date(2026, 11, 20, 12, min, 0, 0, time.UTC) }
	t.Run("one vote per student, interaction and app", func(t *testing.T) {
		s := open(t)
		votes := []vrrec.Feedback{
			{UserID: "u1", InteractionID: "i1", AppID: "cubism", Vote: vrrec.VoteHelpful, Time: at(1)},
			{UserID: "u1", InteractionID: "i1", AppID: "organon", Vote: vrrec.VoteNotHelpful, Time: at(2)},
			{UserID: "u2", InteractionID: "i1", AppID: "cubism", Vote: vrrec.VoteNotHelpful, Time: at(3)},
			{UserID: "u1", InteractionID: "i1", Vote: vrrec.VoteNotWhatIAsked, Time: at(4)},
			// u1 changes their mind on cubism: the vote is replaced.
			{UserID: "u1", InteractionID: "i1", AppID: "cubism", Vote: vrrec.VoteNotHelpful, Time: at(5)},
		}
		for _, f := range votes {
			if err := s.SaveFeedback(ctx, f); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Feedback(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		want := []vrrec.Feedback{votes[1], votes[2], votes[3], votes[4]}
		if !slices.Equal(got, want) {
			t.Errorf("votes:\n got %+v\nwant %+v", got, want)
		}
		if recent, err := s.Feedback(ctx, at(3)); err != nil || len(recent) != 3 || recent[0] != votes[2] {
			t.Errorf("since minute 3: %+v, %v", recent, err)
		}
		// An empty vote withdraws it; withdrawing twice is no error.
		for range 2 {
			if err := s.SaveFeedback(ctx, vrrec.Feedback{UserID: "u1", InteractionID: "i1", AppID: "organon", Time: at(6)}); err != nil {
				t.Fatal(err)
			}
		}
		got, _ = s.Feedback(ctx, time.Time{})
		if len(got) != 3 || slices.ContainsFunc(got, func(f vrrec.Feedback) bool { return f.AppID == "organon" }) {
			t.Errorf("after withdrawing organon: %+v", got)
		}
	})
	t.Run("export, forget and expire", func(t *testing.T) {
		s := open(t)
		for i, f := range []vrrec.Feedback{
			{UserID: "u1", InteractionID: "i1", AppID: "cubism", Vote: vrrec.VoteHelpful, Time: at(1)},
			{UserID: "u2", InteractionID: "i2", AppID: "cubism", Vote: vrrec.VoteNotHelpful, Time: at(2)},
			{UserID: "u1", InteractionID: "i3", Vote: vrrec.VoteNotWhatIAsked, Time: at(3)},
			{UserID: "u2", InteractionID: "i4", AppID: "organon", Vote: vrrec.VoteHelpful, Time: at(4)},
		} {
			if err := s.SaveFeedback(ctx, f); err != nil {
				t.Fatalf("vote %d: %v", i, err)
			}
		}
		if mine, err := s.StudentFeedback(ctx, "u1"); err != nil || len(mine) != 2 || mine[0].InteractionID != "i1" || mine[1].InteractionID != "i3" {
			t.Errorf("u1's votes: %+v, %v", mine, err)
		}
		if n, err := s.ForgetFeedback(ctx, "u1"); err != nil || n != 2 {
			t.Errorf("forget u1: %d, %v; want 2", n, err)
		}
		if mine, err := s.StudentFeedback(ctx, "u1"); err != nil || len(mine) != 0 {
			t.Errorf("u1's votes after the forget: %+v, %v", mine, err)
		}
		if n, err := s.ExpireFeedback(ctx, at(3)); err != nil || n != 1 {
			t.Errorf("expire before minute 3: %d, %v; want 1 (u2's first vote)", n, err)
		}
		if left, err := s.Feedback(ctx, time.Time{}); err != nil || len(left) != 1 || left[0].InteractionID != "i4" {
			t.Errorf("left: %+v, %v; want u2's vote of minute 4", left, err)
		}
	})
}

// LabeledQueries checks a vrrec.LabeledQueryStore.
func LabeledQueries(t *testing.T, open func(t *testing.T) vrrec.LabeledQueryStore) {
	ctx := context.Background()
	s := open(t)
	if got, err := s.LabeledQueries(ctx); err != nil || len(got) != 0 {
		t.Fatalf("an empty store: %+v, %v", got, err)
	}
	at := func(min int) time.Time { return time.Date(2026, 11, 20, 12, min, 0, 0, time.UTC) }
	a := vrrec.LabeledQuery{Query: "paper folding", Relevant: []string{"cubism"}, InteractionID: "i1", CreatedBy: "staff", CreatedAt: at(1)}
	b := vrrec.LabeledQuery{Query: "anatomy", Relevant: []string{"organon"}, Acceptable: []string{"cubism"}, CreatedBy: "staff", CreatedAt: at(2)}
	nothing := vrrec.LabeledQuery{Query: "knitting", CreatedBy: "staff", CreatedAt: at(3)}
	for _, q := range []vrrec.LabeledQuery{a, b, nothing} {
		if err := s.SaveLabeledQuery(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	// Labeling the same text again replaces its labels.
	a2 := a
	a2.Relevant, a2.Acceptable, a2.CreatedAt = []string{"organon"}, []string{"cubism"}, at(4)
	if err := s.SaveLabeledQuery(ctx, a2); err != nil {
		t.Fatal(err)
	}
	got, err := s.LabeledQueries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []vrrec.LabeledQuery{b, nothing, a2}
	if len(got) != len(want) {
		t.Fatalf("labeled queries: %+v, want %+v", got, want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Query != w.Query || !slices.Equal(g.Relevant, w.Relevant) || !slices.Equal(g.Acceptable, w.Acceptable) ||
			g.InteractionID != w.InteractionID || g.CreatedBy != w.CreatedBy || !g.CreatedAt.Equal(w.CreatedAt) {
			t.Errorf("labeled query %d: got %+v, want %+v", i, g, w)
		}
	}
}

// unmetInteractions checks how an InteractionLog records how well answers
// fit and selects by time, ids and unmet demand.
func unmetInteractions(t *testing.T, s vrrec.InteractionLog) {
	ctx := context.Background()
	at := func(day int) time.Time { return time.Date(2026, 11, day, 12, 0, 0, 0, time.UTC) }
	items := []vrrec.Interaction{
		{ID: "fit", UserID: "u1", Intent: "recommendation", Query: "anatomy", Topic: "anatomy", BestMatch: 91, Apps: []string{"organon"}, Time: at(20)},
		{ID: "none", UserID: "u1", Intent: "recommendation", Query: "origami", Topic: "origami", NothingFits: true, BestMatch: 12, Apps: []string{"cubism"}, Time: at(21)},
		{ID: "weak", UserID: "u2", Intent: "recommendation", Query: "paper folding", Topic: "paper folding", BestMatch: 41, Apps: []string{"cubism"}, Time: at(22)},
		{ID: "old", UserID: "u2", Intent: "recommendation", Query: "before topics were kept", Time: at(22)},
		{ID: "hi", UserID: "u3", Intent: "greeting", Query: "hello", Time: at(23)},
	}
	if err := s.Record(ctx, items...); err != nil {
		t.Fatal(err)
	}
	ids := func(f vrrec.InteractionFilter) []string {
		t.Helper()
		f.Limit = 100
		page, total, err := s.Interactions(ctx, f)
		if err != nil || total != len(page) {
			t.Fatalf("interactions %+v: total %d, page %d, %v", f, total, len(page), err)
		}
		out := []string{}
		for _, it := range page {
			out = append(out, it.ID)
		}
		slices.Sort(out)
		return out
	}
	if got := ids(vrrec.InteractionFilter{Unmet: true}); !slices.Equal(got, []string{"none", "weak"}) {
		t.Errorf("unmet: %v, want none and weak", got)
	}
	if got := ids(vrrec.InteractionFilter{Unmet: true, Since: at(22)}); !slices.Equal(got, []string{"weak"}) {
		t.Errorf("unmet since the 22nd: %v", got)
	}
	if got := ids(vrrec.InteractionFilter{IDs: []string{"fit", "hi", "missing"}}); !slices.Equal(got, []string{"fit", "hi"}) {
		t.Errorf("by ids: %v", got)
	}
	if got := ids(vrrec.InteractionFilter{IDs: []string{}}); len(got) != 0 {
		t.Errorf("no ids selects nothing: %v", got)
	}
	page, _, _ := s.Interactions(ctx, vrrec.InteractionFilter{IDs: []string{"none"}})
	if len(page) != 1 || page[0].Topic != "origami" || !page[0].NothingFits || page[0].BestMatch != 12 {
		t.Errorf("round trip of how well the answer fit: %+v", page)
	}
}
