package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/vrrec/vrrec/admin"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/usage"
	"github.com/vrrec/vrrec/web"
)

// The chat page (empty, answered, at phone width), the widget and its
// frame, and the staff pages pass axe-core's WCAG 2.1 AA rules with no
// violation.
func TestBrowserAccessibility(t *testing.T) {
	needAxe(t)
	t.Run("chat page", func(t *testing.T) {
		ctx := browser(t)
		base := start(t, newServer(t, nil, nil))
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), ready); err != nil {
			t.Fatal(err)
		}
		axeScan(t, ctx, "the empty chat page")
		if err := chromedp.Do(ctx, ask("I want to practice public speaking", 1), ask("how to fold origami cranes", 2)); err != nil {
			t.Fatal(err)
		}
		if eval[int](t, ctx, `document.querySelectorAll('#log .card').length`) == 0 {
			t.Fatal("no cards to scan")
		}
		axeScan(t, ctx, "the chat page with answers")
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile), chromedp.Reload(), ready); err != nil {
			t.Fatal(err)
		}
		axeScan(t, ctx, "the chat page at 375 px, answers restored")
	})

	t.Run("widget", func(t *testing.T) {
		ctx := browser(t)
		var advisorURL atomic.Value
		site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, `<!doctype html><html lang="en"><title>Department page</title><main><h1>Courses</h1></main>`+
				`<script src="`+advisorURL.Load().(string)+`/widget.js" defer></script></html>`)
		}))
		defer site.Close()
		siteURL := strings.Replace(site.URL, "127.0.0.1", "localhost", 1)
		advisor := start(t, newServer(t, nil, func(c *web.Config) { c.WidgetOrigins = []string{siteURL} }))
		advisorURL.Store(advisor)
		if err := chromedp.Do(ctx, chromedp.Navigate(siteURL+"/"), chromedp.WaitVisible(chromedp.CSS(`button[aria-expanded="false"]`))); err != nil {
			t.Fatal(err)
		}
		axeScan(t, ctx, "the widget, closed")
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[aria-expanded]`)),
			chromedp.WaitVisible(chromedp.CSS(`iframe[title="VR App Advisor chat"]`))); err != nil {
			t.Fatal(err)
		}
		axeScan(t, ctx, "the widget, open")
		// The frame's own page, answered.
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(400, 600), chromedp.Navigate(advisor+"/embed"), ready, ask("anatomy", 1)); err != nil {
			t.Fatal(err)
		}
		axeScan(t, ctx, "the widget's chat (/embed) with an answer")
	})

	t.Run("staff pages", func(t *testing.T) {
		ctx := browser(t)
		e := newDataEnv(t, func(c *web.Config, e *dataEnv) {
			c.Journal, c.Feedback = recordNow{e.db}, e.db
			c.Settings, _ = admin.NewSettings(e.db, func(string) string { return "" }, testKey)
			c.Usage = &usage.Reports{Log: e.db, Votes: e.db, Embedder: testenv.Embedder(t), AppName: func(id string) string { return id }}
		})
		// Something to show: answered questions, one the catalog lacks.
		for _, q := range []string{"I want to practice public speaking", "how to fold origami cranes", "anatomy"} {
			if res := postChat(t, nil, e.base, q); res.status != 200 {
				t.Fatalf("chat: %d %s", res.status, res.body)
			}
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(e.base+"/admin"), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="login"]`))); err != nil {
			t.Fatal(err)
		}
		axeScan(t, ctx, "the staff login")
		login(t, ctx, e.base)
		axeScan(t, ctx, "the staff dashboard")
		for _, view := range []string{"data", "config"} {
			if err := chromedp.Do(ctx, chromedp.Navigate(e.base+"/admin/"+view),
				chromedp.WaitVisible(chromedp.CSS(`body[data-ready="`+view+`"]`))); err != nil {
				t.Fatal(err)
			}
			axeScan(t, ctx, "the staff page /admin/"+view)
		}
	})
}
