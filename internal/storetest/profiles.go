package storetest

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
)

// Profiles checks a vrrec.ProfileStore.
func Profiles(t *testing.T, open func(t *testing.T) vrrec.ProfileStore) {
	ctx := context.Background()
	at := func(day int) time.Time { return time.Date(2026, 11, day, 12, 0, 0, 0, time.UTC) }
	nursing := vrrec.Profile{Major: "nursing", Year: "second year", Courses: []string{"15-112", "21-127"},
		Interests: []string{"robotics"}, Language: "es", UpdatedAt: at(2)}
	t.Run("save, read, replace, clear", func(t *testing.T) {
		s := open(t)
		if p, v, err := s.Profile(ctx, "u1"); err != nil || p.Stated() || !v.At.IsZero() {
			t.Fatalf("a student with nothing stored: %+v %+v %v", p, v, err)
		}
		if err := s.SaveProfile(ctx, "u1", nursing); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveProfile(ctx, "u2", vrrec.Profile{Major: "physics", UpdatedAt: at(2)}); err != nil {
			t.Fatal(err)
		}
		got, _, err := s.Profile(ctx, "u1")
		if err != nil || !reflect.DeepEqual(got, nursing) {
			t.Errorf("round trip:\n got %+v, %v\nwant %+v", got, err, nursing)
		}
		changed := nursing
		changed.Major, changed.Courses, changed.UpdatedAt = "biology", nil, at(3)
		if err := s.SaveProfile(ctx, "u1", changed); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := s.Profile(ctx, "u1"); got.Major != "biology" || len(got.Courses) != 0 {
			t.Errorf("replaced: %+v", got)
		}
		if err := s.SaveProfile(ctx, "u1", vrrec.Profile{UpdatedAt: at(4)}); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := s.Profile(ctx, "u1"); got.Stated() {
			t.Errorf("cleared profile still states %+v", got)
		}
		if other, _, _ := s.Profile(ctx, "u2"); other.Major != "physics" {
			t.Errorf("another student's profile changed: %+v", other)
		}
	})
	t.Run("a visit returns the one before and keeps the profile", func(t *testing.T) {
		s := open(t)
		first := vrrec.Visit{At: at(1), Apps: []string{"cubism", "organon"}}
		if prev, err := s.SaveVisit(ctx, "u1", first); err != nil || !prev.At.IsZero() || len(prev.Apps) != 0 {
			t.Fatalf("first visit: previous %+v, %v", prev, err)
		}
		if err := s.SaveProfile(ctx, "u1", nursing); err != nil {
			t.Fatal(err)
		}
		second := vrrec.Visit{At: at(5), Apps: []string{"cubism", "organon", "beat-saber"}}
		prev, err := s.SaveVisit(ctx, "u1", second)
		if err != nil || !prev.At.Equal(first.At) || !slices.Equal(prev.Apps, first.Apps) {
			t.Errorf("second visit: previous %+v, %v; want %+v", prev, err, first)
		}
		p, v, err := s.Profile(ctx, "u1")
		if err != nil || !reflect.DeepEqual(p, nursing) || !v.At.Equal(second.At) || !slices.Equal(v.Apps, second.Apps) {
			t.Errorf("after the visit: %+v %+v %v", p, v, err)
		}
	})
	t.Run("forget and expire", func(t *testing.T) {
		s := open(t)
		s.SaveProfile(ctx, "u1", nursing)              // touched on the 2nd
		s.SaveVisit(ctx, "u1", vrrec.Visit{At: at(3)}) // and the 3rd
		s.SaveProfile(ctx, "u2", vrrec.Profile{Major: "physics", UpdatedAt: at(1)})
		s.SaveVisit(ctx, "u3", vrrec.Visit{At: at(10), Apps: []string{"cubism"}}) // seen on the 10th
		s.SaveProfile(ctx, "u3", vrrec.Profile{Major: "art", UpdatedAt: at(2)})   // an older change does not make it older
		if n, err := s.ForgetProfile(ctx, "u2"); err != nil || n != 1 {
			t.Errorf("forget u2: %d, %v; want 1", n, err)
		}
		if n, err := s.ForgetProfile(ctx, "u2"); err != nil || n != 0 {
			t.Errorf("forget u2 again: %d, %v; want 0", n, err)
		}
		if p, _, _ := s.Profile(ctx, "u2"); p.Stated() {
			t.Errorf("u2 forgotten but %+v", p)
		}
		if n, err := s.ExpireProfiles(ctx, at(4)); err != nil || n != 1 {
			t.Errorf("expire before the 4th: %d, %v; want 1 (u1, last seen on the 3rd)", n, err)
		}
		if p, _, _ := s.Profile(ctx, "u1"); p.Stated() {
			t.Errorf("u1 expired but %+v", p)
		}
		if p, v, _ := s.Profile(ctx, "u3"); p.Major != "art" || !v.At.Equal(at(10)) {
			t.Errorf("u3, seen on the 10th, went: %+v %+v", p, v)
		}
	})
}

// Personalised checks that an interaction keeps what personalised it.
func Personalised(t *testing.T, s vrrec.InteractionLog) {
	ctx := context.Background()
	at := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	if err := s.Record(ctx,
		vrrec.Interaction{ID: "plain", UserID: "u1", Intent: "recommendation", Query: "anatomy", Time: at},
		vrrec.Interaction{ID: "mine", UserID: "u1", Intent: "recommendation", Query: "anything for my major?", Time: at.Add(time.Second),
			AdjustedBy: []string{vrrec.AdjustedByProfile, "course"}},
	); err != nil {
		t.Fatal(err)
	}
	got, _, err := s.Interactions(ctx, vrrec.InteractionFilter{})
	if err != nil || len(got) != 2 {
		t.Fatalf("interactions: %+v, %v", got, err)
	}
	if !slices.Equal(got[0].AdjustedBy, []string{"profile", "course"}) || got[1].AdjustedBy != nil {
		t.Errorf("adjusted_by: %q and %q; want [profile course] and none", got[0].AdjustedBy, got[1].AdjustedBy)
	}
	// Selected by what personalised them; plain ones are recommendations.
	s.Record(ctx, vrrec.Interaction{ID: "hello", UserID: "u1", Intent: "greeting", Query: "hi", Time: at.Add(2 * time.Second)},
		vrrec.Interaction{ID: "course", UserID: "u2", Intent: "recommendation", Query: "for my class", Time: at.Add(3 * time.Second),
			AdjustedBy: []string{"course"}})
	for by, want := range map[string][]string{"profile": {"mine"}, "course": {"course", "mine"}, vrrec.NotAdjusted: {"plain"}, "votes": {}} {
		page, total, err := s.Interactions(ctx, vrrec.InteractionFilter{AdjustedBy: by})
		ids := []string{}
		for _, it := range page {
			ids = append(ids, it.ID)
		}
		if err != nil || total != len(want) || !slices.Equal(ids, want) {
			t.Errorf("personalised by %s: %v (total %d), %v; want %v", by, ids, total, err, want)
		}
	}
}
