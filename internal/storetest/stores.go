package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/graph/graphtest"
)

// Catalog checks a vrrec.CatalogStore.
func Catalog(t *testing.T, open func(t *testing.T) vrrec.CatalogStore) {
	ctx := context.Background()
	t.Run("empty store", func(t *testing.T) {
		s := open(t)
		if v, err := s.CatalogVersion(ctx); err != nil || v != "" {
			t.Errorf("version of an empty store: %q, %v", v, err)
		}
		if _, _, err := s.LoadCatalog(ctx); vrrec.ErrorCode(err) != vrrec.ENOTFOUND {
			t.Errorf("load from an empty store: %v, want ENOTFOUND", err)
		}
	})
	t.Run("save, load, replace", func(t *testing.T) {
		s := open(t)
		cat := graphtest.Fixture()
		cat.Courses[0].Prerequisites, cat.Courses[0].LearningOutcomes = []string{"15-112"}, []string{"Write Python"}
		cat.Apps[0].Features, cat.Apps[0].SkillsDeveloped, cat.Apps[0].Rating, cat.Apps[0].Price = []string{"Puzzles"}, []string{"Spatial Reasoning"}, 4.8, "$9.99"
		changed, err := s.SaveCatalog(ctx, cat, "v1")
		if err != nil || !changed {
			t.Fatalf("first save: %v, %v", changed, err)
		}
		if changed, err := s.SaveCatalog(ctx, cat, "v1"); err != nil || changed {
			t.Errorf("saving the same version again: changed %v, %v", changed, err)
		}
		got, version, err := s.LoadCatalog(ctx)
		if err != nil || version != "v1" {
			t.Fatalf("load: %q, %v", version, err)
		}
		if !reflect.DeepEqual(got, cat) {
			t.Errorf("round trip changed the catalog:\n got %+v\nwant %+v", got, cat)
		}
		smaller := graphtest.Fixture()
		smaller.Apps = smaller.Apps[:1]
		smaller.AppSkills = smaller.AppSkills[1:2]
		if _, err := s.SaveCatalog(ctx, smaller, "v2"); err != nil {
			t.Fatal(err)
		}
		got, version, _ = s.LoadCatalog(ctx)
		if version != "v2" || len(got.Apps) != 1 || len(got.AppSkills) != 1 {
			t.Errorf("replace left old rows: version %s, %d apps, %d app skills", version, len(got.Apps), len(got.AppSkills))
		}
	})
}

// Interactions checks a vrrec.InteractionLog.
func Interactions(t *testing.T, open func(t *testing.T) vrrec.InteractionLog) {
	ctx := context.Background()
	day := func(d, sec int) time.Time { return time.Date(2026, 11, d, 12, 0, sec, 0, time.UTC) }
	var items []vrrec.Interaction
	for i := 0; i < 20; i++ {
		items = append(items, vrrec.Interaction{
			ID: fmt.Sprintf("id-%02d", i), UserID: fmt.Sprintf("user-%d", i%4), SessionID: "s", Query: fmt.Sprintf("q%d", i),
			Intent: []string{"recommendation", "recommendation", "greeting", "app_details"}[i%4], Response: "r",
			Apps: []string{"cubism", "organon"}[:1+i%2], LatencyMS: float64(i + 1), Source: "web", Time: day(20+i%3, i),
		})
	}
	t.Run("record is idempotent", func(t *testing.T) {
		s := open(t)
		if err := s.Record(ctx, items...); err != nil {
			t.Fatal(err)
		}
		if err := s.Record(ctx, items[5:12]...); err != nil { // a replay
			t.Fatal(err)
		}
		page, total, err := s.Interactions(ctx, vrrec.InteractionFilter{})
		if err != nil || total != 20 || len(page) != 20 {
			t.Fatalf("after a replay: total %d, page %d, %v", total, len(page), err)
		}
	})
	t.Run("pages newest first, by user", func(t *testing.T) {
		s := open(t)
		s.Record(ctx, items...)
		page, total, err := s.Interactions(ctx, vrrec.InteractionFilter{UserID: "user-1", Limit: 2, Offset: 1})
		if err != nil || total != 5 || len(page) != 2 {
			t.Fatalf("page: total %d, %d rows, %v", total, len(page), err)
		}
		for _, it := range page {
			if it.UserID != "user-1" {
				t.Errorf("another user's row: %+v", it)
			}
		}
		all, _, _ := s.Interactions(ctx, vrrec.InteractionFilter{Limit: 100})
		for i := 1; i < len(all); i++ {
			if all[i].Time.After(all[i-1].Time) {
				t.Fatal("not newest first")
			}
		}
		got := all[0]
		want := items[0]
		for _, it := range items {
			if it.Time.After(want.Time) {
				want = it
			}
		}
		if got.ID != want.ID || !got.Time.Equal(want.Time) || !reflect.DeepEqual(got.Apps, want.Apps) || got.LatencyMS != want.LatencyMS || got.Query != want.Query {
			t.Errorf("round trip: got %+v, want %+v", got, want)
		}
	})
	t.Run("stats", func(t *testing.T) {
		s := open(t)
		s.Record(ctx, items...)
		st, err := s.Stats(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if st.Total != 20 || st.UniqueUsers != 4 || st.AvgLatencyMS != 10.5 || st.P95LatencyMS != 19 {
			t.Errorf("totals: %+v", st)
		}
		if len(st.Intents) != 3 || st.Intents[0] != (vrrec.Count{Key: "recommendation", Count: 10}) {
			t.Errorf("intents: %+v", st.Intents)
		}
		if len(st.Apps) != 2 || st.Apps[0] != (vrrec.Count{Key: "cubism", Count: 20}) || st.Apps[1] != (vrrec.Count{Key: "organon", Count: 10}) {
			t.Errorf("apps: %+v", st.Apps)
		}
		if len(st.PerDay) != 3 || st.PerDay[0] != (vrrec.Count{Key: "2026-11-20", Count: 7}) {
			t.Errorf("per day: %+v", st.PerDay)
		}
		recent, _ := s.Stats(ctx, day(22, 0))
		if recent.Total != 6 {
			t.Errorf("since the 22nd: %d, want 6", recent.Total)
		}
		empty, err := open(t).Stats(ctx, time.Time{})
		if err != nil || empty.Total != 0 || empty.P95LatencyMS != 0 {
			t.Errorf("empty stats: %+v, %v", empty, err)
		}
	})
}

// Config checks a vrrec.ConfigStore.
func Config(t *testing.T, open func(t *testing.T) vrrec.ConfigStore) {
	ctx := context.Background()
	s := open(t)
	if err := s.SetConfig(ctx, map[string]string{"OPENROUTER_MODEL": "m1", "TAVILY_API_KEY": "k"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetConfig(ctx, map[string]string{"OPENROUTER_MODEL": "m2", "TAVILY_API_KEY": ""}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Config(ctx)
	if err != nil || !reflect.DeepEqual(got, map[string]string{"OPENROUTER_MODEL": "m2"}) {
		t.Errorf("config = %v, %v", got, err)
	}
}
