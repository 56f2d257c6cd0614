package tavily_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vrrec/vrrec/internal/fakeweb"
	"github.com/vrrec/vrrec/tavily"
)

func TestSearch(t *testing.T) {
	results := []fakeweb.Result{
		{Title: "Nanome on Meta Quest", URL: "https://www.meta.com/experiences/nanome/", Content: "Nanome: molecular design in VR.", Score: 0.91},
		{Title: "Best chemistry VR apps", URL: "https://example.com/chem", Content: "A list.", Score: 0.5},
	}
	srv := fakeweb.StartTavily(func(n int, q string) fakeweb.Results { return fakeweb.Results{Results: results} })
	defer srv.Close()
	c := &tavily.Client{BaseURL: srv.URL, APIKey: fakeweb.TavilyKey, MaxResults: 1}
	got, err := c.Search(t.Context(), "Meta Quest VR app for chemistry")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Title != results[0].Title || got[0].URL != results[0].URL || got[0].Content != results[0].Content {
		t.Errorf("results: %+v", got)
	}
	if q := srv.Queries(); len(q) != 1 || q[0] != "Meta Quest VR app for chemistry" {
		t.Errorf("queries: %q", q)
	}
}

func TestSearchFailures(t *testing.T) {
	for _, tc := range []struct {
		name   string
		key    string
		answer fakeweb.Results
		want   []string
	}{
		{"wrong key", "tvly-wrong", fakeweb.Results{}, []string{"refused the API key", "401", "invalid API key", "TAVILY_API_KEY"}},
		{"rate limit", fakeweb.TavilyKey, fakeweb.Results{Reply: fakeweb.Reply{Status: 429, Error: "Rate limit exceeded", Header: http.Header{"Retry-After": {"60"}}}},
			[]string{"rate limit", "429", "again in 1m0s"}},
		{"plan limit", fakeweb.TavilyKey, fakeweb.Results{Reply: fakeweb.Reply{Status: 432, Error: "This request exceeds your plan's set usage limit."}}, []string{"usage limit", "432", "plan's"}},
		{"pay-as-you-go limit", fakeweb.TavilyKey, fakeweb.Results{Reply: fakeweb.Reply{Status: 433, Error: "This request exceeds the pay-as-you-go limit."}}, []string{"usage limit", "433"}},
		{"server error", fakeweb.TavilyKey, fakeweb.Results{Reply: fakeweb.Reply{Status: 502}}, []string{"HTTP 502"}},
		{"garbage", fakeweb.TavilyKey, fakeweb.Results{Reply: fakeweb.Reply{Raw: `{"results": "soon"`}}, []string{"not its JSON", "soon"}},
		{"no results field", fakeweb.TavilyKey, fakeweb.Results{Reply: fakeweb.Reply{Raw: `{"query": "x"}`}}, []string{"not its JSON"}},
		{"timeout", fakeweb.TavilyKey, fakeweb.Results{Reply: fakeweb.Reply{Delay: 2 * time.Second}}, []string{"did not answer within 200ms"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := fakeweb.StartTavily(func(int, string) fakeweb.Results { return tc.answer })
			defer srv.Close()
			c := &tavily.Client{BaseURL: srv.URL, APIKey: tc.key, Timeout: 200 * time.Millisecond}
			got, err := c.Search(t.Context(), "Meta Quest VR app for chemistry")
			if err == nil {
				t.Fatalf("no error; results %+v", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}
