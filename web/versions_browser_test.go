package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/chat"
	quality "github.com/vrrec/vrrec/eval"
	"github.com/vrrec/vrrec/internal/inmem"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/rag"
	"github.com/vrrec/vrrec/web"
)

// TestBrowserCatalogVersions is the catalog's safety net as staff use it:
// Extract skills makes a draft whose diff and quality the page shows while
// students keep their answers; publishing changes the answers; rolling
// back brings the old ones back. On SQLite and on MongoDB.
func TestBrowserCatalogVersions(t *testing.T) {
	for name, open := range dataStores(t) {
		t.Run(name, func(t *testing.T) { testBrowserCatalogVersions(t, open(t)) })
	}
}

func testBrowserCatalogVersions(t *testing.T, store vrrec.Store) {
	sets, err := quality.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	// Students are answered by an engine over the catalog being served.
	var mu sync.Mutex
	engines := map[string]*rag.Engine{}
	e := newDataEnvOn(t, store, func(c *web.Config, e *dataEnv) {
		engineOf := func(cat *vrrec.Catalog) *rag.Engine {
			mu.Lock()
			defer mu.Unlock()
			v := catalog.Version(cat)
			if engines[v] == nil {
				engines[v] = testenv.Engine(t, cat)
			}
			return engines[v]
		}
		c.Chat = chat.New(func() chat.Engine { return engineOf(e.current()) }, inmem.NewSessions(), c.Log)
		e.data.Engine = func(_ context.Context, cat *vrrec.Catalog, _ func(done, total int)) (vrrec.Recommender, error) {
			return engineOf(cat), nil
		}
		e.data.Sets = func(context.Context) (map[string]*quality.Set, error) {
			return map[string]*quality.Set{"default": {Queries: sets["default"].Queries[:40]}}, nil
		}
	})
	answer := func() string {
		t.Helper()
		var reply vrrec.Reply
		if err := json.Unmarshal(postChat(t, nil, e.base, "I want to practice public speaking").body, &reply); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, a := range reply.Apps {
			fmt.Fprintf(&b, "%s %d%%, ", a.AppID, a.MatchPercent)
		}
		return b.String()
	}
	before := answer()

	ctx := browser(t)
	login(t, ctx, e.base)
	if err := chromedp.Do(ctx, chromedp.Navigate(e.base+"/admin/data"), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="data"]`)),
		chromedp.Click(chromedp.CSS(`[data-job$="/process/skills"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#version-review`)),
	); err != nil {
		t.Fatalf("extract skills: %v; message %q", err, eval[string](t, ctx, `document.getElementById('job-message').textContent`))
	}
	if state := eval[string](t, ctx, `document.getElementById('review-state').textContent`); state != "draft" {
		t.Errorf("the review opened on a %q version", state)
	}
	if diff := eval[string](t, ctx, `document.getElementById('review-diff').textContent`); !strings.Contains(diff, "Skills:") || !strings.Contains(diff, "App–skill links:") {
		t.Errorf("the review shows no diff of skills and links: %q", diff)
	}
	if q := eval[string](t, ctx, `document.getElementById('review-quality').textContent`); !strings.Contains(q, "nDCG@5 live → this") || !strings.Contains(q, "default (40)") {
		t.Errorf("the review shows no quality delta: %q", q)
	}
	if got := answer(); got != before {
		t.Fatalf("students' answers changed before anything was published:\nbefore %s\nnow    %s", before, got)
	}

	// Publish (confirming if the draft scores worse): the answers change.
	if err := chromedp.Do(ctx,
		run(`if (!document.getElementById('review-worse').hidden) document.getElementById('review-confirm').click()`),
		chromedp.Click(chromedp.CSS("#review-publish")),
		until(`document.body.dataset.jobState === 'completed' && document.querySelector('#versions tbody tr .badge').textContent === 'live'`),
	); err != nil {
		t.Fatalf("publish: %v; message %q", err, eval[string](t, ctx, `document.getElementById('job-message').textContent`))
	}
	published := answer()
	if published == before {
		t.Fatalf("publishing the extraction left the answers as they were: %s", before)
	}

	// Roll back: the version live before, from the versions table.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#versions tbody tr:nth-child(2) [data-review]`)),
		until(`document.getElementById('review-publish').textContent === 'Roll back to this version' && !document.getElementById('version-review').hidden`),
		chromedp.Click(chromedp.CSS("#review-publish")),
		until(`document.body.dataset.jobState === 'completed' && document.querySelector('#versions tbody tr:nth-child(2) .badge').textContent === 'live'`),
	); err != nil {
		t.Fatalf("rollback: %v; message %q", err, eval[string](t, ctx, `document.getElementById('job-message').textContent`))
	}
	if got := answer(); got != before {
		t.Errorf("after the rollback students get\n%s\nwant the answers from before\n%s", got, before)
	}
}

// login signs in on the staff page.
func login(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/admin"), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="login"]`)),
		chromedp.SendKeys(chromedp.CSS("#password"), "staff-password"), chromedp.Click(chromedp.CSS("#login-button")),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="dashboard"]`)),
	); err != nil {
		t.Fatalf("log in: %v", err)
	}
}
