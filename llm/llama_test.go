package llm_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/llm"
	"github.com/vrrec/vrrec/openai"
	"github.com/vrrec/vrrec/rag"
)

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
		r := llm.New(model, nil, llm.Options{ContextTokens: testenv.LlamaContext, Timeout: 90 * time.Second}, nil)
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
}
