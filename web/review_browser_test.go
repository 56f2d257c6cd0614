package web_test

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	quality "github.com/vrrec/vrrec/eval"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/rag"
	"github.com/vrrec/vrrec/web"
)

// TestBrowserReviewOfTheOldSystemsFiles is the review a university gets
// when it uploads the old system's five files on the data page: Beat
// Saber and the others kept under the old id style are "same app, new
// id", not removed and added; the quality delta is measured on the queries
// that apply to both catalogs (or says it cannot be), never a 0.000 from
// labels naming the other catalog's ids; the full import report is on the
// page, page by page, and downloads as CSV.
func TestBrowserReviewOfTheOldSystemsFiles(t *testing.T) {
	dir := testenv.UpstreamData(t)
	sets, err := quality.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	engines := map[string]*rag.Engine{}
	e := newDataEnvOn(t, testenv.SQLite(t), func(c *web.Config, e *dataEnv) {
		e.data.Engine = func(_ context.Context, cat *vrrec.Catalog, _ func(done, total int)) (vrrec.Recommender, error) {
			mu.Lock()
			defer mu.Unlock()
			v := catalog.Version(cat)
			if engines[v] == nil {
				engines[v] = testenv.Engine(t, cat)
			}
			return engines[v], nil
		}
		// Slices of the built-in sets keep the test quick under -race.
		e.data.Sets = func(context.Context) (map[string]*quality.Set, error) {
			return map[string]*quality.Set{"default": {Queries: sets["default"].Queries[:60]}, "upstream": {Queries: sets["upstream"].Queries[:60]}}, nil
		}
	})
	var files []string
	for _, f := range catalog.Files {
		files = append(files, filepath.Join(dir, f))
	}

	ctx := browser(t)
	login(t, ctx, e.base)
	if err := chromedp.Do(ctx, chromedp.Navigate(e.base+"/admin/data"), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="data"]`)),
		chromedp.SetUploadFiles(chromedp.CSS("#import-files"), files),
		chromedp.Click(chromedp.CSS(`#import-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`body[data-job-state="completed"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#version-review`)),
		chromedp.WaitVisible(chromedp.CSS(`#report-rows tbody tr`)),
	); err != nil {
		t.Fatalf("import: %v; message %q, log %q", err, eval[string](t, ctx, `document.getElementById('job-message').textContent`),
			eval[string](t, ctx, `document.getElementById('job-log').textContent`))
	}

	// Same app, new id.
	apps := eval[string](t, ctx, `document.querySelector('#review-diff details[data-table="apps"]').textContent`)
	if !strings.Contains(apps, "same app, new id") || !strings.Contains(apps, "= Beat Saber") || !strings.Contains(apps, "beat-saber → Beat_Saber") {
		t.Errorf("the apps diff does not show Beat Saber as the same app with a new id: %.600q", apps)
	}
	if strings.Contains(apps, "− beat-saber") || strings.Contains(apps, "+ Beat_Saber") {
		t.Errorf("Beat Saber is listed as removed or added: %.600q", apps)
	}

	// Quality: every set is either measured with scores above 0 on both
	// versions, or says it cannot be measured.
	rows := eval[[]string](t, ctx, `[...document.querySelectorAll('#review-quality tbody tr')].map((r) => r.textContent)`)
	if len(rows) != 2 {
		t.Fatalf("quality rows %q, want one per set", rows)
	}
	measured := 0
	for _, r := range rows {
		switch {
		case strings.Contains(r, "Cannot be measured") && strings.Contains(r, quality.NotLabeled):
		case strings.Contains(r, "→") && !strings.Contains(r, "0.000"):
			measured++
		default:
			t.Errorf("quality row %q: neither measured without a 0.000 nor said to be unmeasurable", r)
		}
	}
	if measured == 0 {
		t.Errorf("no set was measured on both catalogs: %q", rows)
	}
	if strings.Contains(eval[string](t, ctx, `document.getElementById('review-quality').textContent`), "→ 0.000") {
		t.Error("the review shows a score of 0.000")
	}

	// The full import report: every problem, 50 a page, and a CSV.
	summary := eval[string](t, ctx, `document.getElementById('report-summary').textContent`)
	page := eval[string](t, ctx, `document.getElementById('report-page').textContent`)
	if !strings.Contains(summary, "rows dropped") || !strings.HasPrefix(page, "1–50 of ") {
		t.Fatalf("import report: %q, page %q", summary, page)
	}
	total := strings.TrimPrefix(page, "1–50 of ")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#report-next")), until(`document.getElementById('report-page').textContent.startsWith('51–')`)); err != nil {
		t.Fatalf("next page of the report: %v", err)
	}
	if first := eval[string](t, ctx, `document.querySelector('#report-rows tbody tr').textContent`); first == "" {
		t.Error("the second page of the report is empty")
	}
	csv, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.getElementById('report-csv').href).then((r) => r.ok ? r.text() : 'status ' + r.status)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	if lines[0] != "file,index,id,action,reason" || strconv.Itoa(len(lines)-1) != total {
		t.Errorf("CSV report: %d rows (the page says %s): %.300q", len(lines)-1, total, csv)
	}
	for _, l := range lines[1:] {
		if strings.ContainsAny(l[:1], "=+-@") {
			t.Errorf("a CSV row starts a formula: %q", l)
		}
	}
}
