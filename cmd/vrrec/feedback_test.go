package main

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vrrec/vrrec/eval"
	"github.com/vrrec/vrrec/internal/testenv"
)

// A question staff label on the running service (as the log's detail view
// posts it) joins `vrrec eval --from-store` and the quality review of
// every catalog draft; a student's vote on the same service is stored.
func TestLabeledQueryFromUseChangesTheEvaluation(t *testing.T) {
	m, base, _ := startServe(t, map[string]string{"ADMIN_PASSWORD": "staff-password"})
	dir := os.Getenv("DATA_DIR")
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	post := func(path, body string) (int, string) {
		t.Helper()
		res, err := client.Post(base+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	_, raw := post("/chat", `{"message":"I want to practice public speaking"}`)
	var answer struct {
		InteractionID string `json:"interaction_id"`
		FeedbackToken string `json:"feedback_token"`
		Apps          []struct {
			AppID string `json:"app_id"`
		} `json:"apps"`
	}
	if err := json.Unmarshal([]byte(raw), &answer); err != nil || len(answer.Apps) == 0 {
		t.Fatalf("chat: %v %s", err, raw)
	}
	vote, _ := json.Marshal(map[string]string{"interaction_id": answer.InteractionID, "app_id": answer.Apps[0].AppID, "vote": "helpful", "token": answer.FeedbackToken})
	if code, body := post("/api/feedback", string(vote)); code != 200 {
		t.Errorf("vote: %d %s", code, body)
	}

	queries := filepath.Join(testenv.RepoRoot(), "eval", "default.json")
	evaluate := func() map[string]map[string]*eval.Report {
		t.Helper()
		out, err := runCLI(t, dir, "eval", "--queries", queries, "--from-store", "--split", "test", "--json")
		if err != nil {
			t.Fatalf("eval --from-store: %v\n%s", err, out)
		}
		var reports evalJSON
		if err := json.Unmarshal([]byte(out), &reports); err != nil {
			t.Fatalf("eval output: %v\n%s", err, out)
		}
		return reports.Sets
	}
	if reports := evaluate(); reports[eval.FromUse] != nil || reports["default.json"] == nil {
		t.Fatalf("before any label: sets %v", slices.Collect(maps.Keys(reports)))
	}

	if code, body := post("/api/auth/login", `{"password":"staff-password"}`); code != 200 {
		t.Fatalf("login: %d %s", code, body)
	}
	label, _ := json.Marshal(map[string]any{"query": "I want to practice public speaking", "relevant": []string{answer.Apps[0].AppID},
		"interaction_id": answer.InteractionID})
	if code, body := post("/api/admin/labeled-queries", string(label)); code != 200 {
		t.Fatalf("label: %d %s", code, body)
	}
	reports := evaluate()
	use := reports[eval.FromUse]["vrrec test"]
	if use == nil || len(use.Queries) != 1 || use.Queries[0].Query != "I want to practice public speaking" || use.NDCGAt5 <= 0 {
		t.Fatalf("after the label: sets %v, from use %+v", slices.Collect(maps.Keys(reports)), use)
	}

	data, err := m.dataJobs()
	if err != nil {
		t.Fatal(err)
	}
	sets, err := data.Sets(context.Background())
	if err != nil || sets[eval.FromUse] == nil || len(sets[eval.FromUse].Queries) != 1 || sets["default"] == nil {
		t.Errorf("the sets a draft is measured on: %v, %v", slices.Collect(maps.Keys(sets)), err)
	}
}
