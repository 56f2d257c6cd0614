package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/privacy"
	"github.com/vrrec/vrrec/sqlite"
)

// storeInteractions writes interactions into DATA_DIR's database.
func storeInteractions(t *testing.T, dir string, items ...vrrec.Interaction) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, databaseFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Record(context.Background(), items...); err != nil {
		t.Fatal(err)
	}
}

func TestServeRunsRetentionOnceADay(t *testing.T) {
	dir := t.TempDir()
	now := time.Now().UTC()
	storeInteractions(t, dir,
		vrrec.Interaction{ID: "old", UserID: "u", Query: "a question from last year", Intent: "recommendation", LatencyMS: 12, Time: now.AddDate(0, 0, -200)},
		vrrec.Interaction{ID: "new", UserID: "u", Query: "a question from today", Intent: "greeting", LatencyMS: 8, Time: now})
	m, _, _ := startServe(t, map[string]string{"DATA_DIR": dir, "RETENTION_INTERACTIONS": "180d"}, func(m *Main) { m.RetentionCheck = 20 * time.Millisecond })
	ctx := context.Background()
	var job vrrec.Job
	for deadline := time.Now().Add(20 * time.Second); ; {
		jobs, err := m.db.Jobs(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) > 0 && jobs[0].Type == privacy.JobType && jobs[0].State != vrrec.JobRunning {
			job = jobs[0]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no finished retention job in the history: %+v", jobs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if job.State != vrrec.JobCompleted {
		t.Fatalf("retention job: %+v", job)
	}
	full, _ := m.db.Job(ctx, job.ID)
	if log := strings.Join(full.Log, "\n"); !strings.Contains(log, "interactions older than") || !strings.Contains(log, ": 1 deleted") {
		t.Errorf("job log:\n%s", log)
	}
	page, total, _ := m.db.Interactions(ctx, vrrec.InteractionFilter{})
	if total != 1 || page[0].ID != "new" {
		t.Errorf("kept %+v, want only today's", page)
	}
	if st, _ := m.db.Stats(ctx, time.Time{}); st.Total != 2 || len(st.Intents) != 2 {
		t.Errorf("statistics after retention: %+v", st)
	}
	// Ticks go on; the job ran today, so it does not run again.
	time.Sleep(200 * time.Millisecond)
	jobs, _ := m.db.Jobs(ctx, 10)
	n := 0
	for _, j := range jobs {
		if j.Type == privacy.JobType {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d retention jobs after many ticks, want 1", n)
	}
}

func TestStudentCommand(t *testing.T) {
	dir := t.TempDir()
	storeInteractions(t, dir,
		vrrec.Interaction{ID: "a", UserID: "student-1", Query: "anatomy please", Intent: "recommendation", LatencyMS: 9, Time: time.Now()},
		vrrec.Interaction{ID: "b", UserID: "student-2", Query: "chemistry", Intent: "recommendation", LatencyMS: 9, Time: time.Now()})
	out, err := runCLI(t, dir, "student", "export", "student-1")
	var exp vrrec.StudentExport
	if err != nil || json.Unmarshal([]byte(out), &exp) != nil || exp.UserID != "student-1" || !strings.Contains(out, "anatomy please") || strings.Contains(out, "chemistry") {
		t.Fatalf("export: %v\n%s", err, out)
	}
	out, err = runCLI(t, dir, "student", "forget", "student-1")
	if err != nil || out != "Forgot student-1: 0 feedback 1 interactions 0 messages 0 profile deleted.\n" {
		t.Fatalf("forget: %q, %v", out, err)
	}
	out, _ = runCLI(t, dir, "student", "export", "student-1")
	if strings.Contains(out, "anatomy please") {
		t.Errorf("export after the forget still holds the question:\n%s", out)
	}
	for _, bad := range [][]string{{"student"}, {"student", "erase", "x"}, {"student", "forget", ""}} {
		if _, err := runCLI(t, dir, bad...); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, databaseFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	entries, _ := db.AuditEntries(context.Background(), vrrec.AuditFilter{Limit: 10})
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Actor+" "+e.Action+" "+e.Detail)
	}
	who := cliActor()
	want := []string{who + " export_student student-1 (vrrec student export)", who + " forget_student student-1 (vrrec student forget)", who + " export_student student-1 (vrrec student export)"}
	if len(actions) != 3 || actions[0] != want[0] || actions[1] != want[1] || actions[2] != want[2] {
		t.Errorf("audit trail: %q", actions)
	}
	if _, total, _ := db.Interactions(context.Background(), vrrec.InteractionFilter{}); total != 1 {
		t.Errorf("%d interactions left, want student-2's", total)
	}
}
