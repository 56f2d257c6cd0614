package llm_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/llm"
	"github.com/vrrec/vrrec/openai"
	"github.com/vrrec/vrrec/rag"
)

// promptOnly is a model asked for one token: the server still reads the
// whole prompt and counts it, so a ranker over it measures prompt tokens
// without waiting for an answer.
type promptOnly struct{ *openai.Chat }

func (p promptOnly) CompleteJSON(ctx context.Context, system, user string, schema json.RawMessage, _ int, onToken func(string)) (string, int64, int64, error) {
	return p.Chat.CompleteJSON(ctx, system, user, schema, 1, onToken)
}

// TestRealLocalServer runs vrrec's LLM client and ranker against a real
// OpenAI-compatible server: llama-cpp-python serving Gemma 3 270M on 2
// threads with a 2048-token context (tools/llama/fetch.sh;
// scripts/test.sh exports where it is). Garbage and slow answers are the
// fakes' part (TestRerankFallsBack); progressive answers are /chat/stream's.
func TestRealLocalServer(t *testing.T) {
	base := testenv.LlamaServer(t)
	ctx := context.Background()
	newChat := func(mode string) *openai.Chat {
		c, err := openai.NewChat(openai.ChatConfig{BaseURL: base, Model: "gemma-3-270m", Retries: -1, JSONMode: mode, AttemptTimeout: time.Minute})
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

	t.Run("streaming reports usage", func(t *testing.T) {
		var pieces []string
		text, in, out, err := plain.CompleteJSON(ctx, "You are terse.", "Count from one to five.", nil, 16, func(s string) { pieces = append(pieces, s) })
		if err != nil || len(pieces) < 2 || strings.Join(pieces, "") != text {
			t.Fatalf("%q in %d pieces, %v", text, len(pieces), err)
		}
		if in == 0 || out == 0 {
			t.Errorf("no usage in the stream: %d/%d tokens", in, out)
		}
	})

	eng := testenv.DefaultEngine(t)
	found, err := eng.Find(ctx, rag.Request{Query: "I want to learn human anatomy", TopK: rag.Candidates})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("json_object with a schema parses", func(t *testing.T) {
		model := newChat(openai.JSONAuto)
		// llama-cpp-python refuses json_schema with 422 and takes
		// json_object with a schema.
		if mode := model.JSONMode(ctx); mode != openai.JSONObject {
			t.Fatalf("JSON mode %q, want json_object", mode)
		}
		r := llm.New(model, nil, llm.Options{ContextTokens: testenv.LlamaContext, Timeout: time.Minute}, nil)
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
		for _, style := range []string{llm.PromptFull, llm.PromptCompact} {
			r := llm.New(promptOnly{newChat(openai.JSONObject)}, nil, llm.Options{Prompt: style, Timeout: time.Minute}, nil)
			r.Rerank(ctx, found, nil)
			in := r.Stats.PromptTokens.Load()
			t.Logf("%s prompt, %d candidates: %d prompt tokens", style, len(found.Apps), in)
			if in == 0 || in >= testenv.LlamaContext {
				t.Errorf("%s prompt: %d tokens", style, in)
			}
		}
	})
}
