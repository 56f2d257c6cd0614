package main

import (
	"encoding/json"
	"hash/fnv"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// hungEmbeddings speaks the OpenAI /embeddings protocol, but accepts each
// request and answers none until released (as a server that is down behind
// a proxy that keeps connections open); then it answers with a hashed
// bag of words per text.
type hungEmbeddings struct {
	once    sync.Once
	release chan struct{}
	calls   atomic.Int32
}

func (h *hungEmbeddings) open() { h.once.Do(func() { close(h.release) }) }

func (h *hungEmbeddings) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.calls.Add(1)
	if r.URL.Path != "/v1/embeddings" {
		http.NotFound(w, r)
		return
	}
	select {
	case <-h.release:
	case <-r.Context().Done():
		return
	}
	var req struct {
		Input []string `json:"input"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, `{"error":{"message":"bad request"}}`, http.StatusBadRequest)
		return
	}
	type datum struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float64 `json:"embedding"`
	}
	out := struct {
		Object string  `json:"object"`
		Data   []datum `json:"data"`
		Model  string  `json:"model"`
		Usage  any     `json:"usage"`
	}{Object: "list", Model: "hashed-words", Usage: map[string]int{"prompt_tokens": 1, "total_tokens": 1}}
	for i, text := range req.Input {
		v := make([]float64, 64)
		v[0] = 0.01
		for _, w := range strings.Fields(strings.ToLower(text)) {
			f := fnv.New32a()
			io.WriteString(f, w)
			v[f.Sum32()%64]++
		}
		out.Data = append(out.Data, datum{Object: "embedding", Index: i, Embedding: v})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

// With an embeddings server that accepts connections and never answers,
// serve listens at once on the embedded catalog (the built-in model's
// vectors of it ship in the binary), says every few seconds what it waits
// for, tries again after the embeddings call times out, and swaps the
// configured model in once the server answers (issue #25).
func TestServeStartsAtOnceWithAHungEmbeddingsServer(t *testing.T) {
	hung := &hungEmbeddings{release: make(chan struct{})}
	srv := httptest.NewServer(hung)
	defer srv.Close()
	defer hung.open()
	start := time.Now()
	m, base, logs := startServe(t, map[string]string{
		"EMBEDDER": "openai", "EMBEDDING_BASE_URL": srv.URL + "/v1", "EMBEDDING_MODEL": "hashed-words",
		"EMBEDDING_API_KEY": "test-key", "EMBEDDING_TIMEOUT": "2s",
	}, func(m *Main) { m.WaitLog = 200 * time.Millisecond; m.CatalogPoll = 300 * time.Millisecond })
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("ready after %s: the start waited for the embeddings server", took)
	}
	chat := func() {
		t.Helper()
		res, err := http.Post(base+"/chat", "application/json", strings.NewReader(`{"message":"I study anatomy"}`))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body struct {
			Apps []struct {
				AppID string `json:"app_id"`
			} `json:"apps"`
		}
		if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != 200 || len(body.Apps) == 0 {
			t.Fatalf("chat: %d, %v, %d apps", res.StatusCode, err, len(body.Apps))
		}
	}
	chat()
	if name := m.live.Current().Engine.EmbedderName(); strings.HasPrefix(name, "openai:") {
		t.Fatalf("serving with %s before the embeddings server answered", name)
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within a minute; logs:\n%s", what, logs)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitFor("the log says what the start waits for", func() bool {
		return strings.Contains(logs.String(), "waiting for the catalog's vectors from the configured model")
	})
	waitFor("a failed load is said and retried", func() bool {
		return strings.Contains(logs.String(), "catalog not loaded; the watcher tries again")
	})
	hung.open()
	waitFor("the configured model swapped in", func() bool {
		return strings.HasPrefix(m.live.Current().Engine.EmbedderName(), "openai:")
	})
	before := hung.calls.Load()
	chat()
	if hung.calls.Load() == before {
		t.Error("after the swap the question was not embedded by the configured embeddings server")
	}
	if strings.Contains(logs.String(), `"waited":`) && !strings.Contains(logs.String(), `"waited":"`) {
		t.Errorf("the time waited is not logged as text:\n%s", logs)
	}
}
