package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/ulule/limiter/v3"

	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/ratelimit"
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
	// Every card shows its app's price and status, as the server words them.
	if facts := eval[string](t, ctx, `[...document.querySelectorAll('#log .card')].map(c => (c.querySelector('.facts') || {}).textContent).join('|')`); strings.Count(facts, " · available") != cards {
		t.Errorf("card facts %q: want a price and the status on each of %d cards", facts, cards)
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

// retryRecorder remembers when the server last refused a request with 429
// and the Retry-After it sent.
type retryRecorder struct {
	http.ResponseWriter
	seen func(retryAfter string)
}

func (r retryRecorder) WriteHeader(code int) {
	if code == http.StatusTooManyRequests {
		r.seen(r.Header().Get("Retry-After"))
	}
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap lets the event stream reach Flush.
func (r retryRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Issue 15, item 4: over the chat limit, the page says so in the
// conversation, in view above the input bar, with the time to wait
// counting down; nothing can be sent, and no "Try again" is offered, until
// the time given in Retry-After has passed. Before, the refusal showed a
// "Try again" button at once, with no time, below the visible part of a
// long conversation.
func TestBrowserShowsTheLimitAndWaits(t *testing.T) {
	ctx := browser(t)
	srv := newServer(t, nil, func(c *web.Config) {
		c.Limits = &web.Limits{Limiter: &ratelimit.Limiter{Store: &ratelimit.Memory{}},
			Chat: []limiter.Rate{{Formatted: "1/4s", Period: 4 * time.Second, Limit: 1}}}
	})
	var mu sync.Mutex
	var refusedAt time.Time
	var retryAfter int
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srv.Handler().ServeHTTP(retryRecorder{w, func(v string) {
			mu.Lock()
			defer mu.Unlock()
			refusedAt, retryAfter = time.Now(), 0
			retryAfter, _ = strconv.Atoi(v)
		}}, r)
	}))
	defer ts.Close()

	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(900, 600),
		chromedp.Navigate(ts.URL+"/"), ready, ask("anatomy", 1),
		chromedp.SendKeys(chromedp.CSS("#message"), "astronomy"),
		chromedp.Click(chromedp.CSS("#send")),
		chromedp.WaitVisible(chromedp.CSS("#log li.msg.limit")),
	); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	refused, wait := refusedAt, retryAfter
	mu.Unlock()
	if wait < 1 || wait > 4 {
		t.Fatalf("Retry-After %d, want 1-4 seconds", wait)
	}
	notice := eval[string](t, ctx, `document.querySelector('#log li.msg.limit').textContent`)
	if !regexp.MustCompile(`You can ask again in [1-4] seconds?\.`).MatchString(notice) {
		t.Errorf("the notice says %q; want the time to wait", notice)
	}
	// In view, above the input bar, not hidden under it.
	if inView := eval[bool](t, ctx, `(() => {
		const n = document.querySelector('#log li.msg.limit').getBoundingClientRect();
		const bar = document.querySelector('#ask').getBoundingClientRect();
		const hit = document.elementFromPoint(n.left + n.width / 2, n.bottom - 4);
		return n.top >= 0 && n.bottom <= bar.top + 1 && hit !== null && hit.closest('li.msg.limit') !== null;
	})()`); !inView {
		t.Error("the notice is not in view above the input bar")
	}
	if buttons := eval[int](t, ctx, `document.querySelectorAll('#log li.msg.limit button, #log li.msg.error button').length`); buttons != 0 {
		t.Errorf("%d buttons offer to try again before the limit resets", buttons)
	}
	label := eval[string](t, ctx, `document.querySelector('#send').textContent`)
	if !eval[bool](t, ctx, `document.querySelector('#send').disabled`) || !regexp.MustCompile(`^Wait 0:0[1-4]$`).MatchString(label) {
		t.Errorf("send button %q, disabled %v; want disabled with a countdown", label, eval[bool](t, ctx, `document.querySelector('#send').disabled`))
	}
	// Enter does not send either: the text stays for later.
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#message"), "geology\r"), chromedp.Sleep(300*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if users, text := eval[int](t, ctx, `document.querySelectorAll('#log li.msg.user').length`), eval[string](t, ctx, `document.querySelector('#message').value`); users != 2 || strings.TrimSpace(text) != "geology" {
		t.Errorf("while waiting, Enter sent something: %d messages shown, box holds %q", users, text)
	}

	// The send button comes back once the wait is over, not before.
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#send:not([disabled])"))); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(refused); waited < time.Duration(wait)*time.Second-100*time.Millisecond {
		t.Errorf("the send button came back after %s; Retry-After said %d s", waited, wait)
	}
	if label := eval[string](t, ctx, `document.querySelector('#send').textContent`); label != "Send" {
		t.Errorf("send button %q after the wait", label)
	}
	if notice := eval[string](t, ctx, `document.querySelector('#log li.msg.limit').textContent`); !strings.Contains(notice, "You can ask again now.") {
		t.Errorf("after the wait the notice says %q", notice)
	}
	// Now, and only now, the refused message can go again.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#log li.msg.limit button")),
		chromedp.WaitVisible(chromedp.CSS("#log li.msg.limit ~ li.msg.bot")),
	); err != nil {
		t.Fatal(err)
	}
	if users := eval[int](t, ctx, `document.querySelectorAll('#log li.msg.user').length`); users != 2 {
		t.Errorf("%d user messages shown; sending again must not repeat the question", users)
	}
}
