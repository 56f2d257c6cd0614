// Package firecrawl reads web pages as markdown through Firecrawl's scrape
// API, v1 (https://docs.firecrawl.dev/api-reference/endpoint/scrape):
// POST {base}/v1/scrape with {"url", "formats": ["markdown"]} and
// "Authorization: Bearer fc-...", answered by
// {"success": true, "data": {"markdown", "metadata": {"statusCode", ...}}};
// failures are {"success": false, "error": "..."} with HTTP 400, 401, 402,
// 408, 429 or 5xx (https://docs.firecrawl.dev/api-reference/errors).
package firecrawl

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/vrrec/vrrec/internal/httpcall"
)

// DefaultBaseURL is Firecrawl's cloud API.
const DefaultBaseURL = "https://api.firecrawl.dev"

// Client scrapes pages with an API key.
type Client struct {
	BaseURL string // default DefaultBaseURL
	APIKey  string
	HTTP    *http.Client // default http.DefaultClient
	// Timeout bounds one scrape; default 90s (Firecrawl's own page
	// timeout is 30s; rendering and its queue come on top).
	Timeout time.Duration
}

// maxAnswer bounds one answer: a catalog page as markdown is far smaller.
const maxAnswer = 32 << 20

// Markdown returns the page at pageURL as markdown. Errors say what staff
// can do: a refused key, no credits left, the rate limit (with the wait
// Firecrawl asked for), a timeout, or an answer that is not Firecrawl's.
func (c *Client) Markdown(ctx context.Context, pageURL string) (string, error) {
	base := strings.TrimSuffix(cmp.Or(c.BaseURL, DefaultBaseURL), "/")
	ans, err := httpcall.PostJSON(ctx, c.HTTP, base+"/v1/scrape", c.APIKey, map[string]any{"url": pageURL, "formats": []string{"markdown"}},
		cmp.Or(c.Timeout, 90*time.Second), maxAnswer, "Firecrawl (scraping "+pageURL+")")
	if err != nil {
		return "", err
	}
	var out struct {
		Success *bool  `json:"success"`
		Error   string `json:"error"`
		Data    struct {
			Markdown string `json:"markdown"`
			Metadata struct {
				StatusCode int `json:"statusCode"`
			} `json:"metadata"`
		} `json:"data"`
	}
	jsonErr := json.Unmarshal(ans.Body, &out)
	if ans.Status != http.StatusOK {
		return "", statusError(ans, out.Error, pageURL)
	}
	if jsonErr != nil || out.Success == nil {
		return "", fmt.Errorf("Firecrawl answered %s with something that is not its JSON: %s", pageURL, httpcall.Snippet(ans.Body))
	}
	if !*out.Success {
		return "", fmt.Errorf("Firecrawl could not scrape %s: %s", pageURL, cmp.Or(out.Error, "no reason given"))
	}
	if s := out.Data.Metadata.StatusCode; s >= 400 {
		return "", fmt.Errorf("the page %s answered Firecrawl with HTTP %d", pageURL, s)
	}
	return out.Data.Markdown, nil
}

func statusError(ans *httpcall.Answer, msg, pageURL string) error {
	detail := ""
	if msg != "" {
		detail = ": " + msg
	}
	switch ans.Status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Errorf("Firecrawl refused the API key (HTTP %d%s): check FIRECRAWL_API_KEY on the configuration page", ans.Status, detail)
	case http.StatusPaymentRequired:
		return fmt.Errorf("Firecrawl has no credits left on this key (HTTP 402%s)", detail)
	case http.StatusTooManyRequests:
		return fmt.Errorf("Firecrawl's rate limit was reached (HTTP 429%s): start the job again %s", detail, httpcall.Wait(ans.Header))
	}
	return fmt.Errorf("Firecrawl failed on %s (HTTP %d%s)", pageURL, ans.Status, detail)
}
