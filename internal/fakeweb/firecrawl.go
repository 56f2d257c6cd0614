package fakeweb

import (
	"cmp"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
)

// FirecrawlKey is the API key the Firecrawl fake accepts.
const FirecrawlKey = "fc-test-key"

// Page is how the Firecrawl fake answers one scrape: the page as markdown,
// or a failure.
type Page struct {
	Reply
	Markdown string
	// PageStatus is the status the scraped site answered (metadata
	// statusCode); 0 means 200.
	PageStatus int
}

// Firecrawl speaks Firecrawl's v1 scrape API: POST /v1/scrape with {"url",
// "formats": ["markdown"]} and "Authorization: Bearer <key>", answered with
// {"success": true, "data": {"markdown", "metadata"}} or
// {"success": false, "error"} (401 for a wrong key).
type Firecrawl struct {
	URL   string
	srv   *httptest.Server
	calls atomic.Int32
	// Scrape decides each answer; n counts scrapes from 1.
	Scrape func(n int, pageURL string) Page
}

// StartFirecrawl runs the fake until Close.
func StartFirecrawl(scrape func(n int, pageURL string) Page) *Firecrawl {
	s := &Firecrawl{Scrape: scrape}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Firecrawl) Close() { s.srv.Close() }

// Calls returns how many scrapes came with the right key.
func (s *Firecrawl) Calls() int { return int(s.calls.Load()) }

func (s *Firecrawl) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/scrape" {
		firecrawlError(w, http.StatusNotFound, "Not found")
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+FirecrawlKey {
		firecrawlError(w, http.StatusUnauthorized, "Unauthorized: Invalid token")
		return
	}
	var req struct {
		URL     string   `json:"url"`
		Formats []string `json:"formats"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.URL == "" {
		firecrawlError(w, http.StatusBadRequest, "Bad Request: url is required")
		return
	}
	if len(req.Formats) != 1 || req.Formats[0] != "markdown" {
		firecrawlError(w, http.StatusBadRequest, `Bad Request: this fake serves formats ["markdown"] only`)
		return
	}
	a := s.Scrape(int(s.calls.Add(1)), req.URL)
	if a.send(w, r, firecrawlError) {
		return
	}
	title, _, _ := strings.Cut(a.Markdown, "\n")
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"success": true, "data": map[string]any{
		"markdown": a.Markdown,
		"metadata": map[string]any{"title": strings.TrimLeft(title, "# "), "sourceURL": req.URL, "url": req.URL, "statusCode": cmp.Or(a.PageStatus, http.StatusOK)},
	}})
}

func firecrawlError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"success": false, "error": msg})
}
