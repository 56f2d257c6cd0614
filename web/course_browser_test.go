package web_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vrrec/vrrec/web"
)

// coursePages serves a department's course page on another site (the
// widget's script tag with data-course from ?course=) and the advisor the
// widget comes from.
func coursePages(t *testing.T) (site, advisor string) {
	var advisorURL atomic.Value
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, `<!doctype html><title>Course page</title><h1>Course page</h1>`+
			`<script src="`+advisorURL.Load().(string)+`/widget.js" data-course="`+html.EscapeString(r.URL.Query().Get("course"))+`" defer></script>`)
	}))
	t.Cleanup(host.Close)
	site = strings.Replace(host.URL, "127.0.0.1", "localhost", 1)
	srv := httptest.NewServer(newServer(t, nil, func(c *web.Config) {
		c.WidgetOrigins = []string{site}
	}).Handler())
	t.Cleanup(srv.Close)
	advisorURL.Store(srv.URL)
	return site, srv.URL
}

// widgetFrame attaches to the widget's chat frame, which runs on the
// advisor's site in a process of its own.
func widgetFrame(t *testing.T, ctx context.Context, advisor string) context.Context {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		infos, err := chromedp.Targets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, info := range infos {
			if info.Type == "iframe" && strings.HasPrefix(info.URL, advisor+"/embed") {
				fctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(info.TargetID))
				t.Cleanup(cancel)
				return fctx
			}
		}
	}
	t.Fatal("no widget frame")
	return nil
}

func TestBrowserWidgetOpensWithTheCourse(t *testing.T) {
	ctx := browser(t)
	site, advisor := coursePages(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(site+"/?course=15-112"), chromedp.WaitVisible(chromedp.CSS(`button[aria-expanded="false"]`))); err != nil {
		t.Fatal(err)
	}
	frame := widgetFrame(t, ctx, advisor)
	// The frame is hidden until opened: its page is there, not visible.
	if err := chromedp.Do(frame, chromedp.WaitReady(chromedp.CSS(`body[data-ready="true"]`))); err != nil {
		t.Fatal(err)
	}
	// Nothing is suggested until the student opens the widget.
	if n := eval[int](t, frame, `document.querySelectorAll('#log li').length`); n != 0 {
		t.Errorf("%d messages before the widget was opened", n)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[aria-expanded]`))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(frame, chromedp.WaitVisible(chromedp.CSS(`#log li.msg.bot .card`))); err != nil {
		t.Fatal(err)
	}
	opening := eval[string](t, frame, `document.querySelector('#log li.msg.bot').textContent`)
	if !strings.Contains(opening, "For 15-112 Fundamentals of Programming and Computer Science, the course of this page") {
		t.Errorf("the opening says %q", opening)
	}
	if cards := eval[int](t, frame, `document.querySelectorAll('#log li.msg.bot .card').length`); cards == 0 {
		t.Error("the opening shows no app")
	}
	// A question with no topic of its own is read for the course.
	if err := chromedp.Do(frame,
		chromedp.SendKeys(chromedp.CSS("#message"), "anything for this class?"),
		chromedp.Click(chromedp.CSS("#send")),
		chromedp.WaitVisible(chromedp.CSS("#log li.msg:nth-of-type(3) .card")),
	); err != nil {
		t.Fatal(err)
	}
	if answer := eval[string](t, frame, `document.querySelector('#log li.msg:nth-of-type(3)').textContent`); !strings.Contains(answer, "the course of this page") {
		t.Errorf("a vague question on the course page was answered %q", answer)
	}
}

func TestBrowserWidgetWithAnUnknownCourse(t *testing.T) {
	ctx := browser(t)
	site, advisor := coursePages(t)
	console, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	messages := chromedp.Console(console)
	if err := chromedp.Do(ctx, chromedp.Navigate(site+"/?course=99-999")); err != nil {
		t.Fatal(err)
	}
	// The instructor is told in their page's console.
	warned := ""
	for m, err := range messages {
		if err != nil {
			t.Fatalf("no console warning about the course: %v", err)
		}
		if m.Type == chromedp.ConsoleWarning && strings.Contains(m.Text, `course "99-999" is not in the catalog`) {
			warned = m.Text
			break
		}
	}
	if !strings.Contains(warned, "data-course") {
		t.Errorf("the warning does not say what to fix: %q", warned)
	}
	// The student plainly.
	frame := widgetFrame(t, ctx, advisor)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[aria-expanded]`))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(frame, ready, chromedp.WaitVisible(chromedp.CSS(`#log li.msg.bot`))); err != nil {
		t.Fatal(err)
	}
	if said := eval[string](t, frame, `document.querySelector('#log li.msg.bot').textContent`); !strings.Contains(said, "course 99-999, which isn't in our catalog") {
		t.Errorf("the student is told %q", said)
	}
	if cards := eval[int](t, frame, `document.querySelectorAll('#log .card').length`); cards != 0 {
		t.Errorf("%d apps for a course the catalog lacks", cards)
	}
}

// Staff see the answers given on course pages by course, and an instructor
// gets the script tag for a course's page from the data page.
func TestBrowserStaffCoursePages(t *testing.T) {
	ctx := browser(t)
	e := newDataEnv(t, func(c *web.Config, e *dataEnv) { c.Journal = recordNow{e.db} })
	student := newClient()
	for _, req := range []struct{ path, body string }{
		{"/chat/open", `{"course":"15-112"}`},
		{"/chat", `{"message":"anything for this class?","course":"15-112"}`},
		{"/chat", `{"message":"public speaking","course":"03-350"}`},
	} {
		if res := do(t, student, "POST", e.base+req.path, "application/json", req.body, nil); res.status != 200 {
			t.Fatalf("%s: %d %s", req.path, res.status, res.body)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(e.base+"/admin"), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="login"]`)),
		chromedp.SendKeys(chromedp.CSS("#password"), "staff-password"), chromedp.Click(chromedp.CSS("#login-button")),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="dashboard"]`))); err != nil {
		t.Fatal(err)
	}
	rows := eval[[]string](t, ctx, `[...document.querySelectorAll('#course-answers tbody tr')].map(r => [...r.cells].map(c => c.textContent).join('|'))`)
	want := []string{"15-112 Fundamentals of Programming and Computer Science|2|1|2", "03-350 Human Anatomy and Physiology|1|1|0"}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("answers by course:\n%s\nwant\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(e.base+"/admin/data"), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="data"]`)),
		chromedp.SetValue(chromedp.CSS("#snippet-course"), "05-499"),
		run(`document.getElementById('snippet-course').dispatchEvent(new Event('change'))`)); err != nil {
		t.Fatal(err)
	}
	if tag := eval[string](t, ctx, `document.getElementById('snippet').value`); tag != `<script src="`+e.base+`/widget.js" data-course="05-499" defer></script>` {
		t.Errorf("the script tag for 05-499: %q", tag)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('#snippet-course option').length`); n != 160 {
		t.Errorf("%d courses to choose from, the catalog has 160", n)
	}
}
