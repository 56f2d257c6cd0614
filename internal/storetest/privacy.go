package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
)

// Retention checks that an InteractionLog deletes interactions (expired,
// or of a forgotten student) while its statistics stay as they were, and
// that a forgotten student's interactions replayed later stay out.
func Retention(t *testing.T, open func(t *testing.T) vrrec.InteractionLog) {
	ctx := context.Background()
	day := func(d, sec int) time.Time { return time.Date(2026, 11, d, 12, 0, sec, 0, time.UTC) }
	var items []vrrec.Interaction
	for i := 0; i < 30; i++ {
		items = append(items, vrrec.Interaction{
			ID: fmt.Sprintf("id-%02d", i), UserID: fmt.Sprintf("user-%d", i%4), SessionID: "s", Query: fmt.Sprintf("secret words %d", i),
			Intent: []string{"recommendation", "greeting", "app_details"}[i%3], Response: "r",
			Apps: []string{"cubism", "organon", "app.with.dots"}[:1+i%3], LatencyMS: float64(i*37%300 + 1), Source: "web", Time: day(20+i%5, i),
		})
	}
	// same compares what statistics must keep; unique users are counted
	// per day on summarised days, so they are checked apart.
	same := func(t *testing.T, got, want vrrec.Stats) {
		t.Helper()
		got.UniqueUsers, want.UniqueUsers, got.SummarizedDays, want.SummarizedDays = 0, 0, 0, 0
		if !reflect.DeepEqual(got, want) {
			t.Errorf("statistics changed:\n got %+v\nwant %+v", got, want)
		}
	}

	t.Run("expired days leave their counts", func(t *testing.T) {
		s := open(t)
		if err := s.Record(ctx, items...); err != nil {
			t.Fatal(err)
		}
		before, err := s.Stats(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		recentBefore, _ := s.Stats(ctx, day(21, 0))
		// Rows of the 20th and 21st go: the cut is the start of the 22nd,
		// whatever the time of day.
		n, err := s.ExpireInteractions(ctx, day(22, 30))
		if err != nil || n != 12 {
			t.Fatalf("expired %d, %v; want 12", n, err)
		}
		page, total, err := s.Interactions(ctx, vrrec.InteractionFilter{Limit: 100})
		if err != nil || total != 18 {
			t.Fatalf("kept %d, %v; want 18", total, err)
		}
		for _, it := range page {
			if it.Time.Before(day(22, 0).Truncate(24 * time.Hour)) {
				t.Errorf("an expired interaction is still there: %+v", it)
			}
		}
		after, err := s.Stats(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		same(t, after, before)
		if after.SummarizedDays != 2 || after.UniqueUsers < before.UniqueUsers {
			t.Errorf("summarised days %d, unique users %d (were %d)", after.SummarizedDays, after.UniqueUsers, before.UniqueUsers)
		}
		recent, _ := s.Stats(ctx, day(21, 0))
		same(t, recent, recentBefore)
		if recent.SummarizedDays != 1 {
			t.Errorf("since the 21st: %d summarised days, want 1", recent.SummarizedDays)
		}
		if n, err := s.ExpireInteractions(ctx, day(22, 30)); err != nil || n != 0 {
			t.Errorf("expiring again: %d, %v", n, err)
		}
		again, _ := s.Stats(ctx, time.Time{})
		same(t, again, before)
	})

	t.Run("a forgotten student's interactions go and stay gone", func(t *testing.T) {
		s := open(t)
		if err := s.Record(ctx, items...); err != nil {
			t.Fatal(err)
		}
		before, _ := s.Stats(ctx, time.Time{})
		at := day(24, 59)
		n, err := s.ForgetInteractions(ctx, "user-1", at)
		if err != nil || n != 8 {
			t.Fatalf("forgot %d, %v; want 8", n, err)
		}
		if page, total, err := s.Interactions(ctx, vrrec.InteractionFilter{UserID: "user-1"}); err != nil || total != 0 || len(page) != 0 {
			t.Errorf("user-1 after the forget: %d rows, %v", total, err)
		}
		if _, total, _ := s.Interactions(ctx, vrrec.InteractionFilter{}); total != 22 {
			t.Errorf("others' rows: %d, want 22", total)
		}
		after, err := s.Stats(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		same(t, after, before)
		// The spool replays what it held: refused. A later interaction
		// (the old cookie kept elsewhere) is stored.
		later := vrrec.Interaction{ID: "later", UserID: "user-1", Intent: "greeting", LatencyMS: 5, Time: at.Add(time.Second)}
		if err := s.Record(ctx, append(items[:10:10], later)...); err != nil {
			t.Fatal(err)
		}
		page, total, _ := s.Interactions(ctx, vrrec.InteractionFilter{UserID: "user-1"})
		if total != 1 || page[0].ID != "later" {
			t.Errorf("user-1 after a replay: %+v", page)
		}
		if st, _ := s.Stats(ctx, time.Time{}); st.Total != before.Total+1 {
			t.Errorf("total after the replay: %d, want %d", st.Total, before.Total+1)
		}
		// Forgetting twice changes nothing more.
		if n, err := s.ForgetInteractions(ctx, "user-1", at); err != nil || n != 0 {
			t.Errorf("forgetting again: %d, %v", n, err)
		}
	})
}

// SessionRetention checks that a SessionStore forgets one student's
// sessions and expires sessions by their last message.
func SessionRetention(t *testing.T, open func(t *testing.T) vrrec.SessionStore) {
	ctx := context.Background()
	at := func(day int) time.Time { return time.Date(2026, 11, day, 12, 0, 0, 0, time.UTC) }
	msg := func(content string, day int) vrrec.Message {
		return vrrec.Message{Role: vrrec.RoleUser, Content: content, Time: at(day)}
	}
	fill := func(t *testing.T) vrrec.SessionStore {
		s := open(t)
		for _, a := range []struct {
			user, session string
			msgs          []vrrec.Message
		}{
			{"u1", "old", []vrrec.Message{msg("a", 1), msg("b", 2)}},
			{"u1", "going", []vrrec.Message{msg("c", 1), msg("d", 20)}},
			{"u2", "old", []vrrec.Message{msg("e", 3)}},
			{"u2", "new", []vrrec.Message{msg("f", 21)}},
		} {
			if err := s.Append(ctx, a.user, a.session, a.msgs...); err != nil {
				t.Fatal(err)
			}
		}
		return s
	}
	t.Run("forget one student", func(t *testing.T) {
		s := fill(t)
		if n, err := s.ForgetSessions(ctx, "u1"); err != nil || n != 4 {
			t.Fatalf("forgot %d messages, %v; want 4", n, err)
		}
		if h, _ := s.History(ctx, "u1", 100); len(h) != 0 {
			t.Errorf("u1's history after the forget: %+v", h)
		}
		if h, _ := s.History(ctx, "u2", 100); len(h) != 2 {
			t.Errorf("u2's history: %d messages, want 2", len(h))
		}
	})
	t.Run("expire by last message", func(t *testing.T) {
		s := fill(t)
		n, err := s.ExpireSessions(ctx, at(10))
		if err != nil || n != 3 {
			t.Fatalf("expired %d messages, %v; want 3", n, err)
		}
		if got, _ := s.Session(ctx, "u1", "going", 10); len(got) != 2 {
			t.Errorf("a session with a recent last message lost messages: %+v", got)
		}
		for _, gone := range [][2]string{{"u1", "old"}, {"u2", "old"}} {
			if got, _ := s.Session(ctx, gone[0], gone[1], 10); len(got) != 0 {
				t.Errorf("session %v not expired: %+v", gone, got)
			}
		}
		if got, _ := s.Session(ctx, "u2", "new", 10); len(got) != 1 {
			t.Errorf("a new session expired: %+v", got)
		}
	})
}
