package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	neo4jdriver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/config"
	"github.com/vrrec/vrrec/graph"
	"github.com/vrrec/vrrec/internal/testenv"
)

// staffPassword is the admin password the serve tests start with.
const staffPassword = "staff-password-for-tests"

// graphHealth returns the graph's entry of the staff health report
// (/api/admin/health), logged in with staffPassword.
func graphHealth(t *testing.T, base string) map[string]any {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	login, err := client.Post(base+"/api/auth/login", "application/json", strings.NewReader(`{"password":"`+staffPassword+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	login.Body.Close()
	if login.StatusCode != 200 {
		t.Fatalf("staff login: %s", login.Status)
	}
	res, err := client.Get(base + "/api/admin/health")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var h struct {
		Graph map[string]any `json:"graph"`
	}
	if err := json.NewDecoder(res.Body).Decode(&h); err != nil {
		t.Fatal(err)
	}
	return h.Graph
}

// waitGraph polls the public /health until the graph component is in the
// given state (ready or degraded).
func waitGraph(t *testing.T, base, want string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		var h struct {
			Components map[string]string `json:"components"`
		}
		res, err := http.Get(base + "/health")
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(res.Body).Decode(&h)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if h.Components["graph"] == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("graph %q after %s, want %q", h.Components["graph"], within, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// chatApps asks /chat and returns the recommended app ids in order.
func chatApps(t *testing.T, base, message string) []string {
	t.Helper()
	ids, _ := chatAnswer(t, base, message)
	return ids
}

// chatAnswer asks /chat and returns the apps shown and each one's matched
// skills.
func chatAnswer(t *testing.T, base, message string) ([]string, map[string][]string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"message": message})
	res, err := http.Post(base+"/chat", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("chat %q: %d %s", message, res.StatusCode, b)
	}
	var out struct {
		Apps []struct {
			AppID  string   `json:"app_id"`
			Skills []string `json:"matched_skills"`
		} `json:"apps"`
	}
	json.Unmarshal(b, &out)
	ids := make([]string, len(out.Apps))
	skills := map[string][]string{}
	for i, a := range out.Apps {
		ids[i] = a.AppID
		skills[a.AppID] = a.Skills
	}
	return ids, skills
}

// TestServeOnNeo4jSurvivesAnOutage runs `vrrec serve` with
// GRAPH_BACKEND=neo4j against a real Neo4j: it starts answering from the
// in-memory graph, fills the empty Neo4j with a rebuild job and moves to it;
// with Neo4j stopped chats keep answering the same and /health says
// degraded; once Neo4j is back it is used again.
func TestServeOnNeo4jSurvivesAnOutage(t *testing.T) {
	srv := testenv.StartNeo4j(t)
	_, base, _ := startServe(t, map[string]string{"GRAPH_BACKEND": "neo4j", "NEO4J_URI": srv.URI, "RATE_LIMIT_CHAT": "1000/minute",
		"RATE_LIMIT_DEFAULT": "10000/hour", "ADMIN_PASSWORD": staffPassword}, func(m *Main) { m.GraphCheck = 200 * time.Millisecond })
	if g := graphHealth(t, base); g["backend"] != "neo4j" {
		t.Fatalf("graph in /health: %v", g)
	}
	waitGraph(t, base, "ready", 60*time.Second) // the rebuild job filled Neo4j
	questions := []string{"I'm learning Python", "cybersecurity tools", "95-729", "human anatomy"}
	before := map[string][]string{}
	for _, q := range questions {
		before[q] = chatApps(t, base, q)
	}

	// Each phase asks with its own punctuation: the same question to the
	// ranking, another to the engine's cache of answers, so it is answered
	// anew.
	srv.Stop()
	for _, q := range questions {
		if got := chatApps(t, base, q+"?"); strings.Join(got, ",") != strings.Join(before[q], ",") {
			t.Errorf("%q with Neo4j down: %v, want %v", q, got, before[q])
		}
	}
	waitGraph(t, base, "degraded", 10*time.Second)
	res, err := http.Get(base + "/ready")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(b), `"graph":"degraded`) {
		t.Errorf("/ready with Neo4j down: %d %s", res.StatusCode, b)
	}

	srv.Restart()
	waitGraph(t, base, "ready", 60*time.Second)
	for _, q := range questions {
		if got := chatApps(t, base, q+"!"); strings.Join(got, ",") != strings.Join(before[q], ",") {
			t.Errorf("%q with Neo4j back: %v, want %v", q, got, before[q])
		}
	}

	// Proof that answers come from Neo4j: cut the top anatomy app's
	// DEVELOPS edges there, and its skill evidence (the skills it matched
	// through the graph) is gone.
	top := before["human anatomy"][0]
	if _, skills := chatAnswer(t, base, "human anatomy"); len(skills[top]) == 0 {
		t.Fatalf("%s matched no skills through the graph before the cut", top)
	}
	ctx := context.Background()
	driver, err := neo4jdriver.NewDriverWithContext(srv.URI, neo4jdriver.NoAuth())
	if err != nil {
		t.Fatal(err)
	}
	defer driver.Close(ctx)
	if _, err := neo4jdriver.ExecuteQuery(ctx, driver, `MATCH (:VRApp {app_id: $id})-[r:DEVELOPS]->() DELETE r`,
		map[string]any{"id": top}, neo4jdriver.EagerResultTransformer); err != nil {
		t.Fatal(err)
	}
	if _, skills := chatAnswer(t, base, "human anatomy."); len(skills[top]) != 0 {
		t.Errorf("after cutting %s's edges in Neo4j it still matches %v: answers do not come from Neo4j", top, skills[top])
	}
}

// TestBuildGraphCommand writes the catalog into a real Neo4j, twice (the
// second build changes nothing), prints the same statistics as the
// in-memory graph, and refuses to run while another job holds the lock.
func TestBuildGraphCommand(t *testing.T) {
	srv := testenv.SharedNeo4j(t)
	t.Setenv("DATA_DIR", t.TempDir())
	t.Setenv("GRAPH_BACKEND", "neo4j")
	t.Setenv("NEO4J_URI", srv.URI)
	ctx := context.Background()
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	want := graph.StatsOf(cat)
	for _, args := range [][]string{{"build-graph", "--clear", "--json"}, {"build-graph", "--json"}} {
		var out, errOut bytes.Buffer
		if err := run(ctx, args, nil, &out, &errOut); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, errOut.String())
		}
		var got vrrec.GraphStats
		if err := json.Unmarshal(out.Bytes(), &got); err != nil {
			t.Fatalf("%v printed %s", args, out.String())
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%v: stats %+v, want the in-memory graph's %+v", args, got, want)
		}
	}
	var out bytes.Buffer
	nodes := fmt.Sprintf("Nodes: %d (%d courses, %d apps, %d skills)", want.Nodes(), want.Courses, want.Apps, want.Skills)
	if err := run(ctx, []string{"build-graph"}, nil, &out, io.Discard); err != nil || !strings.Contains(out.String(), nodes) {
		t.Errorf("text output: %v\n%s", err, out.String())
	}

	db, err := openDB(ctx, config.Config{DataDir: os.Getenv("DATA_DIR")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.StartJob(ctx, vrrec.Job{ID: "staff-import", Type: "import", StartedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	err = run(ctx, []string{"build-graph"}, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "staff-import") {
		t.Errorf("build-graph while a job runs: %v, want a refusal naming the job", err)
	}
}
