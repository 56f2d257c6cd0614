package openai_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/openai"
)

// fakeEmbeddings speaks the OpenAI /embeddings protocol. Each text's vector is
// [len(text), 1] before normalisation; data comes back in reverse order, as
// the protocol allows.
type fakeEmbeddings struct {
	calls   atomic.Int32
	failFor int32  // answer 500 to the first failFor calls
	status  int    // answer this status to every call
	body    string // answer this raw body to every call
	short   bool   // return one vector too few
}

func (f *fakeEmbeddings) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := f.calls.Add(1)
	if r.URL.Path != "/v1/embeddings" || r.Method != http.MethodPost {
		http.Error(w, `{"error":{"message":"not found"}}`, http.StatusNotFound)
		return
	}
	if r.Header.Get("Authorization") != "Bearer test-key" {
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}}`))
		return
	}
	if f.status != 0 {
		w.WriteHeader(f.status)
		w.Write([]byte(`{"error":{"message":"boom"}}`))
		return
	}
	if n <= f.failFor {
		w.Header().Set("retry-after-ms", "10")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(`{"error":{"message":"overloaded"}}`))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if f.body != "" {
		w.Write([]byte(f.body))
		return
	}
	var req struct {
		Input []string `json:"input"`
		Model string   `json:"model"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Model != "test-model" {
		http.Error(w, `{"error":{"message":"bad request"}}`, http.StatusBadRequest)
		return
	}
	type item struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float64 `json:"embedding"`
	}
	var data []item
	for i := len(req.Input) - 1; i >= 0; i-- {
		if f.short && i == 0 {
			continue
		}
		data = append(data, item{"embedding", i, []float64{float64(len(req.Input[i])), 1}})
	}
	json.NewEncoder(w).Encode(map[string]any{"object": "list", "model": req.Model, "data": data,
		"usage": map[string]int{"prompt_tokens": 3, "total_tokens": 3}})
}

func newEmbedder(t *testing.T, f *fakeEmbeddings, key string) *openai.Embedder {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	e, err := openai.NewEmbedder(openai.EmbedderConfig{BaseURL: srv.URL + "/v1", APIKey: key, Model: "test-model", Timeout: 5 * time.Second, Retries: 2})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEmbedReturnsVectorsInInputOrder(t *testing.T) {
	f := &fakeEmbeddings{}
	e := newEmbedder(t, f, "test-key")
	vecs, err := e.Embed(context.Background(), []string{"a", "abc", ""})
	if err != nil {
		t.Fatal(err)
	}
	// [1,1], [3,1] and [1,1] (the empty text is sent as one space), normalised.
	if len(vecs) != 3 || vecs[0][0] != vecs[0][1] || vecs[1][0] <= vecs[1][1] || vecs[2][0] != vecs[2][1] {
		t.Errorf("vectors out of order or not normalised: %v", vecs)
	}
	var norm float32
	for _, x := range vecs[1] {
		norm += x * x
	}
	if norm < 0.9999 || norm > 1.0001 {
		t.Errorf("norm %v, want 1", norm)
	}
	if !strings.Contains(e.Name(), "test-model") {
		t.Errorf("Name %q does not identify the model", e.Name())
	}
}

func TestEmbedRetriesServerErrors(t *testing.T) {
	f := &fakeEmbeddings{failFor: 2}
	e := newEmbedder(t, f, "test-key")
	if _, err := e.Embed(context.Background(), []string{"x"}); err != nil {
		t.Fatalf("two 500s then success must succeed with 2 retries: %v", err)
	}
	if got := f.calls.Load(); got != 3 {
		t.Errorf("%d calls, want 3", got)
	}
}

func TestEmbedFailuresAreUnavailableErrors(t *testing.T) {
	cases := map[string]struct {
		f   *fakeEmbeddings
		key string
	}{
		"wrong key":        {&fakeEmbeddings{}, "wrong"},
		"persistent 503":   {&fakeEmbeddings{status: http.StatusServiceUnavailable}, "test-key"},
		"malformed JSON":   {&fakeEmbeddings{body: `{"data": [`}, "test-key"},
		"missing a vector": {&fakeEmbeddings{short: true}, "test-key"},
		"index out of range": {&fakeEmbeddings{body: `{"object":"list","data":[{"object":"embedding","index":7,"embedding":[1]}]}`},
			"test-key"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEmbedder(t, c.f, c.key)
			vecs, err := e.Embed(context.Background(), []string{"x", "y"})
			if err == nil {
				t.Fatalf("got vectors %v, want an error", vecs)
			}
			if vrrec.ErrorCode(err) != vrrec.EUNAVAILABLE {
				t.Errorf("code %q, want %q: %v", vrrec.ErrorCode(err), vrrec.EUNAVAILABLE, err)
			}
			if strings.Contains(err.Error(), "test-key") {
				t.Error("the error leaks the API key")
			}
		})
	}
}

func TestEmbedHonoursContextCancellation(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	e, _ := openai.NewEmbedder(openai.EmbedderConfig{BaseURL: srv.URL, Model: "m", Timeout: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := e.Embed(ctx, []string{"x"}); err == nil {
		t.Fatal("want an error from a cancelled context")
	}
	if time.Since(start) > 10*time.Second {
		t.Error("cancellation did not stop the request")
	}
}

func TestNewEmbedderNeedsURLAndModel(t *testing.T) {
	if _, err := openai.NewEmbedder(openai.EmbedderConfig{Model: "m"}); vrrec.ErrorCode(err) != vrrec.EINVALID {
		t.Errorf("missing base URL: %v", err)
	}
}

// EmbedderConfig.Timeout bounds the whole call: a server that fails slowly
// is not retried past it (the SDK's own timeout is per attempt, which let
// three slow attempts and their backoff hold a chat for minutes).
func TestEmbedTimeoutCoversRetries(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		select {
		case <-time.After(700 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Retry-After", "0")
		http.Error(w, `{"error": {"message": "overloaded"}}`, http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	e, _ := openai.NewEmbedder(openai.EmbedderConfig{BaseURL: srv.URL, Model: "m", Timeout: time.Second, Retries: 5})
	start := time.Now()
	if _, err := e.Embed(context.Background(), []string{"x"}); err == nil {
		t.Fatal("want an error from a server that keeps failing")
	}
	if d := time.Since(start); d > 3*time.Second || calls.Load() > 2 {
		t.Errorf("took %s and %d attempts with a 1 s timeout: the timeout does not cover the retries", d, calls.Load())
	}
}
