// Package fakeopenai is a local OpenAI-compatible chat-completions server for
// tests and load runs: the real wire format (JSON and streamed Server-Sent
// Events, error bodies, Retry-After), with answers, delays and failures
// chosen by the caller. It stands in for paid providers only.
package fakeopenai

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Request is what a client sent.
type Request struct {
	Model     string `json:"model"`
	Stream    bool   `json:"stream"`
	MaxTokens int    `json:"max_tokens"`
	// ResponseFormat is the requested answer format: Type "json_schema"
	// with JSONSchema.Schema, or "json_object" with Schema (llama.cpp).
	ResponseFormat struct {
		Type       string          `json:"type"`
		Schema     json.RawMessage `json:"schema"`
		JSONSchema struct {
			Name   string          `json:"name"`
			Schema json.RawMessage `json:"schema"`
		} `json:"json_schema"`
	} `json:"response_format"`
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
}

// User returns the content of the last user message.
func (r Request) User() string {
	for i := len(r.Messages) - 1; i >= 0; i-- {
		if r.Messages[i].Role == "user" {
			return r.Messages[i].Content
		}
	}
	return ""
}

// Answer is how the server replies to one call.
type Answer struct {
	Status  int           // HTTP status; 0 means 200
	Content string        // the assistant's text (for 200)
	Delay   time.Duration // wait before answering (cut short if the client goes away)
	Header  http.Header   // extra response headers, e.g. Retry-After
}

// Server is a running fake. Its reply func decides each answer; n counts
// calls from 1.
type Server struct {
	URL   string // base URL to give a client, ending in /v1
	reply func(n int, req Request) Answer

	srv           *httptest.Server
	calls         atomic.Int32
	refuseSchemas atomic.Int32 // the status answering json_schema, 0: accepted
	contextSize   atomic.Int32
	mu            sync.Mutex
	last          Request
}

// RefuseJSONSchema makes the fake answer a response_format of type
// json_schema with status before counting or replying, as llama.cpp's
// server does (422; llama-cpp-python 0.3.36's answers 500); json_object
// with a schema is still accepted.
func (s *Server) RefuseJSONSchema(status int) { s.refuseSchemas.Store(int32(status)) }

// Start runs a fake on a local port until Close.
func Start(reply func(n int, req Request) Answer) *Server {
	s := New(reply)
	s.srv = httptest.NewServer(s.Handler())
	s.URL = s.srv.URL + "/v1"
	return s
}

// New returns a fake to serve with Handler on an address of one's choosing.
func New(reply func(n int, req Request) Answer) *Server { return &Server{reply: reply} }

// SetReply changes how the fake answers from the next request on; requests
// in flight may still be answered by the one before.
func (s *Server) SetReply(reply func(n int, req Request) Answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reply = reply
}

// Handler answers the OpenAI chat-completions API under /v1.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serve) }

// Close stops a server made by Start.
func (s *Server) Close() {
	if s.srv != nil {
		s.srv.Close()
	}
}

// Calls returns how many chat completions were requested.
func (s *Server) Calls() int { return int(s.calls.Load()) }

// Last returns the latest request.
func (s *Server) Last() Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// SetContextSize makes the fake tell a context of n tokens at GET /props,
// as llama.cpp's server does (0, the default: no /props).
func (s *Server) SetContextSize(n int) { s.contextSize.Store(int32(n)) }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if n := s.contextSize.Load(); n > 0 && r.Method == http.MethodGet && r.URL.Path == "/props" {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"default_generation_settings":{"n_ctx":%d},"total_slots":1}`, n)
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	var req Request
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "bad request: "+err.Error())
		return
	}
	if status := int(s.refuseSchemas.Load()); status != 0 && req.ResponseFormat.Type == "json_schema" {
		writeError(w, status, "response_format.type: Input should be 'text' or 'json_object'")
		return
	}
	n := int(s.calls.Add(1))
	s.mu.Lock()
	s.last = req
	reply := s.reply
	s.mu.Unlock()
	a := reply(n, req)
	if a.Delay > 0 {
		select {
		case <-time.After(a.Delay):
		case <-r.Context().Done():
			return
		}
	}
	for k, v := range a.Header {
		w.Header()[k] = v
	}
	if a.Status != 0 && a.Status != http.StatusOK {
		writeError(w, a.Status, http.StatusText(a.Status))
		return
	}
	usage := map[string]int{"prompt_tokens": len(req.User()) / 4, "completion_tokens": len(a.Content) / 4}
	usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
	if !req.Stream {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"id": fmt.Sprintf("chatcmpl-%d", n), "object": "chat.completion", "created": time.Now().Unix(), "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": a.Content}}},
			"usage": usage,
		})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	flusher, _ := w.(http.Flusher)
	chunk := func(v any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "data: %s\n\n", b)
		if flusher != nil {
			flusher.Flush()
		}
	}
	base := map[string]any{"id": fmt.Sprintf("chatcmpl-%d", n), "object": "chat.completion.chunk", "created": time.Now().Unix(), "model": req.Model}
	for _, piece := range pieces(a.Content, 8) {
		c := clone(base)
		c["choices"] = []any{map[string]any{"index": 0, "delta": map[string]any{"content": piece}, "finish_reason": nil}}
		chunk(c)
	}
	end := clone(base)
	end["choices"] = []any{map[string]any{"index": 0, "delta": map[string]any{}, "finish_reason": "stop"}}
	chunk(end)
	u := clone(base)
	u["choices"], u["usage"] = []any{}, usage
	chunk(u)
	fmt.Fprint(w, "data: [DONE]\n\n")
}

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+2)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// pieces splits s into about n parts, as a model streams tokens.
func pieces(s string, n int) []string {
	if s == "" {
		return nil
	}
	size := max(1, (len(s)+n-1)/n)
	var out []string
	for len(s) > 0 {
		k := min(size, len(s))
		for k < len(s) && !isBoundary(s, k) {
			k++ // keep UTF-8 sequences whole
		}
		out = append(out, s[:k])
		s = s[k:]
	}
	return out
}

func isBoundary(s string, i int) bool { return s[i]&0xC0 != 0x80 }

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"message":%q,"type":"%s","code":%d}}`, msg, strings.ReplaceAll(strings.ToLower(http.StatusText(status)), " ", "_"), status)
}

// Ranker answers like a well-behaved model asked by vrrec's llm package: it
// reads the candidate apps from the user message (JSON with "apps", each
// an "app_id" and "name", or in the compact prompt an "id" and "app") and
// ranks them in reverse order, each with a reason, after delay.
func Ranker(delay time.Duration) func(n int, req Request) Answer {
	return func(n int, req Request) Answer {
		var in struct {
			Query    string `json:"query"`
			Question string `json:"question"` // a translation
			Apps     []struct {
				AppID string `json:"app_id"`
				Name  string `json:"name"`
				ID    string `json:"id"`
				App   string `json:"app"`
			} `json:"apps"`
		}
		if err := json.Unmarshal([]byte(req.User()), &in); err != nil {
			return Answer{Content: "I could not read the request.", Delay: delay}
		}
		if in.Question != "" {
			// No translation here: the question as it came, which vrrec
			// then reads as it would without a model (llm.ErrUntranslated).
			b, _ := json.Marshal(map[string]string{"query": in.Question})
			return Answer{Content: string(b), Delay: delay}
		}
		ids := make([]string, 0, len(in.Apps))
		names := make([]string, 0, len(in.Apps))
		for i := len(in.Apps) - 1; i >= 0; i-- {
			a := in.Apps[i]
			if a.ID != "" {
				name, _, _ := strings.Cut(a.App, ":")
				a.AppID, a.Name = a.ID, name
			}
			ids, names = append(ids, a.AppID), append(names, a.Name)
		}
		b := RankingAnswer("You want to learn about "+in.Query+".", ids, func(i int) string { return "Model reason <b>for</b> " + names[i] + "." })
		return Answer{Content: b, Delay: delay}
	}
}

// RankingAnswer is a model's answer as vrrec's llm package asks for it: the
// understanding, then each app id in order with reason(i) for the i-th.
func RankingAnswer(understanding string, ids []string, reason func(i int) string) string {
	type entry struct {
		AppID     string `json:"app_id"`
		Reasoning string `json:"reasoning"`
	}
	out := struct {
		Understanding string  `json:"understanding"`
		Ranking       []entry `json:"ranking"`
	}{Understanding: understanding}
	for i, id := range ids {
		out.Ranking = append(out.Ranking, entry{id, reason(i)})
	}
	b, _ := json.Marshal(out)
	return string(b)
}
