package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/admin"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/web"
)

// recordNow is a journal that stores each interaction before the answer
// returns, so the dashboard shows chats made a moment ago.
type recordNow struct{ log vrrec.InteractionLog }

func (r recordNow) Log(ctx context.Context, it vrrec.Interaction) error { return r.log.Record(ctx, it) }

const xssQuery = `<img src=x onerror="window.__xss=1"> learn anatomy`

// TestBrowserAdminPages walks the staff pages as a person would: log in,
// read stats of chats just made, page through the log, open an entry
// holding an XSS payload, import a file and watch the job, read the
// masked configuration.
func TestBrowserAdminPages(t *testing.T) {
	ctx := browser(t)
	env := map[string]string{"OPENROUTER_API_KEY": "sk-or-v1-abcdefghijklmnop"}
	e := newDataEnv(t, func(c *web.Config, e *dataEnv) {
		c.Journal = recordNow{e.db}
		c.Settings, _ = admin.NewSettings(e.db, func(k string) string { return env[k] }, testKey)
	})
	// A question from ten days ago, then students chat: 24 questions and
	// one XSS payload, from two browsers.
	old := vrrec.Interaction{ID: "old", UserID: "alumni", SessionID: "s", Query: "organic chemistry", Intent: "recommendation",
		Response: "…", Apps: []string{"nanome"}, LatencyMS: 120, Source: "web", Time: time.Now().AddDate(0, 0, -10)}
	if err := e.db.Record(context.Background(), old); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	student := &http.Client{Jar: jar}
	questions := []string{"I'm learning Python", "cybersecurity tools", "95-729", "I study human anatomy", "public speaking practice",
		"tell me more about Beat Saber", "I want to get better at teamwork", "chemistry labs"}
	for i := 0; i < 24; i++ {
		if res := postChat(t, student, e.base, questions[i%len(questions)]); res.status != 200 {
			t.Fatalf("chat: %d %s", res.status, res.body)
		}
	}
	if res := postChat(t, nil, e.base, xssQuery); res.status != 200 {
		t.Fatalf("chat: %d %s", res.status, res.body)
	}
	shots := os.Getenv("VRREC_ADMIN_SCREENSHOTS") // a directory; make docs-screenshots
	screenshot := func(name string) {
		if shots == "" {
			return
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(shots, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// Logged out: the login form, not the dashboard.
	if err := chromedp.Do(ctx, chromedp.Navigate(e.base+"/admin"), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="login"]`))); err != nil {
		t.Fatal(err)
	}
	if eval[bool](t, ctx, `document.getElementById('login').hidden || !document.getElementById('view-dashboard').hidden`) {
		t.Fatal("the logged-out page does not show only the login form")
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#password"), "wrong"), chromedp.Click(chromedp.CSS("#login-button")),
		chromedp.WaitVisible(chromedp.CSS("#login-error")),
		until(`document.getElementById('login-error').textContent.length > 0`),
	); err != nil {
		t.Fatal(err)
	}
	if msg := eval[string](t, ctx, `document.getElementById('login-error').textContent`); msg != "Wrong email or password" {
		t.Errorf("wrong password shows %q", msg)
	}
	if err := chromedp.Do(ctx,
		run(`document.getElementById('password').value = ''`),
		chromedp.SendKeys(chromedp.CSS("#password"), "staff-password"), chromedp.Click(chromedp.CSS("#login-button")),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="dashboard"]`)),
	); err != nil {
		t.Fatal(err)
	}
	if total := eval[string](t, ctx, `document.getElementById('stat-total').textContent`); total != "26" {
		t.Errorf("interactions shown: %q, want 26", total)
	}
	if users := eval[string](t, ctx, `document.getElementById('stat-users').textContent`); users != "3" {
		t.Errorf("unique users shown: %q, want 3", users)
	}
	// Ten days ago and today, the days between drawn as zero.
	if bars := eval[int](t, ctx, `document.querySelectorAll('#chart-days rect.bar').length`); bars != 11 {
		t.Errorf("%d bars for interactions per day, want 11", bars)
	}
	if bars := eval[int](t, ctx, `document.querySelectorAll('#chart-latency rect.bar').length`); bars != len(vrrec.LatencyBuckets)+1 {
		t.Errorf("%d latency bars", bars)
	}
	if intents := eval[string](t, ctx, `document.getElementById('intents').textContent`); !strings.Contains(intents, "recommendation") {
		t.Errorf("popular intents: %q", intents)
	}
	screenshot("admin-dashboard.png")
	if err := chromedp.Do(ctx, run(`const p = document.getElementById('period'); p.value = '7'; p.dispatchEvent(new Event('change'))`),
		until(`document.getElementById('stat-total').textContent === '25'`)); err != nil {
		t.Errorf("the last 7 days still count the old question: %v", err)
	}

	// The log pages through 26 entries 20 at a time.
	if info := eval[string](t, ctx, `document.getElementById('page-info').textContent`); info != "1–20 of 26" {
		t.Errorf("first page: %q", info)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#next")),
		until(`document.getElementById('page-info').textContent === '21–26 of 26'`)); err != nil {
		t.Fatalf("next page: %v (shows %q)", err, eval[string](t, ctx, `document.getElementById('page-info').textContent`))
	}
	if !eval[bool](t, ctx, `document.getElementById('next').disabled`) {
		t.Error("Next is enabled on the last page")
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#prev")),
		until(`document.getElementById('page-info').textContent === '1–20 of 26'`)); err != nil {
		t.Fatal(err)
	}

	// One of the newest entries is the XSS payload (entries of the same
	// millisecond have no set order): shown as text, inert.
	openXSS := `[...document.querySelectorAll('#logs tbody tr')].find((tr) => tr.querySelector('td.query').textContent === ` +
		"`" + xssQuery + "`" + `).querySelector('button[data-index]').click()`
	if err := chromedp.Do(ctx, run(openXSS), chromedp.WaitVisible(chromedp.CSS("#detail[open]"))); err != nil {
		t.Fatal(err)
	}
	if shown := eval[string](t, ctx, `document.querySelector('#detail-fields dd:nth-of-type(2)').textContent`); shown != xssQuery {
		t.Errorf("detail shows query %q, want it as text", shown)
	}
	if eval[int](t, ctx, `document.querySelectorAll('#detail img, #logs img').length`) != 0 || eval[bool](t, ctx, `window.__xss === 1`) {
		t.Error("the payload became markup or ran")
	}
	if reply := eval[string](t, ctx, `document.getElementById('detail-reply').textContent`); reply == "" {
		t.Error("the detail view shows no reply")
	}
	screenshot("admin-log-detail.png")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#detail-close")), chromedp.WaitNotVisible(chromedp.CSS("#detail"))); err != nil {
		t.Fatal(err)
	}

	// The user filter narrows the log to the student who asked 24 times.
	stored, _, _ := e.db.Interactions(context.Background(), vrrec.InteractionFilter{Limit: 100})
	studentID := stored[0].UserID
	if stored[0].Query == xssQuery {
		studentID = stored[1].UserID
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#filter-user"), studentID), chromedp.Click(chromedp.CSS(`#log-filter button[type="submit"]`)),
		until(`document.getElementById('page-info').textContent === '1–20 of 24'`)); err != nil {
		t.Fatalf("filter by %s: %v", studentID, err)
	}

	// Data: import a CSV of courses and watch the job complete.
	// The semester's course list as staff export it: every course but the
	// last one (retired), and a row missing its number.
	var csvFile bytes.Buffer
	w := csv.NewWriter(&csvFile)
	w.Write([]string{"course_id", "title", "department", "description", "units", "prerequisites"})
	courses := testenv.DefaultCatalog(t).Courses
	for i, c := range courses[:len(courses)-1] {
		w.Write([]string{c.CourseID, c.Title, c.Department, c.Description, fmt.Sprint(c.Units), strings.Join(c.Prerequisites, ";")})
		if i == 0 {
			w.Write([]string{"", "Independent Study", "Heinz College", "", "", ""})
		}
	}
	w.Flush()
	csvPath := filepath.Join(t.TempDir(), "courses.csv")
	os.WriteFile(csvPath, csvFile.Bytes(), 0o644)
	if err := chromedp.Do(ctx, chromedp.Navigate(e.base+"/admin/data"), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="data"]`))); err != nil {
		t.Fatal(err)
	}
	if !eval[bool](t, ctx, `document.querySelector('[data-job$="/update/courses"]').disabled`) {
		t.Error("Update courses is enabled with no CATALOG_SOURCE_URL")
	}
	// Why, on the page and not only in a tooltip.
	why := eval[string](t, ctx, `document.querySelector('#jobs-unavailable [data-why="update_courses"]').textContent`)
	if tip := eval[string](t, ctx, `document.querySelector('[data-job$="/update/courses"]').title`); tip == "" || why != "Update courses from source: "+tip ||
		eval[bool](t, ctx, `document.getElementById('jobs-unavailable-box').hidden`) {
		t.Errorf("the page says %q about the disabled Update courses (its tooltip: %q)", why, tip)
	}
	if n := eval[string](t, ctx, `document.getElementById('count-courses').textContent`); n != "160" {
		t.Errorf("courses before the import: %q", n)
	}
	if err := chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.CSS("#import-files"), []string{csvPath}),
		chromedp.Click(chromedp.CSS(`#import-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`body[data-job-state="completed"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#version-review`)),
	); err != nil {
		t.Fatalf("import: %v; message %q", err, eval[string](t, ctx, `document.getElementById('job-message').textContent`))
	}
	if log := eval[string](t, ctx, `document.getElementById('job-log').textContent`); !strings.Contains(log, "courses.csv: 160 rows read, 159 kept") {
		t.Errorf("job log on the page: %q", log)
	}
	if report := eval[string](t, ctx, `document.getElementById('import-problems').textContent`); !strings.Contains(report, "courses.csv row 1") {
		t.Errorf("import report on the page: %q", report)
	}
	// A draft to review: the served catalog still has every course.
	if n := eval[string](t, ctx, `document.getElementById('count-courses').textContent`); n != "160" {
		t.Errorf("courses served before publishing the import: %q", n)
	}
	if diff := eval[string](t, ctx, `document.getElementById('review-diff').textContent`); !strings.Contains(diff, "Courses: 0 added, 1 removed") {
		t.Errorf("the draft's diff: %q", diff)
	}
	screenshot("admin-data-draft.png")
	if err := chromedp.Do(ctx,
		run(`if (!document.getElementById('review-worse').hidden) document.getElementById('review-confirm').click()`),
		chromedp.Click(chromedp.CSS("#review-publish")),
		until(`document.getElementById('count-courses').textContent === '159'`),
	); err != nil {
		t.Fatalf("publish the import: %v; message %q", err, eval[string](t, ctx, `document.getElementById('job-message').textContent`))
	}
	if stats := eval[string](t, ctx, `document.getElementById('graph-panels').textContent`); !strings.Contains(stats, "Top skills") || !strings.Contains(stats, "Spatial Reasoning") {
		t.Errorf("graph statistics on the page: %q", stats)
	}
	if rows := eval[int](t, ctx, `document.querySelectorAll('#jobs tbody tr').length`); rows != 2 {
		t.Errorf("%d rows of job history, want 2 (the import and its publication)", rows)
	}
	screenshot("admin-data.png")

	// Configuration: the key is masked in the field and nowhere in clear.
	if err := chromedp.Do(ctx, chromedp.Navigate(e.base+"/admin/config"), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="config"]`))); err != nil {
		t.Fatal(err)
	}
	value, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#cfg-OPENROUTER_API_KEY")))
	if err != nil || value != admin.Mask(env["OPENROUTER_API_KEY"]) {
		t.Errorf("key field shows %q, %v", value, err)
	}
	if eval[bool](t, ctx, `document.body.innerText.includes('abcdefghijkl') || [...document.querySelectorAll('input')].some((i) => i.value.includes('abcdefghijkl'))`) {
		t.Error("the page holds the key in clear")
	}
	// Saving a new model keeps the masked key as it was.
	if err := chromedp.Do(ctx, run(`document.getElementById('cfg-OPENROUTER_MODEL').value = 'openai/gpt-4o-mini'`), chromedp.Click(chromedp.CSS("#config-save")),
		until(`document.getElementById('config-message').textContent.startsWith('Saved')`)); err != nil {
		t.Fatal(err)
	}
	if msg := eval[string](t, ctx, `document.getElementById('config-message').textContent`); msg != "Saved: OPENROUTER_MODEL." {
		t.Errorf("save message %q", msg)
	}
	screenshot("admin-config.png")

	// Logging out returns to the login form.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="login"]`))); err != nil {
		t.Fatal(err)
	}
}

// until waits, inside a chromedp.Do, for a JavaScript expression to be true.
func until(expr string) chromedp.Action[chromedp.Void] {
	poll := chromedp.Poll[bool](expr)
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := poll(ctx, t)
		return err
	})
}

// run evaluates JavaScript for its effect, inside a chromedp.Do.
func run(expr string) chromedp.Action[chromedp.Void] {
	eval := chromedp.Evaluate[any](expr)
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := eval(ctx, t)
		return err
	})
}

// With the database down, the staff page says so instead of offering a
// login form that cannot work.
func TestBrowserAdminWithTheDatabaseDown(t *testing.T) {
	ctx := browser(t)
	base, db := adminServer(t, "staff-password")
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/admin"), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="login"]`)),
		chromedp.SendKeys(chromedp.CSS("#password"), "staff-password"), chromedp.Click(chromedp.CSS("#login-button")),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="dashboard"]`))); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/admin"), until(`!document.getElementById('notice').hidden`)); err != nil {
		t.Fatal(err)
	}
	if msg := eval[string](t, ctx, `document.getElementById('notice').textContent`); !strings.Contains(msg, "database is unavailable") {
		t.Errorf("the page says %q with the database down", msg)
	}
	if eval[bool](t, ctx, `!document.getElementById('login').hidden`) {
		t.Error("the page offers a login form with the database down")
	}
}
