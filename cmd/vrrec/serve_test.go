package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/config"
	"github.com/vrrec/vrrec/internal/fakeopenai"
	"github.com/vrrec/vrrec/internal/testenv"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServe runs `vrrec serve` in this process (its Main) with env on a
// fresh data directory and a port of its own, waits until /ready answers
// 200, and stops it (expecting a clean stop) when the test ends. adjust, when
// given, changes the Main before it runs.
func startServe(t testing.TB, env map[string]string, adjust ...func(*Main)) (*Main, string, *testenv.LogBuffer) {
	t.Helper()
	t.Setenv("DATA_DIR", t.TempDir())
	for k, v := range env {
		t.Setenv(k, v)
	}
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Port = 0
	logs := &testenv.LogBuffer{}
	m := NewMain(cfg, serviceLogger(logs, cfg.LogLevel))
	for _, f := range adjust {
		f(m)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("serve: %v (%v)\nlogs:\n%s", err, m.Close(), logs)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("serve stopped with %v", err)
		}
		if t.Failed() {
			t.Logf("logs:\n%s", logs)
		}
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", m.Addr().(*net.TCPAddr).Port)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if res, err := http.Get(base + "/ready"); err == nil && res.StatusCode == 200 {
			res.Body.Close()
			return m, base, logs
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not become ready; logs:\n%s", logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestServeExposesMovingMetrics runs `vrrec serve` as an operator would
// (LLM, Redis that is down, metrics on their own address), sends a few
// requests and reads /metrics.
func TestServeExposesMovingMetrics(t *testing.T) {
	llm := fakeopenai.Start(fakeopenai.Ranker(0))
	defer llm.Close()
	m, base, logs := startServe(t, map[string]string{
		"METRICS_ADDR":    "127.0.0.1:0",
		"LLM_BASE_URL":    llm.URL,
		"REDIS_URL":       "redis://" + freeAddr(t) + "/0", // nothing listens there
		"RATE_LIMIT_CHAT": "3/minute",
		// The chats below carry no cookie: they count against the
		// address's ceiling.
		"RATE_LIMIT_IP_CHAT": "3/minute",
		// Redis down costs the budget's check seconds: the model's
		// answers still come in time.
		"LLM_WAIT": "40s",
	})

	statuses := map[int]int{}
	for i := 0; i < 4; i++ {
		res, err := http.Post(base+"/chat", "application/json", strings.NewReader(fmt.Sprintf(`{"message":"anatomy %d"}`, i)))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		statuses[res.StatusCode]++
	}
	if statuses[200] != 3 || statuses[429] != 1 {
		t.Errorf("statuses %v: want 3 answers and one 429", statuses)
	}
	time.Sleep(400 * time.Millisecond) // the journal flushes every 200 ms

	res, err := http.Get("http://" + m.MetricsAddr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	value := func(series string) float64 {
		re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` ([0-9.e+-]+)$`)
		m := re.FindSubmatch(body)
		if m == nil {
			t.Errorf("metric %s missing", series)
			return 0
		}
		v, _ := strconv.ParseFloat(string(m[1]), 64)
		return v
	}
	for series, atLeast := range map[string]float64{
		`vrrec_http_request_duration_seconds_count{method="POST",route="POST /chat",status="200"}`: 3,
		`vrrec_http_request_duration_seconds_count{method="POST",route="POST /chat",status="429"}`: 1,
		`vrrec_ratelimit_rejections_total{route="chat",store="memory"}`:                            1,
		`vrrec_ratelimit_store_switches_total{to="fallback"}`:                                      1,
		`vrrec_recommendation_stage_seconds_count{stage="embed"}`:                                  3,
		`vrrec_recommendation_stage_seconds_count{stage="retrieve"}`:                               3,
		`vrrec_recommendation_stage_seconds_count{stage="rank"}`:                                   3,
		`vrrec_llm_calls_total`:                      3,
		`vrrec_llm_call_seconds_count`:               3,
		`vrrec_llm_prompt_tokens_total`:              1,
		`vrrec_llm_answers_total{outcome="in_time"}`: 3,
		`vrrec_llm_answers_total{outcome="late"}`:    0,
		`vrrec_llm_answers_total{outcome="failed"}`:  0,
		`vrrec_llm_changed_picks_total`:              0,
		`vrrec_llm_call_tokens_count{kind="prompt"}`: 3,
		`vrrec_journal_written_total`:                3,
		`vrrec_http_requests_in_flight`:              0,
		`vrrec_journal_queue_depth`:                  0,
		`vrrec_journal_spool_bytes`:                  0,
	} {
		if v := value(series); v < atLeast {
			t.Errorf("%s = %v, want at least %v", series, v, atLeast)
		}
	}
	// Every log line of a request carries its id; no message text at info.
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, `"msg":"request"`) && !strings.Contains(line, `"request_id"`) {
			t.Errorf("request log without an id: %s", line)
		}
		if strings.Contains(line, "anatomy") {
			t.Errorf("a student's message reached the logs: %s", line)
		}
	}
}

// A stored catalog whose vectors are not stored yet (an upgrade, another
// model) does not hold up the start: the embedded catalog answers at once,
// and the stored one takes over once it is embedded.
func TestServeStartsBeforeTheStoredCatalogIsEmbedded(t *testing.T) {
	dir := t.TempDir()
	db, err := openDB(context.Background(), config.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	cat := testenv.DefaultCatalog(t)
	cat.Apps = append(cat.Apps, vrrec.VRApp{AppID: "glassblowing-sim", Name: "Glassblowing Studio", Category: "creativity",
		Description: "Shape molten glass on a virtual blowpipe: gathering, marvering and annealing.", Features: []string{"Furnace"}, SkillsDeveloped: []string{"Glassblowing"}})
	if _, err := db.SaveCatalog(context.Background(), cat, catalog.Version(cat)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, base, logs := startServe(t, map[string]string{"DATA_DIR": dir})
	if !strings.Contains(logs.String(), "serving the embedded catalog while they are computed") {
		t.Errorf("the start did not say it serves the embedded catalog first; logs:\n%s", logs)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(postMessage(t, base, "glassblowing"), "glassblowing-sim") {
		if time.Now().After(deadline) {
			t.Fatalf("the stored catalog was never served; logs:\n%s", logs)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// postMessage asks /chat and returns the raw answer.
func postMessage(t *testing.T, base, message string) string {
	t.Helper()
	res, err := http.Post(base+"/chat", "application/json", strings.NewReader(`{"message":"`+message+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

// A start that fails (the port is taken) says why, and Close after it
// releases what Run had opened without an error of its own.
func TestServeFailsToStartCleanly(t *testing.T) {
	taken, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	t.Setenv("DATA_DIR", t.TempDir())
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Port = taken.Addr().(*net.TCPAddr).Port
	m := NewMain(cfg, serviceLogger(io.Discard, cfg.LogLevel))
	err = m.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("listen on port %d", cfg.Port)) {
		t.Fatalf("Run on a taken port: %v", err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("Close after a failed Run: %v", err)
	}
}
