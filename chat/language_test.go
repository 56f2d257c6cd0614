package chat_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/chat"
	"github.com/vrrec/vrrec/internal/fakeopenai"
	"github.com/vrrec/vrrec/internal/inmem"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/llm"
	"github.com/vrrec/vrrec/openai"
	"github.com/vrrec/vrrec/rag"
)

// germanModel answers like a model: the question as an English search,
// and a ranking of the candidates it is given with reasons in German.
func germanModel(_ int, req fakeopenai.Request) fakeopenai.Answer {
	var in struct {
		Question string `json:"question"`
		Query    string `json:"query"`
		Apps     []struct {
			AppID string `json:"app_id"`
		} `json:"apps"`
	}
	json.Unmarshal([]byte(req.User()), &in)
	if in.Question != "" {
		return fakeopenai.Answer{Content: `{"query": "learn watercolor painting"}`}
	}
	var ids []string
	for _, a := range in.Apps {
		ids = append(ids, a.AppID)
	}
	return fakeopenai.Answer{Content: fakeopenai.RankingAnswer("Du möchtest Aquarellmalerei lernen.", ids,
		func(int) string { return "Hilft dir, das Malen zu üben." })}
}

func modelService(t *testing.T, f *fakeopenai.Server) *chat.Service {
	t.Helper()
	eng := testenv.DefaultEngine(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	model, err := openai.NewChat(openai.ChatConfig{BaseURL: f.URL, Model: "m", Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	s := chat.New(func() chat.Engine { return eng }, inmem.NewSessions(), log)
	s.SetExplainer(llm.New(model, nil, llm.Options{Prompt: llm.PromptFull}, log))
	return s
}

// With a model, a question in another language is never refused for its
// language: the model turns it into an English search, retrieval runs on
// that, and the model answers in the student's language.
func TestOtherLanguageThroughTheModel(t *testing.T) {
	const question = "ich möchte Aquarellmalerei lernen"
	// Without a model the offline gloss reads what it knows; of this it
	// knows nothing, and asks for English, in German.
	offline := ask(t, newService(t), "u", "s", question)
	if !strings.HasPrefix(offline.Response, "Im Moment verstehe ich nur Fragen auf Englisch") {
		t.Errorf("offline: %q", offline.Response)
	}

	f := fakeopenai.Start(germanModel)
	t.Cleanup(f.Close)
	r := ask(t, modelService(t, f), "u", "s", question)
	if strings.Contains(r.Response, "Englisch") || r.Note != "" {
		t.Errorf("refused or noted for its language: %q (note %q)", r.Response, r.Note)
	}
	if !strings.HasPrefix(r.Response, "_Du möchtest Aquarellmalerei lernen._") || !strings.Contains(r.Response, "Hilft dir, das Malen zu üben.") {
		t.Errorf("not answered in German: %q", r.Response)
	}
	if r.ExplainedBy != vrrec.ExplainedByLLM || r.Language != "de" || len(r.Apps) == 0 {
		t.Fatalf("reply %+v", r)
	}
	// The ranking call quoted the student's words (so the model writes in
	// their language) and got the apps retrieval finds for the English
	// search.
	var rank struct {
		Query string `json:"query"`
		Apps  []struct {
			AppID string `json:"app_id"`
		} `json:"apps"`
	}
	if err := json.Unmarshal([]byte(f.Last().User()), &rank); err != nil || rank.Query != question {
		t.Fatalf("ranking request %s (%v)", f.Last().User(), err)
	}
	want, err := testenv.DefaultEngine(t).Find(context.Background(), rag.Request{Query: "learn watercolor painting", TopK: rag.Candidates})
	if err != nil {
		t.Fatal(err)
	}
	if len(rank.Apps) == 0 || rank.Apps[0].AppID != want.Apps[0].AppID {
		t.Errorf("the model ranked %v, retrieval of the English finds %s first", rank.Apps, want.Apps[0].AppID)
	}
	if r.Query == "" || !strings.Contains(r.Query, "paint") {
		t.Errorf("a follow-up would refine %q, not the English search", r.Query)
	}

	// A model that does not answer leaves the offline reading.
	down := fakeopenai.Start(func(int, fakeopenai.Request) fakeopenai.Answer {
		return fakeopenai.Answer{Status: http.StatusInternalServerError}
	})
	t.Cleanup(down.Close)
	r = ask(t, modelService(t, down), "u", "s", question)
	if r.Response != offline.Response || r.Language != offline.Language || len(r.Apps) != len(offline.Apps) {
		t.Errorf("without the translation: %q, want the offline answer %q", r.Response, offline.Response)
	}
}
