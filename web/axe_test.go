package web_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/vrrec/vrrec/internal/testenv"
)

// axeViolation is one rule axe-core found broken, with the nodes that
// break it.
type axeViolation struct {
	ID    string   `json:"id"`
	Help  string   `json:"help"`
	Nodes []string `json:"nodes"`
}

const axeMissing = "VRREC_AXE_JS is not set: run tools/axe/fetch.sh and set it to the file it prints"

// needAxe skips a test that is only an accessibility scan when axe-core is
// missing (fails it under REQUIRE_INTEGRATION=1).
func needAxe(t *testing.T) {
	t.Helper()
	if os.Getenv("VRREC_AXE_JS") == "" {
		testenv.Missing(t, axeMissing)
	}
}

// axeScan runs axe-core (tools/axe/fetch.sh, VRREC_AXE_JS) on the page in
// ctx with the WCAG 2.0 and 2.1 A and AA rules and fails the test with
// every violation, naming the page as what. Frames are scanned where they
// are served (the chat in the widget's frame is /embed). Without axe-core
// it only says so, and the test goes on (it fails under
// REQUIRE_INTEGRATION=1).
func axeScan(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	path := os.Getenv("VRREC_AXE_JS")
	if path == "" {
		if testenv.Required() {
			t.Fatal("REQUIRE_INTEGRATION=1 but " + axeMissing)
		}
		t.Logf("%s not scanned: %s", what, axeMissing)
		return
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read axe-core: %v", err)
	}
	if !eval[bool](t, ctx, `typeof window.axe === 'object'`) {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](string(src)+"\n;0")); err != nil {
			t.Fatalf("inject axe-core: %v", err)
		}
	}
	found, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {
		runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
		iframes: false,
		resultTypes: ['violations'],
	}).then((r) => r.violations.map((v) => ({
		id: v.id, help: v.help,
		nodes: v.nodes.map((n) => n.target.join(' ') + ': ' + (n.failureSummary || '').replace(/\s+/g, ' ')),
	})))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe-core on %s: %v", what, err)
	}
	for _, v := range found {
		t.Errorf("%s: axe %s (%s), %d nodes:\n  %s", what, v.ID, v.Help, len(v.Nodes), strings.Join(v.Nodes, "\n  "))
	}
}
