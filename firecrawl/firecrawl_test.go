package firecrawl_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vrrec/vrrec/firecrawl"
	"github.com/vrrec/vrrec/internal/fakeweb"
)

func TestMarkdown(t *testing.T) {
	const page = "# School of Computer Science\n\n### 15-112 Fundamentals of Programming (12 units)\n"
	srv := fakeweb.StartFirecrawl(func(n int, url string) fakeweb.Page {
		if url != "https://catalog.example.edu/scs" {
			return fakeweb.Page{Reply: fakeweb.Reply{Status: 400, Error: "unexpected url " + url}}
		}
		return fakeweb.Page{Markdown: page}
	})
	defer srv.Close()
	c := &firecrawl.Client{BaseURL: srv.URL, APIKey: fakeweb.FirecrawlKey}
	got, err := c.Markdown(t.Context(), "https://catalog.example.edu/scs")
	if err != nil || got != page {
		t.Fatalf("Markdown: %q, %v", got, err)
	}
}

// Every failure ends with a message that says what happened and what to
// do, never a page.
func TestMarkdownFailures(t *testing.T) {
	for _, tc := range []struct {
		name   string
		key    string
		answer fakeweb.Page
		want   []string
	}{
		{"wrong key", "fc-wrong", fakeweb.Page{}, []string{"refused the API key", "401", "Invalid token", "FIRECRAWL_API_KEY"}},
		{"no credits", fakeweb.FirecrawlKey, fakeweb.Page{Reply: fakeweb.Reply{Status: 402, Error: "Payment required"}}, []string{"no credits", "402"}},
		{"rate limit", fakeweb.FirecrawlKey, fakeweb.Page{Reply: fakeweb.Reply{Status: 429, Error: "Rate limit exceeded", Header: http.Header{"Retry-After": {"30"}}}},
			[]string{"rate limit", "429", "again in 30s"}},
		{"server error", fakeweb.FirecrawlKey, fakeweb.Page{Reply: fakeweb.Reply{Status: 500, Error: "Internal server error"}}, []string{"HTTP 500", "Internal server error"}},
		{"garbage", fakeweb.FirecrawlKey, fakeweb.Page{Reply: fakeweb.Reply{Raw: "<html>Bad gateway</html>"}}, []string{"not its JSON", "Bad gateway"}},
		{"page gone", fakeweb.FirecrawlKey, fakeweb.Page{Markdown: "Not Found", PageStatus: 404}, []string{"https://catalog.example.edu/scs answered Firecrawl with HTTP 404"}},
		{"not scraped", fakeweb.FirecrawlKey, fakeweb.Page{Reply: fakeweb.Reply{Raw: `{"success": false, "error": "All scraping engines failed"}`}}, []string{"could not scrape", "All scraping engines failed"}},
		{"empty", fakeweb.FirecrawlKey, fakeweb.Page{Reply: fakeweb.Reply{Raw: " "}}, []string{"not its JSON", "empty answer"}},
		{"timeout", fakeweb.FirecrawlKey, fakeweb.Page{Reply: fakeweb.Reply{Delay: 2 * time.Second}}, []string{"did not answer within 200ms"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := fakeweb.StartFirecrawl(func(int, string) fakeweb.Page { return tc.answer })
			defer srv.Close()
			c := &firecrawl.Client{BaseURL: srv.URL, APIKey: tc.key, Timeout: 200 * time.Millisecond}
			got, err := c.Markdown(t.Context(), "https://catalog.example.edu/scs")
			if err == nil {
				t.Fatalf("no error; page %q", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// A cancel by the caller stays a cancel, so a job ends as cancelled.
func TestMarkdownCancelled(t *testing.T) {
	srv := fakeweb.StartFirecrawl(func(int, string) fakeweb.Page { return fakeweb.Page{Reply: fakeweb.Reply{Delay: 5 * time.Second}} })
	defer srv.Close()
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := (&firecrawl.Client{BaseURL: srv.URL, APIKey: fakeweb.FirecrawlKey}).Markdown(ctx, "https://catalog.example.edu/scs")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled scrape: %v", err)
	}
}
