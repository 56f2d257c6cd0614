package storetest

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/internal/fixture"

	"github.com/vrrec/vrrec"
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
		if at, err := s.CatalogSavedAt(ctx); err != nil || !at.IsZero() {
			t.Errorf("saved-at of an empty store: %v, %v", at, err)
		}
	})
	t.Run("the default catalog keeps every price and facet", func(t *testing.T) {
		s := open(t)
		cat, err := catalog.Default()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveCatalog(ctx, cat, "default"); err != nil {
			t.Fatal(err)
		}
		got, _, err := s.LoadCatalog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for i := range cat.Apps {
			if i >= len(got.Apps) || !reflect.DeepEqual(got.Apps[i].Facets, cat.Apps[i].Facets) || got.Apps[i].Price != cat.Apps[i].Price {
				t.Fatalf("app %s changed in the store", cat.Apps[i].AppID)
			}
		}
	})
	t.Run("save, load, replace", func(t *testing.T) {
		s := open(t)
		cat := fixture.Small()
		cat.Courses[0].Prerequisites, cat.Courses[0].LearningOutcomes = []string{"15-112"}, []string{"Write Python"}
		cat.Apps[0].Features, cat.Apps[0].SkillsDeveloped, cat.Apps[0].Rating, cat.Apps[0].Price = []string{"Puzzles"}, []string{"Spatial Reasoning"}, 4.8, vrrec.Price{Kind: vrrec.PriceSubscription, Amount: 9.99, Currency: "USD", Period: "month"}
		cat.Apps[0].Status, cat.Apps[0].Discontinued, cat.Apps[0].Platform, cat.Apps[0].StatusNote = vrrec.StatusDiscontinued, "2026-02-16", vrrec.PlatformQuestAndPC, "announced; not verified"
		cat.Apps[0].Facets = EveryFacet()
		cat.Apps[1].Price = vrrec.Price{Note: "sold to institutions"}
		before := time.Now().Add(-time.Second)
		changed, err := s.SaveCatalog(ctx, cat, "v1")
		if err != nil || !changed {
			t.Fatalf("first save: %v, %v", changed, err)
		}
		if at, err := s.CatalogSavedAt(ctx); err != nil || at.Before(before) || at.After(time.Now().Add(time.Second)) {
			t.Errorf("saved-at after a save: %v, %v", at, err)
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
		smaller := fixture.Small()
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

// EveryFacet is facets with every field known, so a round trip that drops
// one shows.
func EveryFacet() vrrec.Facets {
	return vrrec.Facets{
		PlayModes: []string{vrrec.PlaySitting, vrrec.PlayRoomscale}, Comfort: vrrec.ComfortIntense,
		Players: vrrec.Players{Single: vrrec.Yes, Multiplayer: vrrec.Yes, Online: vrrec.Yes, Local: vrrec.No,
			Coop: vrrec.Yes, Competitive: vrrec.No, Max: 6},
		MixedReality: vrrec.Yes, HandTracking: vrrec.No, Languages: []string{"en", "es"}, AgeRating: "PEGI 12",
		Genres: []string{"puzzle", "co-op"}, Source: "test",
	}
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
		if err != nil || empty.Total != 0 || empty.P95LatencyMS != 0 || len(empty.Latency) != len(vrrec.LatencyBuckets)+1 || empty.Latency[0].Count != 0 {
			t.Errorf("empty stats: %+v, %v", empty, err)
		}
	})
	t.Run("unmet demand and selection", func(t *testing.T) { unmetInteractions(t, open(t)) })
	t.Run("course and what changed the answer", func(t *testing.T) { courseInteractions(t, open(t)) })
	t.Run("latency distribution", func(t *testing.T) {
		s := open(t)
		for i, ms := range []float64{49.9, 50, 100, 2500, 7000, 3} {
			s.Record(ctx, vrrec.Interaction{ID: fmt.Sprint("lat", i), UserID: "u", Intent: "recommendation", LatencyMS: ms, Time: day(21, i)})
		}
		st, err := s.Stats(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		labels := vrrec.LatencyBucketLabels()
		want := []int{2, 1, 1, 0, 0, 0, 1, 1}
		if len(st.Latency) != len(want) {
			t.Fatalf("latency distribution: %+v", st.Latency)
		}
		for i, c := range st.Latency {
			if c.Key != labels[i] || c.Count != want[i] {
				t.Errorf("bucket %d: %+v, want %s=%d", i, c, labels[i], want[i])
			}
		}
		if labels[0] != "< 50 ms" || labels[1] != "50–100 ms" || labels[4] != "500 ms–1 s" || labels[7] != "≥ 5 s" {
			t.Errorf("labels: %q", labels)
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

// Jobs checks a vrrec.JobStore.
func Jobs(t *testing.T, open func(t *testing.T) vrrec.JobStore) {
	ctx := context.Background()
	at := func(sec int) time.Time { return time.Date(2026, 11, 25, 9, 0, sec, 0, time.UTC) }
	t.Run("one at a time, logs, history", func(t *testing.T) {
		s := open(t)
		if err := s.StartJob(ctx, vrrec.Job{ID: "j1", Type: "import", Params: map[string]string{"dir": "x"}, StartedAt: at(1)}); err != nil {
			t.Fatal(err)
		}
		err := s.StartJob(ctx, vrrec.Job{ID: "j2", Type: "extract_skills", StartedAt: at(2)})
		if vrrec.ErrorCode(err) != vrrec.ECONFLICT || !strings.Contains(err.Error(), "j1") {
			t.Fatalf("second job while one runs: %v, want ECONFLICT naming j1", err)
		}
		for i := 0; i < vrrec.JobLogLines+5; i++ {
			if err := s.AppendJobLog(ctx, "j1", fmt.Sprintf("line %d", i)); err != nil {
				t.Fatal(err)
			}
		}
		job, err := s.Job(ctx, "j1")
		if err != nil || job.State != vrrec.JobRunning || job.Params["dir"] != "x" || !job.StartedAt.Equal(at(1)) {
			t.Fatalf("job: %+v, %v", job, err)
		}
		if len(job.Log) != vrrec.JobLogLines || job.Log[0] != "line 5" || job.Log[len(job.Log)-1] != fmt.Sprintf("line %d", vrrec.JobLogLines+4) {
			t.Errorf("log: %d lines, first %q", len(job.Log), job.Log[0])
		}
		if err := s.SetJobProgress(ctx, "j1", vrrec.JobProgress{Stage: "reading", Done: 3, Total: 7}); err != nil {
			t.Fatal(err)
		}
		if err := s.RequestCancel(ctx, "j1"); err != nil {
			t.Fatal(err)
		}
		if job, _ := s.Job(ctx, "j1"); job.Progress != (vrrec.JobProgress{Stage: "reading", Done: 3, Total: 7}) || !job.CancelRequested {
			t.Errorf("progress and cancel request not kept: %+v", job)
		}
		if err := s.FinishJob(ctx, "j1", vrrec.JobCompleted, "", at(5)); err != nil {
			t.Fatal(err)
		}
		if err := s.FinishJob(ctx, "j1", vrrec.JobFailed, "", at(6)); vrrec.ErrorCode(err) != vrrec.ENOTFOUND {
			t.Errorf("finishing a finished job: %v", err)
		}
		if err := s.RequestCancel(ctx, "j1"); vrrec.ErrorCode(err) != vrrec.ENOTFOUND {
			t.Errorf("cancelling a finished job: %v, want ENOTFOUND", err)
		}
		if err := s.StartJob(ctx, vrrec.Job{ID: "j2", Type: "extract_skills", StartedAt: at(7)}); err != nil {
			t.Fatalf("a job after the first finished: %v", err)
		}
		jobs, err := s.Jobs(ctx, 10)
		if err != nil || len(jobs) != 2 || jobs[0].ID != "j2" || jobs[1].State != vrrec.JobCompleted || !jobs[1].FinishedAt.Equal(at(5)) {
			t.Errorf("jobs: %+v, %v", jobs, err)
		}
		for _, j := range jobs {
			if j.Log == nil || j.Params == nil {
				t.Errorf("a listed job has a null log or params (the API answers them as JSON arrays and objects): %+v", j)
			}
		}
		if _, err := s.Job(ctx, "nope"); vrrec.ErrorCode(err) != vrrec.ENOTFOUND {
			t.Errorf("unknown job: %v", err)
		}
	})
	t.Run("jobs whose heartbeat stopped are interrupted", func(t *testing.T) {
		s := open(t)
		s.StartJob(ctx, vrrec.Job{ID: "j1", Type: "import", StartedAt: at(1)})
		if err := s.BeatJob(ctx, "j1", at(20)); err != nil {
			t.Fatal(err)
		}
		if n, err := s.InterruptStale(ctx, at(25), at(15)); err != nil || n != 0 {
			t.Fatalf("a job beating at 20 interrupted as stale before 15: %d, %v", n, err)
		}
		n, err := s.InterruptStale(ctx, at(40), at(30))
		if err != nil || n != 1 {
			t.Fatalf("interrupted %d, %v", n, err)
		}
		job, _ := s.Job(ctx, "j1")
		if job.State != vrrec.JobInterrupted || job.Error != vrrec.JobStoppedMessage || !job.FinishedAt.Equal(at(40)) || !job.HeartbeatAt.Equal(at(20)) {
			t.Errorf("job after its process stopped: %+v", job)
		}
		if err := s.BeatJob(ctx, "j1", at(41)); vrrec.ErrorCode(err) != vrrec.ENOTFOUND {
			t.Errorf("a beat of an interrupted job: %v, want ENOTFOUND", err)
		}
		// Its process was alive after all and finished: the real outcome wins.
		if err := s.FinishJob(ctx, "j1", vrrec.JobCompleted, "", at(45)); err != nil {
			t.Errorf("finishing a job interrupted elsewhere: %v", err)
		}
		if job, _ := s.Job(ctx, "j1"); job.State != vrrec.JobCompleted {
			t.Errorf("job after its late finish: %+v", job)
		}
		// A job that never beat (started by a version before heartbeats)
		// goes stale from its start.
		s.StartJob(ctx, vrrec.Job{ID: "silent", Type: "import", StartedAt: at(2)})
		if n, err := s.InterruptStale(ctx, at(50), at(30)); err != nil || n != 1 {
			t.Errorf("interrupting a job that never beat: %d, %v", n, err)
		}
		if err := s.StartJob(ctx, vrrec.Job{ID: "j2", Type: "import", StartedAt: at(52)}); err != nil {
			t.Errorf("a new job after the interruption: %v", err)
		}
	})
}

// Audit checks a vrrec.AuditLog.
func Audit(t *testing.T, open func(t *testing.T) vrrec.AuditLog) {
	ctx := context.Background()
	s := open(t)
	actors := []string{"ada@uni.example", "grace@uni.example", "ada@uni.example", "cli:root"}
	actions := []string{"login", "publish_catalog", "publish_catalog", "forget_student"}
	for i := range actors {
		if err := s.Audit(ctx, vrrec.AuditEntry{Actor: actors[i], Action: actions[i], Detail: fmt.Sprint("d", i), IP: "10.0.0.1",
			Time: time.Date(2026, 11, 25, 9, 0, i, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.AuditEntries(ctx, vrrec.AuditFilter{Limit: 2})
	if err != nil || len(got) != 2 || got[0].Detail != "d3" || got[1].Detail != "d2" || got[0].IP != "10.0.0.1" ||
		got[0].Actor != "cli:root" || !got[0].Time.Equal(time.Date(2026, 11, 25, 9, 0, 3, 0, time.UTC)) {
		t.Errorf("latest two: %+v, %v", got, err)
	}
	details := func(f vrrec.AuditFilter) string {
		entries, err := s.AuditEntries(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Detail)
		}
		return strings.Join(out, ",")
	}
	for _, c := range []struct {
		f    vrrec.AuditFilter
		want string
	}{
		{vrrec.AuditFilter{}, "d3,d2,d1,d0"},
		{vrrec.AuditFilter{Actor: "ada@uni.example"}, "d2,d0"},
		{vrrec.AuditFilter{Action: "publish_catalog"}, "d2,d1"},
		{vrrec.AuditFilter{Actor: "ada@uni.example", Action: "publish_catalog"}, "d2"},
		{vrrec.AuditFilter{Actor: "nobody"}, ""},
	} {
		if got := details(c.f); got != c.want {
			t.Errorf("%+v: %s, want %s", c.f, got, c.want)
		}
	}
}

// courseInteractions checks that an interaction keeps the course of its
// page and what changed it, and that CourseLog counts them.
func courseInteractions(t *testing.T, s vrrec.InteractionLog) {
	ctx := context.Background()
	at := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	items := []vrrec.Interaction{
		{ID: "c1", UserID: "ana", Intent: "course_open", Course: "15-112", AdjustedBy: []string{vrrec.AdjustedByCourse}, Time: at},
		{ID: "c2", UserID: "ana", Intent: "recommendation", Course: "15-112", Time: at.Add(time.Minute)},
		{ID: "c3", UserID: "bea", Intent: "recommendation", Course: "15-112",
			AdjustedBy: []string{vrrec.AdjustedByVotes, vrrec.AdjustedByCourse}, Time: at.Add(2 * time.Minute)},
		{ID: "c4", UserID: "bea", Intent: "recommendation", Course: "03-350", Time: at.Add(48 * time.Hour)},
		{ID: "c5", UserID: "cem", Intent: "recommendation", AdjustedBy: []string{vrrec.AdjustedByVotes}, Time: at},
	}
	if err := s.Record(ctx, items...); err != nil {
		t.Fatal(err)
	}
	got, _, err := s.Interactions(ctx, vrrec.InteractionFilter{IDs: []string{"c3", "c5"}})
	if err != nil || len(got) != 2 {
		t.Fatalf("interactions: %v, %v", got, err)
	}
	byID := map[string]vrrec.Interaction{got[0].ID: got[0], got[1].ID: got[1]}
	if c3 := byID["c3"]; c3.Course != "15-112" || !reflect.DeepEqual(c3.AdjustedBy, items[2].AdjustedBy) {
		t.Errorf("c3 read back: course %q, adjusted by %v", c3.Course, c3.AdjustedBy)
	}
	if c5 := byID["c5"]; c5.Course != "" || !reflect.DeepEqual(c5.AdjustedBy, []string{vrrec.AdjustedByVotes}) {
		t.Errorf("c5 read back: course %q, adjusted by %v", c5.Course, c5.AdjustedBy)
	}
	cl, ok := s.(vrrec.CourseLog)
	if !ok {
		t.Fatalf("%T does not count answers by course", s)
	}
	all, err := cl.AnswersByCourse(ctx, time.Time{})
	want := []vrrec.CourseAnswers{{CourseID: "15-112", Answers: 3, Students: 2, InCourse: 2}, {CourseID: "03-350", Answers: 1, Students: 1}}
	if err != nil || !reflect.DeepEqual(all, want) {
		t.Errorf("answers by course: %+v, %v; want %+v", all, err, want)
	}
	recent, err := cl.AnswersByCourse(ctx, at.Add(time.Hour))
	if err != nil || !reflect.DeepEqual(recent, want[1:]) {
		t.Errorf("answers by course since: %+v, %v; want %+v", recent, err, want[1:])
	}
}

// All runs every contract on a full backend.
func All[S vrrec.Store](t *testing.T, open func(t *testing.T) S) {
	t.Run("catalog", func(t *testing.T) { Catalog(t, func(t *testing.T) vrrec.CatalogStore { return open(t) }) })
	t.Run("revisions", func(t *testing.T) { Revisions(t, func(t *testing.T) vrrec.RevisionStore { return open(t) }) })
	t.Run("history", func(t *testing.T) { History(t, func(t *testing.T) catalog.HistoryStore { return open(t) }) })
	t.Run("vectors", func(t *testing.T) { Vectors(t, func(t *testing.T) vrrec.VectorStore { return open(t) }) })
	t.Run("interactions", func(t *testing.T) { Interactions(t, func(t *testing.T) vrrec.InteractionLog { return open(t) }) })
	t.Run("retention", func(t *testing.T) { Retention(t, func(t *testing.T) vrrec.InteractionLog { return open(t) }) })
	t.Run("sessions", func(t *testing.T) { Sessions(t, func(t *testing.T) vrrec.SessionStore { return open(t) }) })
	t.Run("session retention", func(t *testing.T) { SessionRetention(t, func(t *testing.T) vrrec.SessionStore { return open(t) }) })
	t.Run("config", func(t *testing.T) { Config(t, func(t *testing.T) vrrec.ConfigStore { return open(t) }) })
	t.Run("jobs", func(t *testing.T) { Jobs(t, func(t *testing.T) vrrec.JobStore { return open(t) }) })
	t.Run("audit", func(t *testing.T) { Audit(t, func(t *testing.T) vrrec.AuditLog { return open(t) }) })
	t.Run("staff", func(t *testing.T) { Staff(t, func(t *testing.T) vrrec.StaffStore { return open(t) }) })
	t.Run("feedback", func(t *testing.T) { Feedback(t, func(t *testing.T) vrrec.FeedbackStore { return open(t) }) })
	t.Run("labeled queries", func(t *testing.T) {
		LabeledQueries(t, func(t *testing.T) vrrec.LabeledQueryStore { return open(t) })
	})
	t.Run("llm spend", func(t *testing.T) { LLMSpend(t, func(t *testing.T) vrrec.LLMSpendStore { return open(t) }) })
	t.Run("profiles", func(t *testing.T) { Profiles(t, func(t *testing.T) vrrec.ProfileStore { return open(t) }) })
	t.Run("personalised interactions", func(t *testing.T) { Personalised(t, open(t)) })
}

// StaleJobLock checks that a job store recovers when the job holding the
// one-at-a-time slot finished but its lock was left behind: lock is told
// to leave one (nil when the store has no separate lock).
func StaleJobLock(t *testing.T, s vrrec.JobStore, leaveLock func(jobID string)) {
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	if err := s.StartJob(ctx, vrrec.Job{ID: "old", Type: "import", StartedAt: at}); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishJob(ctx, "old", vrrec.JobCompleted, "", at); err != nil {
		t.Fatal(err)
	}
	if leaveLock != nil {
		leaveLock("old")
	}
	if err := s.StartJob(ctx, vrrec.Job{ID: "new", Type: "import", StartedAt: at}); err != nil {
		t.Errorf("a finished job's leftover lock blocked a new job: %v", err)
	}
	if err := s.StartJob(ctx, vrrec.Job{ID: "third", Type: "import", StartedAt: at}); vrrec.ErrorCode(err) != vrrec.ECONFLICT {
		t.Errorf("the new job's lock was not taken: %v", err)
	}
}
