package llm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/llm"
	"github.com/vrrec/vrrec/openai"
	"github.com/vrrec/vrrec/rag"
)

// capture is a model that only notes the prompt it is given.
type capture struct {
	system, user string
	maxTokens    int
}

func (c *capture) CompleteJSON(_ context.Context, system, user string, _ json.RawMessage, maxTokens int, _ func(string)) (string, int64, int64, error) {
	c.system, c.user, c.maxTokens = system, user, maxTokens
	return "", 0, 0, errors.New("captured, not sent")
}

func (c *capture) Model() string { return "capture" }

// tokens counts text's tokens with the local server's tokenizer
// (llama-cpp-python's POST /extras/tokenize/count).
func tokens(t *testing.T, base, text string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"input": text})
	res, err := http.Post(strings.TrimSuffix(base, "/v1")+"/extras/tokenize/count", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Count int `json:"count"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || out.Count == 0 {
		t.Fatalf("tokenize: status %d, %v", res.StatusCode, err)
	}
	return out.Count
}

// TestRealLocalServer runs vrrec's LLM client and ranker against a real
// OpenAI-compatible server: llama-cpp-python serving Gemma 3 270M on 2
// threads with a 2048-token context (tools/llama/fetch.sh;
// scripts/test.sh exports where it is). A call may take 2 minutes: the
// whole test took 26 s on 2 cores at load average 9, and 80 to 100 s at 16
// to 23 (the machine shared with other builds). Garbage and slow answers
// are the
// fakes' part (TestRerankFallsBack); progressive answers are /chat/stream's.
func TestRealLocalServer(t *testing.T) {
	base := testenv.LlamaServer(t)
	ctx := context.Background()
	newChat := func(mode string) *openai.Chat {
		c, err := openai.NewChat(openai.ChatConfig{BaseURL: base, Model: "gemma-3-270m", Retries: -1, JSONMode: mode, AttemptTimeout: 2 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	plain := newChat(openai.JSONNone)

	t.Run("a chat completes", func(t *testing.T) {
		text, in, out, err := plain.CompleteJSON(ctx, "You are terse.", "Say hello.", nil, 16, nil)
		if err != nil || strings.TrimSpace(text) == "" || in == 0 || out == 0 || out > 16 {
			t.Fatalf("%q, %d/%d tokens, %v", text, in, out, err)
		}
	})

	t.Run("a stream arrives in pieces", func(t *testing.T) {
		var pieces []string
		text, in, out, err := plain.CompleteJSON(ctx, "You are terse.", "Count from one to five.", nil, 16, func(s string) { pieces = append(pieces, s) })
		if err != nil || len(pieces) < 2 || strings.Join(pieces, "") != text {
			t.Fatalf("%q in %d pieces, %v", text, len(pieces), err)
		}
		// llama-cpp-python 0.3.36 ignores stream_options: its streams
		// carry no usage, so a streamed call counts no tokens
		// (docs/operations.md). A server that reports them must report
		// both.
		if (in == 0) != (out == 0) {
			t.Errorf("stream usage %d/%d tokens", in, out)
		}
		t.Logf("stream usage: %d prompt, %d completion tokens", in, out)
	})

	eng := testenv.DefaultEngine(t)
	found, err := eng.Find(ctx, rag.Request{Query: "I want to learn human anatomy", TopK: rag.Candidates})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("json_object with a schema parses", func(t *testing.T) {
		model := newChat(openai.JSONAuto)
		// llama-cpp-python refuses json_schema (with 500) and takes
		// json_object with a schema.
		if mode := model.JSONMode(ctx); mode != openai.JSONObject {
			t.Fatalf("JSON mode %q, want json_object", mode)
		}
		r := llm.New(model, nil, llm.Options{ContextTokens: testenv.LlamaContext, Timeout: 2 * time.Minute}, nil)
		if style := r.Style(ctx); style != llm.PromptCompact {
			t.Fatalf("prompt for a %d-token context: %s", testenv.LlamaContext, style)
		}
		res := *found
		res.Apps = res.Apps[:3]
		start := time.Now()
		out := r.Rerank(ctx, &res, nil)
		t.Logf("ranked 3 candidates in %s: %d prompt and %d completion tokens", time.Since(start).Round(time.Millisecond),
			r.Stats.PromptTokens.Load(), r.Stats.OutputTokens.Load())
		if out.ExplainedBy != vrrec.ExplainedByLLM || out.LLMFallback || r.Stats.Invalid.Load() != 0 {
			t.Fatalf("not a valid structured answer: %+v", out)
		}
		for _, a := range out.Apps {
			if !strings.Contains(res.Apps[0].AppID+res.Apps[1].AppID+res.Apps[2].AppID, a.AppID) {
				t.Errorf("answer names %q, not a candidate", a.AppID)
			}
		}
	})

	t.Run("prompt tokens per answer", func(t *testing.T) {
		// The prompts as sent, counted by the model's tokenizer (the
		// chat template adds a few tokens more; usage.prompt_tokens
		// counts them too).
		count := map[string]int{}
		for _, style := range []string{llm.PromptFull, llm.PromptCompact} {
			c := &capture{}
			llm.New(c, nil, llm.Options{Prompt: style}, nil).Rerank(ctx, found, nil)
			count[style] = tokens(t, base, c.system+"\n"+c.user)
			t.Logf("%s prompt, %d candidates found: %d tokens (system %d), max_tokens %d", style, len(found.Apps),
				count[style], tokens(t, base, c.system), c.maxTokens)
		}
		if count[llm.PromptCompact]*2 > count[llm.PromptFull] {
			t.Errorf("compact prompt %d tokens, full %d: want under half", count[llm.PromptCompact], count[llm.PromptFull])
		}
	})
}
