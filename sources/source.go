// Package sources brings catalog rows in from outside: the upstream files a
// base URL serves, a university's course catalog pages (read by rules for
// the common layouts, by the LLM for the rest), and Meta Quest apps found by
// web search and read by the LLM. Every source answers the same way: the
// upstream files to lay over the catalog being updated, or an error for
// staff and nothing else, so a failed fetch never leaves half a catalog.
// The services (Firecrawl, Tavily, plain HTTP, the LLM) are reached through
// the small interfaces below; their clients live in their own packages.
package sources

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/vrrec/vrrec"
)

// Source is one way to update the catalog from outside.
type Source interface {
	// About says what Fetch reads, for the data page and the job's log.
	About() string
	// Fetch returns upstream files (catalog.CoursesFile, ...) to read over
	// base, the catalog being updated: the rows base already has, updated
	// or added to. An error means nothing may change; its message tells
	// staff what failed (a refused key, a rate limit and its wait, a
	// timeout, an unreadable answer, nothing found).
	Fetch(ctx context.Context, base *vrrec.Catalog, r Reporter) (map[string][]byte, error)
}

// Reporter is where a fetch reports (a jobs.Run).
type Reporter interface {
	Progress(stage string, done, total int)
	Logf(format string, args ...any)
}

// Pages reads a web page as markdown or plain text (firecrawl.Client,
// webfetch.Client).
type Pages interface {
	Markdown(ctx context.Context, url string) (string, error)
}

// Completer is a chat model (openai.Chat).
type Completer interface {
	Complete(ctx context.Context, system, user string, onToken func(string)) (string, int64, int64, error)
}

// encodeRows renders rows as one upstream file.
func encodeRows[T any](name string, rows []T) (map[string][]byte, error) {
	if rows == nil {
		rows = []T{}
	}
	b, err := json.MarshalIndent(rows, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return map[string][]byte{name: b}, nil
}

// modelJSON finds the JSON object in a model's answer and decodes it.
func modelJSON(answer string, v any) error {
	start, end := strings.Index(answer, "{"), strings.LastIndex(answer, "}")
	if start < 0 || end < start {
		return fmt.Errorf("the model answered no JSON")
	}
	if err := json.Unmarshal([]byte(answer[start:end+1]), v); err != nil {
		return fmt.Errorf("the model's JSON: %w", err)
	}
	return nil
}
