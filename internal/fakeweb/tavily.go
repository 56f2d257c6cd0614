package fakeweb

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
)

// TavilyKey is the API key the Tavily fake accepts.
const TavilyKey = "tvly-test-key"

// Result is one search result.
type Result struct {
	Title   string  `json:"title"`
	URL     string  `json:"url"`
	Content string  `json:"content"`
	Score   float64 `json:"score"`
}

// Results is how the Tavily fake answers one search.
type Results struct {
	Reply
	Results []Result
}

// Tavily speaks Tavily's search API: POST /search with {"query",
// "max_results", ...}, the key as "Authorization: Bearer tvly-..." or, as
// older clients send it, "api_key" in the body; answered with {"query",
// "results": [{"title", "url", "content", "score", "raw_content"}],
// "response_time"} or {"detail": {"error"}} (401 for a wrong key).
type Tavily struct {
	URL string
	srv *httptest.Server
	mu  sync.Mutex
	// Search decides each answer; n counts searches from 1.
	Search func(n int, query string) Results
	asked  []string
}

// StartTavily runs the fake until Close.
func StartTavily(search func(n int, query string) Results) *Tavily {
	s := &Tavily{Search: search}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Tavily) Close() { s.srv.Close() }

// Queries returns the queries searched with the right key, in order.
func (s *Tavily) Queries() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.asked...)
}

func (s *Tavily) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/search" {
		tavilyError(w, http.StatusNotFound, "Not Found")
		return
	}
	var req struct {
		Query      string `json:"query"`
		APIKey     string `json:"api_key"`
		MaxResults int    `json:"max_results"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		tavilyError(w, http.StatusBadRequest, "Invalid JSON body")
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+TavilyKey && req.APIKey != TavilyKey {
		tavilyError(w, http.StatusUnauthorized, "Unauthorized: missing or invalid API key.")
		return
	}
	if req.Query == "" {
		tavilyError(w, http.StatusBadRequest, "Query is missing.")
		return
	}
	s.mu.Lock()
	s.asked = append(s.asked, req.Query)
	n := len(s.asked)
	s.mu.Unlock()
	a := s.Search(n, req.Query)
	if a.send(w, r, tavilyError) {
		return
	}
	results := a.Results
	if req.MaxResults > 0 && len(results) > req.MaxResults {
		results = results[:req.MaxResults]
	}
	type result struct {
		Result
		RawContent *string `json:"raw_content"`
	}
	out := make([]result, len(results))
	for i, r := range results {
		out[i] = result{Result: r}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"query": req.Query, "follow_up_questions": nil, "answer": nil,
		"images": []string{}, "results": out, "response_time": 0.42})
}

func tavilyError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"detail": map[string]string{"error": msg}})
}
