// Package tavily searches the web through Tavily's search API
// (https://docs.tavily.com/documentation/api-reference/endpoint/search):
// POST {base}/search with {"query", "max_results", "search_depth", ...} and
// "Authorization: Bearer tvly-...", answered by {"query", "results":
// [{"title", "url", "content", "score", "raw_content"}], "response_time"};
// failures carry {"detail": {"error": "..."}} with HTTP 400, 401, 429 (rate
// limit), 432 (plan limit), 433 (pay-as-you-go limit) or 5xx, as the
// official client tavily-python (tavily/tavily.py) reads them.
package tavily

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/vrrec/vrrec/internal/httpcall"
	"github.com/vrrec/vrrec/sources"
)

// DefaultBaseURL is Tavily's API.
const DefaultBaseURL = "https://api.tavily.com"

// Client searches with an API key.
type Client struct {
	BaseURL string // default DefaultBaseURL
	APIKey  string
	HTTP    *http.Client // default http.DefaultClient
	// Timeout bounds one search; default 60s.
	Timeout time.Duration
	// MaxResults per search; default 8 (Tavily allows up to 20).
	MaxResults int
}

const maxAnswer = 8 << 20

// Search runs one query. Errors say what staff can do: a refused key, the
// rate or plan limit reached (with the wait Tavily asked for), a timeout,
// or an answer that is not Tavily's JSON.
// It implements sources.Searcher: each hit is a page's title, address and
// the passage of it that matched ("content").
func (c *Client) Search(ctx context.Context, query string) ([]sources.Hit, error) {
	base := strings.TrimSuffix(cmp.Or(c.BaseURL, DefaultBaseURL), "/")
	ans, err := httpcall.PostJSON(ctx, c.HTTP, base+"/search", c.APIKey, map[string]any{"query": query, "max_results": cmp.Or(c.MaxResults, 8),
		"search_depth": "basic", "include_answer": false, "include_raw_content": false},
		cmp.Or(c.Timeout, 60*time.Second), maxAnswer, fmt.Sprintf("Tavily (searching %q)", query))
	if err != nil {
		return nil, err
	}
	if ans.Status != http.StatusOK {
		return nil, statusError(ans, query)
	}
	var out struct {
		Results *[]struct {
			Title   string `json:"title"`
			URL     string `json:"url"`
			Content string `json:"content"`
		} `json:"results"`
	}
	if err := json.Unmarshal(ans.Body, &out); err != nil || out.Results == nil {
		return nil, fmt.Errorf("Tavily answered %q with something that is not its JSON: %s", query, httpcall.Snippet(ans.Body))
	}
	hits := make([]sources.Hit, len(*out.Results))
	for i, r := range *out.Results {
		hits[i] = sources.Hit{Title: r.Title, URL: r.URL, Content: r.Content}
	}
	return hits, nil
}

func statusError(ans *httpcall.Answer, query string) error {
	var body struct {
		Detail struct {
			Error string `json:"error"`
		} `json:"detail"`
	}
	detail := ""
	if json.Unmarshal(ans.Body, &body) == nil && body.Detail.Error != "" {
		detail = ": " + body.Detail.Error
	}
	switch ans.Status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Errorf("Tavily refused the API key (HTTP %d%s): check TAVILY_API_KEY on the configuration page", ans.Status, detail)
	case http.StatusTooManyRequests:
		return fmt.Errorf("Tavily's rate limit was reached (HTTP 429%s): start the job again %s", detail, httpcall.Wait(ans.Header))
	case 432, 433:
		return fmt.Errorf("Tavily's usage limit for this key was reached (HTTP %d%s)", ans.Status, detail)
	}
	return fmt.Errorf("Tavily failed on %q (HTTP %d%s)", query, ans.Status, detail)
}
