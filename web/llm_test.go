package web_test

import (
	"bufio"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/vrrec/vrrec/chat"
	"github.com/vrrec/vrrec/internal/fakeopenai"
	"github.com/vrrec/vrrec/internal/inmem"
	"github.com/vrrec/vrrec/llm"
	"github.com/vrrec/vrrec/openai"
	"github.com/vrrec/vrrec/web"
)

// llmServer serves chat with a ranker on a fake model that ranks every
// candidate in reverse with its own reasons.
func llmServer(t *testing.T, down bool) (string, *fakeopenai.Server) {
	t.Helper()
	reply := fakeopenai.Ranker(0)
	f := fakeopenai.Start(func(n int, req fakeopenai.Request) fakeopenai.Answer {
		if down {
			return fakeopenai.Answer{Status: http.StatusServiceUnavailable}
		}
		return reply(n, req)
	})
	t.Cleanup(f.Close)
	model, err := openai.NewChat(openai.ChatConfig{BaseURL: f.URL, Model: "m", Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := chat.New(func() chat.Engine { return engine() }, inmem.NewSessions(), log)
	svc.SetExplainer(llm.New(model, nil, llm.Options{}, log))
	srv, err := web.New(web.Config{Chat: svc, SecretKey: testKey, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	return start(t, srv), f
}

func TestChatWithModelExplains(t *testing.T) {
	base, f := llmServer(t, false)
	m := postChat(t, nil, base, "I want to practice public speaking").json(t)
	if m["explained_by"] != "llm" || m["understanding"] != "You want to learn about I want to practice public speaking." || f.Calls() != 1 {
		t.Fatalf("reply: %v (calls %d)", m, f.Calls())
	}
	apps := m["apps"].([]any)
	if len(apps) == 0 || !strings.HasPrefix(apps[0].(map[string]any)["reasoning"].(string), "Model reason <b>for</b> ") {
		t.Errorf("apps: %v", apps)
	}
	if resp := m["response"].(string); !strings.Contains(resp, "_You want to learn about I want to practice public speaking._") || !strings.Contains(resp, `\<b\>for\</b\>`) {
		t.Errorf("reply text should carry the understanding and escape the model's markup:\n%s", resp)
	}
}

// The stream says how much the model has written, never what: its text
// reaches the student only in the result, after validation.
func TestChatStreamReportsWritingNotRawText(t *testing.T) {
	base, _ := llmServer(t, false)
	req, _ := http.NewRequest("POST", base+"/chat/stream", strings.NewReader(`{"message":"public speaking"}`))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	counts := map[string]int{}
	event := ""
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if ev, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
			event = ev
			counts[ev]++
		}
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok && event != "update" && strings.Contains(data, "Model reason") {
			t.Errorf("a %s event carries the model's raw text: %s", event, data)
		}
	}
	if counts["writing"] < 2 || counts["token"] != 0 || counts["progress"] != 3 || counts["result"] != 1 || counts["update"] != 1 {
		t.Errorf("events %v: want progress, a provisional result, several writing, one update", counts)
	}
}

func TestChatWithModelDownStillAnswers(t *testing.T) {
	base, _ := llmServer(t, true)
	res := postChat(t, nil, base, "I want to practice public speaking")
	m := res.json(t)
	if res.status != 200 || m["explained_by"] != "deterministic" || m["llm_fallback"] != true || len(m["apps"].([]any)) == 0 {
		t.Errorf("with the model down: %d %v", res.status, m)
	}
}
