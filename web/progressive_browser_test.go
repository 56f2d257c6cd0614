package web_test

import (
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vrrec/vrrec/internal/fakeopenai"
)

// watchAnswer, run before a question is sent, records in the page (in ms
// from the submit) when the first card appears with the cards' names then,
// and when the first model reason does.
const watchAnswer = `(() => {
  const w = window.__watch = { firstCard: -1, modelReason: -1, firstNames: [] };
  let sent = 0;
  document.getElementById('ask').addEventListener('submit', () => { sent = performance.now(); }, true);
  new MutationObserver(() => {
    const cards = document.querySelectorAll('#log .card');
    if (w.firstCard < 0 && cards.length) {
      w.firstCard = performance.now() - sent;
      w.firstNames = [...cards].map((c) => c.querySelector('h3').textContent);
    }
    if (w.modelReason < 0 && [...document.querySelectorAll('#log .card .reason')].some((r) => r.textContent.startsWith('Model reason'))) {
      w.modelReason = performance.now() - sent;
    }
  }).observe(document.getElementById('log'), { childList: true, subtree: true, characterData: true });
})()`

// slowModel is a fake model answering after delay (rankWithoutBest, or
// status when set); answered says whether it has.
func slowModel(t *testing.T, delay time.Duration, status int) (*fakeopenai.Server, *atomic.Bool) {
	var answered atomic.Bool
	f := fakeopenai.Start(func(n int, req fakeopenai.Request) fakeopenai.Answer {
		time.Sleep(delay)
		answered.Store(true)
		if status != 0 {
			return fakeopenai.Answer{Status: status}
		}
		return rankWithoutBest(n, req)
	})
	t.Cleanup(f.Close)
	return f, &answered
}

// With a model that takes 5 s, the cards come at once, while the model
// still holds its request; its order and reasons then replace retrieval's
// in place: the cards slide to its order, focus stays on the button the
// student was on, a vote given before the update stands, and one quiet
// "updated" is announced.
func TestBrowserShowsCardsBeforeTheModelAnswers(t *testing.T) {
	ctx := browser(t)
	model, answered := slowModel(t, 5*time.Second, 0)
	base, _, _ := progressiveServer(t, model, 3*time.Second, 45*time.Second)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), ready, run(watchAnswer),
		chromedp.SendKeys(chromedp.CSS("#message"), "I want to practice public speaking"), chromedp.Click(chromedp.CSS("#send")),
		chromedp.WaitVisible(chromedp.CSS("#log .card"))); err != nil {
		t.Fatal(err)
	}
	// The model has the request and has not answered: the cards came first.
	for deadline := time.Now().Add(2 * time.Second); model.Calls() == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
	}
	if model.Calls() != 1 || answered.Load() {
		t.Fatalf("cards shown with %d model calls, answered %v; want them while the model holds its request", model.Calls(), answered.Load())
	}
	if eval[bool](t, ctx, `[...document.querySelectorAll('#log .card .reason')].some((r) => r.textContent.startsWith('Model reason'))`) {
		t.Error("the first cards already carry the model's reasons")
	}
	first := eval[[]string](t, ctx, `window.__watch.firstNames`)
	// A vote now binds the apps shown now: the first card's, which the
	// model will leave out.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#log .card:first-child button[data-vote="helpful"]`)),
		until(`document.querySelector('#log .card:first-child .vote-note').textContent.includes('Thanks')`)); err != nil {
		t.Fatalf("vote on the first answer: %v", err)
	}
	// The student moves to the second card's Details button.
	if err := chromedp.Do(ctx, run(`(() => { const b = document.querySelector('#log .card:nth-child(2) .actions button'); b.dataset.focused = '1'; b.focus(); })()`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, until(`window.__watch.modelReason > 0`), chromedp.WaitNotPresent(chromedp.CSS("#send[disabled]"))); err != nil {
		t.Fatalf("the model's reasons never came: %v", err)
	}
	firstCard, modelReason := eval[float64](t, ctx, `window.__watch.firstCard`), eval[float64](t, ctx, `window.__watch.modelReason`)
	t.Logf("first card after %.0f ms, the model's reasons after %.0f ms", firstCard, modelReason)
	if firstCard < 0 || firstCard >= 1000 || modelReason < 4500 {
		t.Errorf("first card after %.0f ms, the model's reasons after %.0f ms; want the cards under 1 s, the reasons after the model's 5 s", firstCard, modelReason)
	}
	final := eval[[]string](t, ctx, `[...document.querySelectorAll('#log .card h3')].map((h) => h.textContent)`)
	if len(final) == 0 || slices.Equal(final, first) || slices.Contains(final, first[0]) {
		t.Errorf("cards %v after the update (first %v); want the model's order without retrieval's best", final, first)
	}
	if reasons := eval[[]string](t, ctx, `[...document.querySelectorAll('#log .card .reason')].map((r) => r.textContent)`); !allPrefixed(reasons, "Model reason") {
		t.Errorf("reasons after the update: %q", reasons)
	}
	if focused := eval[string](t, ctx, `document.activeElement.dataset.focused || document.activeElement.id || document.activeElement.tagName`); focused != "1" {
		t.Errorf("focus on %q after the update; want the Details button the student was on", focused)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('#log li.msg.bot').length`); n != 1 {
		t.Errorf("%d answers in the conversation; want the one, updated in place", n)
	}
	if said := eval[string](t, ctx, `document.querySelector('body > p[role="status"].visually-hidden').textContent`); said != "Answer updated: the picks changed." {
		t.Errorf("announced %q", said)
	}
	if live := eval[string](t, ctx, `document.querySelector('#log li.msg.bot').getAttribute('aria-live')`); live != "off" {
		t.Errorf("the updated answer's aria-live %q; want off, so the update is not read out again", live)
	}
	if errs := eval[int](t, ctx, `document.querySelectorAll('#log .msg.error, [role="alert"]:not([hidden])').length`); errs != 0 {
		t.Errorf("%d errors shown", errs)
	}
	// A vote from now on carries the final answer's token.
	if err := chromedp.Do(ctx, until(`document.getAnimations().length === 0`), chromedp.Click(chromedp.CSS(`#log .card:first-child button[data-vote="not_helpful"]`)),
		until(`document.querySelector('#log .card:first-child .vote-note').textContent.includes('Thanks')`)); err != nil {
		t.Fatalf("vote on the final answer: %v; the card says %q", err, eval[string](t, ctx, `document.querySelector('#log .card:first-child').textContent`))
	}
	axeScan(t, ctx, "the chat page with an updated answer")
}

// In the widget's page, a model that fails leaves the first cards as the
// answer, with no error shown and nothing announced.
func TestBrowserKeepsTheCardsWhenTheModelFails(t *testing.T) {
	ctx := browser(t)
	model, _ := slowModel(t, time.Second, http.StatusInternalServerError)
	base, _, _ := progressiveServer(t, model, 3*time.Second, 45*time.Second)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/embed"), ready, run(watchAnswer),
		chromedp.SendKeys(chromedp.CSS("#message"), "I want to practice public speaking"), chromedp.Click(chromedp.CSS("#send")),
		chromedp.WaitVisible(chromedp.CSS("#log .card"))); err != nil {
		t.Fatal(err)
	}
	first := eval[[]string](t, ctx, `[...document.querySelectorAll('#log .card')].map((c) => c.textContent)`)
	if err := chromedp.Do(ctx, chromedp.WaitNotPresent(chromedp.CSS("#send[disabled]"))); err != nil {
		t.Fatal(err)
	}
	if model.Calls() == 0 {
		t.Fatal("the model was never asked")
	}
	if after := eval[[]string](t, ctx, `[...document.querySelectorAll('#log .card')].map((c) => c.textContent)`); !slices.Equal(after, first) {
		t.Errorf("cards after the model failed:\n%q\nwant them unchanged:\n%q", after, first)
	}
	if errs := eval[int](t, ctx, `document.querySelectorAll('#log .msg.error, [role="alert"]:not([hidden])').length`); errs != 0 {
		t.Errorf("%d errors shown", errs)
	}
	if said := eval[string](t, ctx, `document.querySelector('body > p[role="status"].visually-hidden').textContent`); said != "" {
		t.Errorf("announced %q for an answer that did not change", said)
	}
}

func allPrefixed(ss []string, prefix string) bool {
	for _, s := range ss {
		if !strings.HasPrefix(s, prefix) {
			return false
		}
	}
	return len(ss) > 0
}
