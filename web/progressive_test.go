package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/chat"
	"github.com/vrrec/vrrec/internal/fakeopenai"
	"github.com/vrrec/vrrec/internal/inmem"
	"github.com/vrrec/vrrec/llm"
	"github.com/vrrec/vrrec/openai"
	"github.com/vrrec/vrrec/sqlite"
	"github.com/vrrec/vrrec/web"
)

// heldModel is a fake model that ranks like fakeopenai.Ranker but leaves
// out retrieval's best candidate, or fails with status, only once the
// test lets it answer (release): until then it holds every request.
type heldModel struct {
	*fakeopenai.Server
	release func()
}

func newHeldModel(t *testing.T, status int) heldModel {
	t.Helper()
	gate := make(chan struct{})
	var once sync.Once
	f := fakeopenai.Start(func(n int, req fakeopenai.Request) fakeopenai.Answer {
		<-gate
		if status != 0 {
			return fakeopenai.Answer{Status: status}
		}
		return rankWithoutBest(n, req)
	})
	t.Cleanup(f.Close)
	release := func() { once.Do(func() { close(gate) }) }
	t.Cleanup(release) // runs before Close: nothing stays held
	return heldModel{f, release}
}

// rankWithoutBest answers like fakeopenai.Ranker (the candidates in
// reverse, with reasons starting "Model reason"), leaving out retrieval's
// best candidate.
func rankWithoutBest(n int, req fakeopenai.Request) fakeopenai.Answer {
	a := fakeopenai.Ranker(0)(n, req)
	var out struct {
		Understanding string           `json:"understanding"`
		Ranking       []map[string]any `json:"ranking"`
	}
	if err := json.Unmarshal([]byte(a.Content), &out); err == nil && len(out.Ranking) > 1 {
		out.Ranking = out.Ranking[:len(out.Ranking)-1] // reversed: the last is retrieval's first
		b, _ := json.Marshal(out)
		a.Content = string(b)
	}
	return a
}

// progressiveServer serves chat explained by model, journaling answers to
// a real SQLite database that also keeps votes; llmWait is LLM_WAIT,
// chatTimeout CHAT_TIMEOUT.
func progressiveServer(t *testing.T, model *fakeopenai.Server, llmWait, chatTimeout time.Duration) (string, *chat.Service, *sqlite.DB) {
	t.Helper()
	db, j := journaled(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	client, err := openai.NewChat(openai.ChatConfig{BaseURL: model.URL, Model: "m", Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	eng := engine() // built now: the answers' timing is the chat's, not the catalog's embedding
	svc := chat.New(func() chat.Engine { return eng }, inmem.NewSessions(), log)
	svc.SetTimeout(chatTimeout)
	svc.SetExplainer(llm.New(client, nil, llm.Options{}, log))
	srv, err := web.New(web.Config{Chat: svc, SecretKey: testKey, Log: log, Journal: j, Feedback: db, LLMWait: llmWait})
	if err != nil {
		t.Fatal(err)
	}
	return start(t, srv), svc, db
}

// streamed is one answer event of /chat/stream.
type streamed struct {
	Provisional   bool   `json:"provisional"`
	ExplainedBy   string `json:"explained_by"`
	LLMFallback   bool   `json:"llm_fallback"`
	Response      string `json:"response"`
	InteractionID string `json:"interaction_id"`
	FeedbackToken string `json:"feedback_token"`
	Apps          []struct {
		AppID     string `json:"app_id"`
		Reasoning string `json:"reasoning"`
	} `json:"apps"`
}

func (s streamed) ids() []string {
	var ids []string
	for _, a := range s.Apps {
		ids = append(ids, a.AppID)
	}
	return ids
}

// openStream posts message to /chat/stream and returns a func reading the
// next event's name and data ("" at the end of the stream).
func openStream(t *testing.T, client *http.Client, base, message string) func() (string, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/chat/stream", strings.NewReader(`{"message":"`+message+`"}`))
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	return func() (string, []byte) {
		event := ""
		for sc.Scan() {
			if ev, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				event = ev
			}
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				return event, []byte(data)
			}
		}
		return "", nil
	}
}

// nextAnswer reads events up to the next answer ("result" or "update"),
// failing on an error event or the stream's end.
func nextAnswer(t *testing.T, next func() (string, []byte)) (string, streamed) {
	t.Helper()
	for {
		event, data := next()
		switch event {
		case "result", "update":
			var s streamed
			if err := json.Unmarshal(data, &s); err != nil {
				t.Fatalf("%s event: %v: %s", event, err, data)
			}
			return event, s
		case "error", "":
			t.Fatalf("stream: %q event %s, want an answer", event, data)
		}
	}
}

func voteWith(t *testing.T, client *http.Client, base string, s streamed, app string) response {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"interaction_id": s.InteractionID, "app_id": app, "vote": "helpful", "token": s.FeedbackToken})
	return do(t, client, "POST", base+"/api/feedback", "application/json", string(b), nil)
}

// The stream shows retrieval's answer while the model still holds its
// request, then the model's as an update; only the final one is logged
// and kept in the conversation, and each carries a token for the apps it
// showed.
func TestStreamShowsRetrievalFirstThenTheModel(t *testing.T) {
	model := newHeldModel(t, 0)
	base, svc, db := progressiveServer(t, model.Server, 3*time.Second, 45*time.Second)
	student := newClient()
	next := openStream(t, student, base, "I want to practice public speaking")

	event, first := nextAnswer(t, next)
	if event != "result" || !first.Provisional || first.ExplainedBy != vrrec.ExplainedByRules || len(first.Apps) == 0 ||
		first.FeedbackToken == "" || strings.Contains(first.Response, "Model reason") {
		t.Fatalf("first answer (the model still held): %s %+v; want retrieval's, provisional", event, first)
	}
	// A vote before the update binds the apps shown then.
	if res := voteWith(t, student, base, first, first.Apps[0].AppID); res.status != 200 {
		t.Fatalf("vote on the provisional answer: %d %s", res.status, res.body)
	}

	model.release()
	event, final := nextAnswer(t, next)
	if event != "update" || final.Provisional || final.ExplainedBy != vrrec.ExplainedByLLM || final.InteractionID != first.InteractionID ||
		len(final.Apps) == 0 || !strings.HasPrefix(final.Apps[0].Reasoning, "Model reason") || final.FeedbackToken == first.FeedbackToken {
		t.Fatalf("update: %s %+v; want the model's answer to the same interaction with its own token", event, final)
	}
	if ev, data := next(); ev != "" {
		t.Errorf("after the update: %s %s; want the stream's end", ev, data)
	}
	if slices.Equal(first.ids(), final.ids()) {
		t.Fatalf("the fake model reverses the candidates, yet the picks did not change: %v", final.ids())
	}
	dropped := ""
	for _, id := range first.ids() {
		if !slices.Contains(final.ids(), id) {
			dropped = id
		}
	}
	if dropped == "" {
		t.Fatalf("no app of %v left out of %v", first.ids(), final.ids())
	}
	if res := voteWith(t, student, base, final, dropped); res.status != 400 {
		t.Errorf("the final token on an app it did not show: %d %s, want 400", res.status, res.body)
	}
	if res := voteWith(t, student, base, first, dropped); res.status != 200 {
		t.Errorf("the provisional token on an app it showed, after the update: %d %s", res.status, res.body)
	}
	if res := voteWith(t, student, base, final, final.Apps[0].AppID); res.status != 200 {
		t.Errorf("the final token on its app: %d %s", res.status, res.body)
	}

	waitStored(t, db, 1)
	logged, _, err := db.Interactions(context.Background(), vrrec.InteractionFilter{})
	if err != nil || len(logged) != 1 || !slices.Equal(logged[0].Apps, final.ids()) || !strings.Contains(logged[0].Response, "Model reason") {
		t.Errorf("logged %+v (%v); want one interaction with the final apps %v", logged, err, final.ids())
	}
	var h struct {
		Messages []struct {
			FeedbackToken string `json:"feedback_token"`
			Apps          []struct {
				AppID string `json:"app_id"`
			} `json:"apps"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(do(t, student, "GET", base+"/api/history", "", "", nil).body, &h); err != nil || len(h.Messages) != 2 {
		t.Fatalf("history: %+v %v", h, err)
	}
	kept := h.Messages[1]
	var keptIDs []string
	for _, a := range kept.Apps {
		keptIDs = append(keptIDs, a.AppID)
	}
	if !slices.Equal(keptIDs, final.ids()) || kept.FeedbackToken != final.FeedbackToken {
		t.Errorf("history keeps %v with token %q; want the final apps %v and token", keptIDs, kept.FeedbackToken, final.ids())
	}
	if got := svc.LLMAnswers(); got != (chat.LLMAnswers{InTime: 1, ChangedPicks: 1}) {
		t.Errorf("counts %+v, want one answer in time that changed the picks", got)
	}
}

// A model that fails leaves retrieval's answer as the final one: the
// update repeats it, with no error event.
func TestStreamKeepsRetrievalWhenTheModelFails(t *testing.T) {
	model := newHeldModel(t, http.StatusServiceUnavailable)
	base, svc, db := progressiveServer(t, model.Server, 3*time.Second, 45*time.Second)
	next := openStream(t, newClient(), base, "I want to practice public speaking")
	_, first := nextAnswer(t, next)
	model.release()
	event, final := nextAnswer(t, next)
	if event != "update" || !final.LLMFallback || final.ExplainedBy != vrrec.ExplainedByRules || final.Response != first.Response ||
		!slices.Equal(final.ids(), first.ids()) || final.FeedbackToken != first.FeedbackToken {
		t.Errorf("update after the model failed: %s %+v; want the first answer again (%+v)", event, final, first)
	}
	waitStored(t, db, 1)
	if got := svc.LLMAnswers(); got != (chat.LLMAnswers{Failed: 1}) {
		t.Errorf("counts %+v, want one failed", got)
	}
}

// A model still working when the chat's time (less the reserve for
// answering from retrieval) is up leaves the first answer as the final
// one, counted late.
func TestStreamKeepsRetrievalWhenTheModelIsLate(t *testing.T) {
	model := newHeldModel(t, 0)
	base, svc, _ := progressiveServer(t, model.Server, 3*time.Second, 2500*time.Millisecond) // the model gets 2 s
	next := openStream(t, newClient(), base, "I want to practice public speaking")
	_, first := nextAnswer(t, next)
	event, final := nextAnswer(t, next)
	if event != "update" || !final.LLMFallback || final.Response != first.Response || final.FeedbackToken != first.FeedbackToken {
		t.Errorf("update after the chat's time: %s %+v; want the first answer again (%+v)", event, final, first)
	}
	if got := svc.LLMAnswers(); got != (chat.LLMAnswers{Late: 1}) {
		t.Errorf("counts %+v, want one late", got)
	}
}

// POST /chat waits LLM_WAIT for the model, then answers from retrieval
// (one answer, never provisional); a model within the wait explains it.
func TestChatWaitsLLMWaitThenAnswersFromRetrieval(t *testing.T) {
	model := newHeldModel(t, 0)
	base, svc, _ := progressiveServer(t, model.Server, 200*time.Millisecond, 45*time.Second)
	m := postChat(t, nil, base, "I want to practice public speaking").json(t)
	if m["explained_by"] != vrrec.ExplainedByRules || m["llm_fallback"] != true || m["provisional"] != nil || len(m["apps"].([]any)) == 0 {
		t.Errorf("with the model held past LLM_WAIT: %v", m)
	}
	if got := svc.LLMAnswers(); got != (chat.LLMAnswers{Late: 1}) {
		t.Errorf("counts %+v, want one late", got)
	}

	prompt := fakeopenai.Start(fakeopenai.Ranker(0))
	t.Cleanup(prompt.Close)
	base, svc, _ = progressiveServer(t, prompt, 10*time.Second, 45*time.Second)
	if m := postChat(t, nil, base, "I want to practice public speaking").json(t); m["explained_by"] != vrrec.ExplainedByLLM || m["provisional"] != nil {
		t.Errorf("with the model within LLM_WAIT: %v", m)
	}
	if got := svc.LLMAnswers(); got.InTime != 1 || got.Late != 0 {
		t.Errorf("counts %+v, want one in time", got)
	}
}
