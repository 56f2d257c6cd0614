// Package storetest is the contract every store backend must pass (SQLite,
// MongoDB, in memory), so backends cannot drift apart. Each function checks
// one interface against stores made fresh by the caller's open function.
package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
)

// Sessions checks a session store made fresh by open for each subtest.
func Sessions(t *testing.T, open func(t *testing.T) vrrec.SessionStore) {
	ctx := context.Background()
	at := func(sec int) time.Time { return time.Date(2026, 11, 25, 12, 0, sec, 0, time.UTC) }
	msg := func(role, content string, sec int) vrrec.Message {
		return vrrec.Message{Role: role, Content: content, Time: at(sec), Intent: "recommendation"}
	}

	t.Run("append and read back in order", func(t *testing.T) {
		s := open(t)
		apps := []vrrec.AppRecommendation{{AppID: "cubism", Name: "Cubism", MatchPercent: 80, MatchedSkills: []string{"Spatial Reasoning"}}}
		if err := s.Append(ctx, "u1", "s1", msg(vrrec.RoleUser, "puzzles", 1)); err != nil {
			t.Fatal(err)
		}
		reply := msg(vrrec.RoleAssistant, "Try Cubism", 2)
		reply.Apps, reply.Query, reply.InteractionID = apps, "puzzles", "it-1"
		if err := s.Append(ctx, "u1", "s1", reply); err != nil {
			t.Fatal(err)
		}
		got, err := s.Session(ctx, "u1", "s1", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Content != "puzzles" || got[1].Content != "Try Cubism" || got[1].SessionID != "s1" {
			t.Fatalf("session = %+v", got)
		}
		if len(got[1].Apps) != 1 || got[1].Apps[0].AppID != "cubism" || got[1].Query != "puzzles" || !got[1].Time.Equal(at(2)) ||
			got[1].InteractionID != "it-1" {
			t.Errorf("assistant turn lost data: %+v", got[1])
		}
		history, err := s.History(ctx, "u1", 10)
		if err != nil || len(history) != 2 || history[1].InteractionID != "it-1" || history[0].InteractionID != "" {
			t.Errorf("history = %+v, %v; want the assistant turn with its interaction id", history, err)
		}
	})
	t.Run("a session reads its latest messages and keeps a bounded number", func(t *testing.T) {
		s := open(t)
		for i := range vrrec.MaxSessionMessages + 30 {
			if err := s.Append(ctx, "u", "long", msg(vrrec.RoleUser, fmt.Sprint(i), i)); err != nil {
				t.Fatal(err)
			}
		}
		last, err := s.Session(ctx, "u", "long", 3)
		if err != nil || len(last) != 3 || last[0].Content != fmt.Sprint(vrrec.MaxSessionMessages+27) || last[2].Content != fmt.Sprint(vrrec.MaxSessionMessages+29) {
			t.Fatalf("latest 3: %+v, %v", last, err)
		}
		all, _ := s.Session(ctx, "u", "long", 10*vrrec.MaxSessionMessages)
		if len(all) != vrrec.MaxSessionMessages || all[0].Content != "30" {
			t.Errorf("kept %d messages from %q; want the latest %d", len(all), all[0].Content, vrrec.MaxSessionMessages)
		}
	})
	t.Run("sessions are per user", func(t *testing.T) {
		s := open(t)
		s.Append(ctx, "alice", "same", msg(vrrec.RoleUser, "alice's", 1))
		s.Append(ctx, "bob", "same", msg(vrrec.RoleUser, "bob's", 2))
		a, _ := s.Session(ctx, "alice", "same", 10)
		b, _ := s.Session(ctx, "bob", "same", 10)
		if len(a) != 1 || a[0].Content != "alice's" || len(b) != 1 || b[0].Content != "bob's" {
			t.Errorf("alice %+v, bob %+v", a, b)
		}
		if h, _ := s.History(ctx, "carol", 10); len(h) != 0 {
			t.Errorf("unknown user has history %+v", h)
		}
		if m, err := s.Session(ctx, "alice", "missing", 10); err != nil || len(m) != 0 {
			t.Errorf("unknown session: %+v, %v", m, err)
		}
	})
	t.Run("history spans sessions, oldest first, latest limit", func(t *testing.T) {
		s := open(t)
		for i := 0; i < 6; i++ {
			s.Append(ctx, "u", fmt.Sprintf("s%d", i%2), msg(vrrec.RoleUser, fmt.Sprintf("m%d", i), i))
		}
		h, err := s.History(ctx, "u", 4)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range h {
			got = append(got, m.Content)
		}
		if fmt.Sprint(got) != "[m2 m3 m4 m5]" {
			t.Errorf("history = %v, want [m2 m3 m4 m5]", got)
		}
	})
}
