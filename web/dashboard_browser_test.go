package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/sqlite"
	"github.com/vrrec/vrrec/web"
)

// TestBrowserDashboardLayout: at 1280 px and at 1024 px, a dashboard with
// a long topic table and long user ids never scrolls sideways (tables
// scroll inside their cards); user ids are whole and a click filters the
// log by one; an id that matches no one offers no Export or Delete; apps
// show their names beside their ids.
func TestBrowserDashboardLayout(t *testing.T) {
	cat := testenv.DefaultCatalog(t)
	names := map[string]string{}
	for _, a := range cat.Apps {
		names[a.AppID] = a.Name
	}
	base, db := usageServer(t, func(c *web.Config, _ *sqlite.DB) {
		c.AppName = func(id string) string { return names[id] }
	})
	bg := context.Background()
	app := cat.Apps[0]
	longUser := "student-" + strings.Repeat("0123456789abcdef", 4)
	for i := range 40 {
		it := vrrec.Interaction{ID: fmt.Sprintf("it-%02d", i), UserID: fmt.Sprintf("%s-%02d", longUser, i%3), SessionID: "s",
			Query: fmt.Sprintf("question %d about a very specific and long-winded subject", i), Intent: "recommendation",
			Topic:    fmt.Sprintf("interdisciplinarycomputationalneuroscienceandbioinformaticsmethodology%02d with a long tail of words that keeps going", i),
			Response: "…", Apps: []string{app.AppID}, LatencyMS: 100, Source: "web", Time: time.Now().Add(-time.Duration(i) * time.Minute)}
		if err := db.Record(bg, it); err != nil {
			t.Fatal(err)
		}
		if err := db.SaveFeedback(bg, vrrec.Feedback{UserID: it.UserID, InteractionID: it.ID, AppID: app.AppID, Vote: vrrec.VoteHelpful, Time: it.Time}); err != nil {
			t.Fatal(err)
		}
	}

	ctx := browser(t)
	noSideways := func(width int64) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(base+"/admin"),
			chromedp.WaitVisible(chromedp.CSS(`body[data-ready="dashboard"]`)),
			until(`document.querySelectorAll('#feedback-topics tbody tr').length === 40`)); err != nil {
			t.Fatal(err)
		}
		sw, cw := eval[int](t, ctx, `document.scrollingElement.scrollWidth`), eval[int](t, ctx, `document.scrollingElement.clientWidth`)
		if sw > cw {
			wide := eval[string](t, ctx, `[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 5).map((e) => e.tagName + '#' + e.id + '.' + e.className).join(' ')`)
			t.Errorf("at %d px the page scrolls sideways: scrollWidth %d > clientWidth %d (too wide: %s)", width, sw, cw, wide)
		}
	}
	login(t, ctx, base)
	noSideways(1280)
	noSideways(1024)

	// Apps by name beside their id.
	wantApp := fmt.Sprintf("%s (%s)", app.Name, app.AppID)
	if top := eval[string](t, ctx, `document.getElementById('top-apps').textContent`); !strings.Contains(top, wantApp) {
		t.Errorf("most recommended apps %q, want %q", top, wantApp)
	}
	if row := eval[string](t, ctx, `document.querySelector('#feedback-apps tbody tr td').textContent`); row != wantApp {
		t.Errorf("helpfulness per app shows %q, want %q", row, wantApp)
	}

	// Whole user ids; a click filters by one, which offers Export and
	// Delete.
	id := eval[string](t, ctx, `document.querySelector('#logs tbody .user-id').textContent`)
	if !strings.HasPrefix(id, longUser) || len(id) != len(longUser)+3 {
		t.Fatalf("the log shows the user id %q, want the whole id", id)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#logs tbody .user-id`)),
		until(`!document.getElementById('student').hidden`)); err != nil {
		t.Fatal(err)
	}
	if got := eval[string](t, ctx, `document.getElementById('filter-user').value`); got != id {
		t.Errorf("the filter holds %q after clicking %q", got, id)
	}
	if page := eval[string](t, ctx, `document.getElementById('page-info').textContent`); !strings.HasSuffix(page, "of 14") && !strings.HasSuffix(page, "of 13") {
		t.Errorf("filtered by one of three users, the log shows %q", page)
	}

	// A truncated id matches no one: no Export, no Delete, a note.
	if err := chromedp.Do(ctx, run(`document.getElementById('filter-user').value = '`+id[:12]+`'`),
		chromedp.Click(chromedp.CSS(`#log-filter button[type="submit"]`)),
		until(`!document.getElementById('student-none').hidden`)); err != nil {
		t.Fatal(err)
	}
	if !eval[bool](t, ctx, `document.getElementById('student').hidden`) {
		t.Error("Export and Delete are offered for an id that matches no one")
	}
	if note := eval[string](t, ctx, `document.getElementById('student-none').textContent`); !strings.Contains(note, "nothing to export or delete") {
		t.Errorf("note for an unknown id: %q", note)
	}
}
