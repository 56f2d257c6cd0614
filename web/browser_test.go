package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/web"
)

// browser starts headless Chromium (Debian's chromium) for one test and
// returns a context whose actions time out after a minute.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		testenv.Missing(t, "no Chromium found (apt-get install chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1100, 900))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	// The first action starts the browser; it must not run under a timeout.
	if err := chromedp.Do(ctx); err != nil {
		cancelCtx()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	tctx, cancelTimeout := context.WithTimeout(ctx, time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return tctx
}

// ask types a message, sends it and waits for the n-th answer.
func ask(message string, n int) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.SendKeys(chromedp.CSS("#message"), message),
		chromedp.Click(chromedp.CSS("#send")),
		chromedp.WaitVisible(chromedp.CSS("#log li.msg.bot:nth-of-type("+strconv.Itoa(2*n)+")")),
		chromedp.WaitNotPresent(chromedp.CSS("#send[disabled]")),
	)
}

func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

var ready = chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`))

func TestBrowserChatAndReload(t *testing.T) {
	ctx := browser(t)
	ts := httptest.NewServer(newServer(t, nil, nil).Handler())
	defer ts.Close()

	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/"), ready, ask("I want to practice public speaking", 1)); err != nil {
		t.Fatal(err)
	}
	cards := eval[int](t, ctx, `document.querySelectorAll('#log .card').length`)
	if cards == 0 {
		t.Fatal("no app cards after a recommendation")
	}
	if meters := eval[int](t, ctx, `document.querySelectorAll('#log .card meter').length`); meters != cards {
		t.Errorf("%d match bars for %d cards", meters, cards)
	}
	if shot := os.Getenv("VRREC_SCREENSHOT"); shot != "" {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(shot, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	if err := chromedp.Do(ctx, chromedp.Reload(), ready); err != nil {
		t.Fatal(err)
	}
	userText, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#log li.msg.user")))
	if err != nil {
		t.Fatal(err)
	}
	restored := eval[int](t, ctx, `document.querySelectorAll('#log .card').length`)
	if userText != "I want to practice public speaking" || restored != cards {
		t.Errorf("after reload: first message %q, %d cards; want the conversation back with %d cards", userText, restored, cards)
	}

	// A follow-up in the same session through a card's Details button.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#log .card button")),
		chromedp.WaitVisible(chromedp.CSS("#log li.msg.bot:nth-of-type(4)")),
	); err != nil {
		t.Fatal(err)
	}
	if !eval[bool](t, ctx, `document.querySelector('#log li.msg.bot:nth-of-type(4)').textContent.includes('Features')`) {
		t.Error("the Details button did not show the app's details")
	}
}

func TestBrowserRendersHostileInputAsText(t *testing.T) {
	ctx := browser(t)
	ts := httptest.NewServer(newServer(t, nil, nil).Handler())
	defer ts.Close()

	var dialogs atomic.Int32
	events := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range events {
			if err != nil {
				return
			}
			dialogs.Add(1)
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	payload := `<img src=x onerror=alert(1)><script>window.__xss=1</script>**bold** [x](javascript:alert(2))`
	if err := chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/"), ready,
		ask(payload, 1),
		chromedp.Sleep(300*time.Millisecond), // time for an injected onerror to fire
	); err != nil {
		t.Fatal(err)
	}
	imgs := eval[int](t, ctx, `document.querySelectorAll('#log img').length`)
	scripts := eval[int](t, ctx, `document.querySelectorAll('#log script').length`)
	links := eval[int](t, ctx, `document.querySelectorAll('#log a').length`)
	ran := eval[bool](t, ctx, `window.__xss === 1`)
	if imgs != 0 || scripts != 0 || links != 0 || ran || dialogs.Load() != 0 {
		t.Errorf("injected: %d img, %d script, %d links, script ran %v, %d dialogs", imgs, scripts, links, ran, dialogs.Load())
	}
	shown, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#log li.msg.user")))
	if err != nil {
		t.Fatal(err)
	}
	if shown != payload {
		t.Errorf("the message shows as %q, want the literal text", shown)
	}
	// The reply quotes what the message asks for as its words: the markup
	// never reaches it.
	if reply := eval[string](t, ctx, `document.querySelector('#log li.msg.bot').textContent`); !strings.Contains(reply, "img src x onerror") || strings.Contains(reply, "<img") {
		t.Errorf("reply %q should quote the message's words and no markup", reply)
	}
}

func TestBrowserPhoneWidthAndKeyboard(t *testing.T) {
	ctx := browser(t)
	ts := httptest.NewServer(newServer(t, nil, nil).Handler())
	defer ts.Close()
	// Enter in the message box sends, as a keyboard user expects.
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile),
		chromedp.Navigate(ts.URL+"/"), ready,
		chromedp.SendKeys(chromedp.CSS("#message"), "astronomy\r"),
		chromedp.WaitVisible(chromedp.CSS("#log li.msg.bot")),
	); err != nil {
		t.Fatal(err)
	}
	if overflow := eval[bool](t, ctx, `document.documentElement.scrollWidth > window.innerWidth`); overflow {
		t.Error("the page scrolls sideways at phone width")
	}
	if label := eval[string](t, ctx, `document.querySelector('label[for=message]').textContent`); label == "" {
		t.Error("the message box has no label for screen readers")
	}
	if live := eval[string](t, ctx, `document.getElementById('log').getAttribute('aria-live')`); live != "polite" {
		t.Errorf("the conversation is not announced: aria-live=%q", live)
	}
}

func TestBrowserWidgetOnAnotherSite(t *testing.T) {
	ctx := browser(t)
	// The host site runs on another origin (localhost, the advisor on 127.0.0.1).
	var advisorURL atomic.Value
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, `<!doctype html><title>Department page</title><h1>Courses</h1>`+
			`<script src="`+advisorURL.Load().(string)+`/widget.js" defer></script>`)
	}))
	defer site.Close()
	siteURL := strings.Replace(site.URL, "127.0.0.1", "localhost", 1)
	advisor := httptest.NewServer(newServer(t, nil, func(c *web.Config) { c.WidgetOrigins = []string{siteURL} }).Handler())
	defer advisor.Close()
	advisorURL.Store(advisor.URL)

	if err := chromedp.Do(ctx,
		chromedp.Navigate(siteURL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`button[aria-expanded="false"]`)),
		chromedp.Click(chromedp.CSS(`button[aria-expanded]`)),
		chromedp.WaitVisible(chromedp.CSS(`iframe[title="VR App Advisor chat"]`)),
	); err != nil {
		t.Fatal(err)
	}
	if src := eval[string](t, ctx, `document.querySelector('iframe').src`); src != advisor.URL+"/embed" {
		t.Errorf("iframe src %q, want %s/embed", src, advisor.URL)
	}
	if expanded := eval[string](t, ctx, `document.querySelector('button[aria-expanded]').getAttribute('aria-expanded')`); expanded != "true" {
		t.Errorf("aria-expanded = %q after opening", expanded)
	}
}
