package llm_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/internal/fakeopenai"
	"github.com/vrrec/vrrec/llm"
	"github.com/vrrec/vrrec/openai"
)

// many is a result of n candidates with long app ids.
func many(n int) *vrrec.Result {
	res := &vrrec.Result{Query: "anatomy", CatalogVersion: "v1", ExplainedBy: vrrec.ExplainedByRules}
	for i := range n {
		res.Apps = append(res.Apps, vrrec.AppRecommendation{AppID: fmt.Sprintf("app-with-a-long-id-%02d", i), Name: fmt.Sprintf("App %d", i),
			Category: "education", MatchedSkills: []string{"Anatomy", "Biology", "Medicine", "Chemistry"}, Summary: strings.Repeat("A long summary. ", 10),
			Reasoning: "rule"})
	}
	return res
}

// The ranking call carries a schema naming only the candidates and a
// bound on its answer that grows with them.
func TestRankingCallIsSizedToTheAnswer(t *testing.T) {
	f := fake(t, fakeopenai.Ranker(0))
	chat, err := openai.NewChat(openai.ChatConfig{BaseURL: f.URL, Model: "m", Retries: -1, JSONMode: openai.JSONObject})
	if err != nil {
		t.Fatal(err)
	}
	r := llm.New(chat, nil, llm.Options{Prompt: llm.PromptFull}, nil)
	bound := map[int]int{}
	for _, n := range []int{3, 15} {
		res := r.Rerank(context.Background(), many(n), nil)
		if res.ExplainedBy != vrrec.ExplainedByLLM {
			t.Fatalf("%d candidates: not explained: %+v", n, res)
		}
		req := f.Last()
		var s struct {
			Properties struct {
				Ranking struct {
					MaxItems int `json:"maxItems"`
					Items    struct {
						Properties struct {
							AppID struct {
								Enum []string `json:"enum"`
							} `json:"app_id"`
						} `json:"properties"`
					} `json:"items"`
				} `json:"ranking"`
			} `json:"properties"`
		}
		if err := json.Unmarshal(req.ResponseFormat.Schema, &s); err != nil {
			t.Fatalf("schema %s: %v", req.ResponseFormat.Schema, err)
		}
		enum := s.Properties.Ranking.Items.Properties.AppID.Enum
		if req.ResponseFormat.Type != "json_object" || len(enum) != n || enum[0] != "app-with-a-long-id-00" || s.Properties.Ranking.MaxItems != n {
			t.Errorf("%d candidates: response_format %s %s", n, req.ResponseFormat.Type, req.ResponseFormat.Schema)
		}
		bound[n] = req.MaxTokens
	}
	// Each entry: its id, a reason of up to 240 characters and JSON.
	if bound[3] < 200 || bound[15] <= bound[3] || bound[15] > 1600 {
		t.Errorf("max_tokens %v", bound)
	}
}

// The compact prompt gives the first eight candidates as short ids and one
// line each, and the answer's ids come back as the apps'.
func TestCompactPromptUsesShortIDs(t *testing.T) {
	f := fake(t, fakeopenai.Ranker(0))
	full := newRanker(t, f, nil, llm.Options{Prompt: llm.PromptFull}, 0)
	full.Rerank(context.Background(), many(15), nil)
	fullPrompt := len(f.Last().User())

	r := newRanker(t, f, nil, llm.Options{Prompt: llm.PromptCompact}, 0)
	res := r.Rerank(context.Background(), many(15), nil)
	user := f.Last().User()
	if !strings.Contains(user, `{"id":"1","app":"App 0: Anatomy, Biology, Medicine"}`) || strings.Contains(user, "App 8") || strings.Contains(user, "summary") {
		t.Errorf("compact prompt %s", user)
	}
	if len(user)*3 > fullPrompt {
		t.Errorf("compact prompt %d bytes, full %d: want under a third", len(user), fullPrompt)
	}
	// The fake ranks in reverse: the eighth candidate first.
	if res.ExplainedBy != vrrec.ExplainedByLLM || len(res.Apps) != 8 || res.Apps[0].AppID != "app-with-a-long-id-07" || res.Apps[0].Reasoning != "Model reason <b>for</b> App 7." {
		t.Errorf("compact answer read back as %+v", res.Apps)
	}
}

// auto is compact for a small context, told by the setting or by the
// server's /props, and full otherwise.
func TestPromptAutoFollowsTheContextSize(t *testing.T) {
	for _, tc := range []struct {
		setting, props int
		want           string
	}{{0, 0, llm.PromptFull}, {2048, 0, llm.PromptCompact}, {0, 2048, llm.PromptCompact}, {0, 32768, llm.PromptFull}, {32768, 2048, llm.PromptFull}} {
		f := fake(t, fakeopenai.Ranker(0))
		f.SetContextSize(tc.props)
		r := newRanker(t, f, nil, llm.Options{ContextTokens: tc.setting}, 0)
		if got := r.Style(context.Background()); got != tc.want {
			t.Errorf("LLM_CONTEXT %d, n_ctx %d: %s, want %s", tc.setting, tc.props, got, tc.want)
		}
	}
}

// A question in another language becomes an English search query, asked
// once and then cached; a model that answers no query fails it.
func TestTranslate(t *testing.T) {
	f := fake(t, func(_ int, req fakeopenai.Request) fakeopenai.Answer {
		if strings.Contains(req.User(), "pintar") {
			return fakeopenai.Answer{Content: `{"query": "learn painting"}`}
		}
		return fakeopenai.Answer{Content: `I cannot help.`}
	})
	r := newRanker(t, f, llm.NewMemoryCache(10, time.Hour), llm.Options{}, 0)
	for range 2 {
		q, err := r.Translate(context.Background(), "Quiero aprender a pintar")
		if err != nil || q != "learn painting" {
			t.Fatalf("%q, %v", q, err)
		}
	}
	if f.Calls() != 1 {
		t.Errorf("%d calls for one question asked twice", f.Calls())
	}
	if f.Last().MaxTokens == 0 || f.Last().MaxTokens > 100 {
		t.Errorf("translation max_tokens %d", f.Last().MaxTokens)
	}
	if q, err := r.Translate(context.Background(), "bonjour"); err == nil {
		t.Errorf("no JSON read as %q", q)
	}
	// A question given back as it came is no translation.
	f.SetReply(func(int, fakeopenai.Request) fakeopenai.Answer {
		return fakeopenai.Answer{Content: `{"query": "Ich möchte  Aquarellmalerei lernen"}`}
	})
	if q, err := r.Translate(context.Background(), "ich möchte Aquarellmalerei lernen"); !errors.Is(err, llm.ErrUntranslated) {
		t.Errorf("the question given back read as %q, %v", q, err)
	}
	if r.Stats.Invalid.Load() != 1 {
		t.Errorf("invalid answers counted %d", r.Stats.Invalid.Load())
	}
}
