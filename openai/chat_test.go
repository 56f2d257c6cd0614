package openai_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/vrrec/vrrec/internal/fakeopenai"
	"github.com/vrrec/vrrec/openai"
)

var schema = json.RawMessage(`{"type":"object","properties":{"x":{"type":"string"}},"required":["x"]}`)

func newChat(t *testing.T, f *fakeopenai.Server, mode string) *openai.Chat {
	t.Helper()
	c, err := openai.NewChat(openai.ChatConfig{BaseURL: f.URL, Model: "m", Retries: -1, JSONMode: mode})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func startFake(t *testing.T, reply func(int, fakeopenai.Request) fakeopenai.Answer) *fakeopenai.Server {
	t.Helper()
	f := fakeopenai.Start(reply)
	t.Cleanup(f.Close)
	return f
}

func answer(content string) func(int, fakeopenai.Request) fakeopenai.Answer {
	return func(int, fakeopenai.Request) fakeopenai.Answer { return fakeopenai.Answer{Content: content} }
}

// Each mode sends its response_format with the schema and the bound on the
// answer's tokens.
func TestCompleteJSONSendsTheModesResponseFormat(t *testing.T) {
	f := startFake(t, answer(`{"x":"y"}`))
	for _, tc := range []struct{ mode, typ string }{{openai.JSONSchema, "json_schema"}, {openai.JSONObject, "json_object"}, {openai.JSONNone, ""}} {
		text, _, _, err := newChat(t, f, tc.mode).CompleteJSON(context.Background(), "s", "u", schema, 77, nil)
		if err != nil || text != `{"x":"y"}` {
			t.Fatalf("%s: %q, %v", tc.mode, text, err)
		}
		req := f.Last()
		rf := req.ResponseFormat
		got := string(rf.Schema)
		if tc.mode == openai.JSONSchema {
			got = string(rf.JSONSchema.Schema)
		}
		if rf.Type != tc.typ || req.MaxTokens != 77 || (tc.typ != "" && got != string(schema)) || (tc.typ == "" && got != "") {
			t.Errorf("%s: sent response_format %+v, max_tokens %d", tc.mode, rf, req.MaxTokens)
		}
	}
	if _, err := openai.NewChat(openai.ChatConfig{BaseURL: f.URL, Model: "m", JSONMode: "xml"}); err == nil {
		t.Error("an unknown JSON mode was accepted")
	}
}

// auto probes once: a server that refuses json_schema, with 422 as
// llama.cpp's does or with 500 as llama-cpp-python 0.3.36's does, gets
// json_object with the schema, and the probe is not repeated.
func TestJSONModeAutoProbesOnceAndFallsBackToJSONObject(t *testing.T) {
	for _, status := range []int{http.StatusUnprocessableEntity, http.StatusInternalServerError} {
		f := startFake(t, answer(`{"ok":true}`))
		f.RefuseJSONSchema(status)
		c := newChat(t, f, openai.JSONAuto)
		if _, _, _, err := c.CompleteJSON(context.Background(), "s", "u", schema, 10, nil); err != nil {
			t.Fatal(err)
		}
		if got := f.Last().ResponseFormat.Type; got != "json_object" {
			t.Errorf("after a %d on json_schema the call sent %q", status, got)
		}
		calls := f.Calls() // the probe's json_object request and the call
		for range 3 {
			if mode := c.JSONMode(context.Background()); mode != openai.JSONObject {
				t.Fatalf("mode %q", mode)
			}
		}
		if calls != 2 || f.Calls() != 2 {
			t.Errorf("probe repeated: %d calls, then %d", calls, f.Calls())
		}
	}

	// A server that takes json_schema keeps it.
	ok := startFake(t, answer(`{"ok":true}`))
	if mode := newChat(t, ok, openai.JSONAuto).JSONMode(context.Background()); mode != openai.JSONSchema {
		t.Errorf("a server accepting json_schema got %q", mode)
	}
}

// A server that refuses both formats gets plain JSON asked in the prompt; one
// failing or unreachable is probed again next time.
func TestJSONModeAutoFallsBackToNone(t *testing.T) {
	f := startFake(t, func(_ int, req fakeopenai.Request) fakeopenai.Answer {
		if req.ResponseFormat.Type != "" {
			return fakeopenai.Answer{Status: http.StatusBadRequest}
		}
		return fakeopenai.Answer{Content: `{"x":"y"}`}
	})
	c := newChat(t, f, openai.JSONAuto)
	if _, _, _, err := c.CompleteJSON(context.Background(), "s", "u", schema, 10, nil); err != nil {
		t.Fatal(err)
	}
	if rf := f.Last().ResponseFormat; rf.Type != "" {
		t.Errorf("sent %+v to a server that refuses both formats", rf)
	}

	// Failing (503 to both): json_object for now, the better guess after
	// an error status; nothing remembered.
	down := startFake(t, func(int, fakeopenai.Request) fakeopenai.Answer {
		return fakeopenai.Answer{Status: http.StatusServiceUnavailable}
	})
	c = newChat(t, down, openai.JSONAuto)
	if mode := c.JSONMode(context.Background()); mode != openai.JSONObject {
		t.Errorf("failing: %q", mode)
	}
	down.SetReply(answer(`{"ok":true}`))
	if mode := c.JSONMode(context.Background()); mode != openai.JSONSchema {
		t.Errorf("after the server came back: %q (the failed probe was remembered)", mode)
	}

	// Not answering at all: plain JSON for now, nothing remembered.
	gone := startFake(t, answer(`{"ok":true}`))
	c = newChat(t, gone, openai.JSONAuto)
	gone.Close()
	if mode := c.JSONMode(context.Background()); mode != openai.JSONNone {
		t.Errorf("unreachable: %q", mode)
	}
}

func TestContextSizeReadsLlamaCppProps(t *testing.T) {
	f := startFake(t, answer(""))
	c := newChat(t, f, "")
	if n := c.ContextSize(context.Background()); n != 0 {
		t.Errorf("a server without /props: %d", n)
	}
	f.SetContextSize(2048)
	if n := c.ContextSize(context.Background()); n != 2048 {
		t.Errorf("n_ctx 2048 read as %d", n)
	}
}
