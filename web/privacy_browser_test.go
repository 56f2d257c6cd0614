package web_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/web"
)

// TestBrowserStudentForgetsTheirHistory: a student chats, then, with the
// keyboard alone, forgets their conversations and sees it confirmed; the
// staff dashboard shows none of their interactions afterwards but the same
// totals. Staff then export and delete another student from the log.
func TestBrowserStudentForgetsTheirHistory(t *testing.T) {
	ctx := browser(t)
	base, db := privacyServer(t, nil)
	bg := context.Background()
	if res := postChat(t, nil, base, "chemistry labs"); res.status != 200 {
		t.Fatalf("another student's chat: %d", res.status)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), ready, ask("I'm studying anatomy", 1), ask("public speaking", 2)); err != nil {
		t.Fatal(err)
	}
	page, _, err := db.Interactions(bg, vrrec.InteractionFilter{Limit: 10})
	if err != nil || len(page) != 3 {
		t.Fatalf("interactions: %d, %v", len(page), err)
	}
	me, other := page[0].UserID, page[2].UserID // newest first

	// Tab from the message box reaches the control; Enter asks, Enter confirms.
	if err := chromedp.Do(ctx, run(`document.getElementById('message').focus()`), chromedp.KeyEvent("\t"), chromedp.KeyEvent("\t")); err != nil {
		t.Fatal(err)
	}
	if id := eval[string](t, ctx, `document.activeElement.id`); id != "forget" {
		t.Fatalf("two tabs from the message box reach %q, want the forget button", id)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.CSS("#forget-confirm"))); err != nil {
		t.Fatal(err)
	}
	if q := eval[string](t, ctx, `document.activeElement.id + ' ' + document.getElementById('forget-question').textContent`); q[:11] != "forget-yes " {
		t.Fatalf("the question does not hold the focus on its answer: %q", q)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\r"), until(`document.getElementById('forget-done').textContent.length > 0`)); err != nil {
		t.Fatal(err)
	}
	done := eval[string](t, ctx, `document.getElementById('forget-done').textContent`)
	if done != "Your conversations were deleted (4 messages). You continue as a new visitor." {
		t.Errorf("confirmation on screen: %q", done)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('#log li').length`); n != 0 {
		t.Errorf("%d messages still on the page", n)
	}
	if err := chromedp.Do(ctx, chromedp.Reload(), ready); err != nil {
		t.Fatal(err)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('#log li').length`); n != 0 {
		t.Errorf("after a reload %d messages came back", n)
	}
	if _, n, _ := db.Interactions(bg, vrrec.InteractionFilter{UserID: me}); n != 0 {
		t.Errorf("%d interactions of the forgotten student stored", n)
	}

	// The dashboard: the same totals, none of the student's rows.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/admin"), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="login"]`)),
		chromedp.SendKeys(chromedp.CSS("#password"), "staff-password"), chromedp.Click(chromedp.CSS("#login-button")),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="dashboard"]`)),
		until(`document.getElementById('stat-total').textContent !== '–'`),
	); err != nil {
		t.Fatal(err)
	}
	if total := eval[string](t, ctx, `document.getElementById('stat-total').textContent`); total != "3" {
		t.Errorf("interactions shown after the forget: %q, want 3", total)
	}
	if note := eval[string](t, ctx, `document.getElementById('summarized').textContent`); note == "" {
		t.Error("the dashboard does not say that a day is counted from daily totals")
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#filter-user"), me+"\r"),
		until(`document.querySelector('#logs tbody').textContent.includes('No interactions of this user.')`)); err != nil {
		t.Fatalf("the forgotten student's rows on the dashboard: %v", err)
	}

	// Staff open the other student's interaction, show all of theirs,
	// export, then delete with confirmation.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#filter-clear")),
		until(`document.querySelectorAll('#logs tbody tr').length === 1 && !document.querySelector('#logs tbody .empty')`),
		chromedp.Click(chromedp.CSS("#logs tbody button[data-index]")), chromedp.WaitVisible(chromedp.CSS("#detail")),
		chromedp.Click(chromedp.CSS("#detail-user")),
		until(`!document.getElementById('student').hidden`),
		chromedp.Click(chromedp.CSS("#student-export")),
		until(`document.getElementById('student-status').textContent.startsWith('Exported')`),
		chromedp.Click(chromedp.CSS("#student-delete")), chromedp.WaitVisible(chromedp.CSS("#student-confirm")),
		chromedp.Click(chromedp.CSS("#student-confirm-delete")),
		until(`document.getElementById('student-status').textContent.startsWith('Deleted')`),
	); err != nil {
		t.Fatal(err)
	}
	if status := eval[string](t, ctx, `document.getElementById('student-status').textContent`); status != "Deleted: 1 interactions, 2 messages." {
		t.Errorf("after the deletion: %q", status)
	}
	if id := eval[string](t, ctx, `document.getElementById('student-id').textContent`); id != other {
		t.Errorf("the actions name %q, want %q", id, other)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/admin/staff"), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="staff"]`)),
		until(`document.querySelector('#audit tbody').textContent.includes('forget_student')`)); err != nil {
		t.Errorf("the deletion is not in the staff actions: %v", err)
	}
	if _, n, _ := db.Interactions(bg, vrrec.InteractionFilter{}); n != 0 {
		t.Errorf("%d interactions left", n)
	}
	if st, _ := db.Stats(bg, time.Time{}); st.Total != 3 {
		t.Errorf("statistics after both deletions: %d interactions, want 3", st.Total)
	}
}

// While an answer is on its way the page does not forget: the answer
// would be stored after the forget, under the old identity.
func TestBrowserForgetWaitsForTheAnswer(t *testing.T) {
	ctx := browser(t)
	release := make(chan struct{})
	var forgets atomic.Int32
	base, _ := privacyServer(t, func(c *web.Config) {
		c.Chat = scriptedChat{answer: func(ctx context.Context, message string) (*vrrec.Reply, error) {
			select {
			case <-release:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return &vrrec.Reply{Response: "Here you are.", Type: "text", Intent: "help", Apps: []vrrec.AppRecommendation{}}, nil
		}}
		c.Privacy = countingPrivacy{c.Privacy, &forgets}
	})
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), ready,
		chromedp.SendKeys(chromedp.CSS("#message"), "hello"), chromedp.Click(chromedp.CSS("#send")),
		chromedp.WaitVisible(chromedp.CSS("#send[disabled]")),
		chromedp.Click(chromedp.CSS("#forget")), chromedp.Click(chromedp.CSS("#forget-yes")),
		until(`document.getElementById('forget-done').textContent.length > 0`),
	); err != nil {
		t.Fatal(err)
	}
	if msg := eval[string](t, ctx, `document.getElementById('forget-done').textContent`); !strings.Contains(msg, "wait for the answer") || forgets.Load() != 0 {
		t.Errorf("forget during an answer: %q, %d forgets sent", msg, forgets.Load())
	}
	close(release)
	if err := chromedp.Do(ctx, chromedp.WaitNotPresent(chromedp.CSS("#send[disabled]")),
		chromedp.Click(chromedp.CSS("#forget")), chromedp.Click(chromedp.CSS("#forget-yes")),
		until(`document.getElementById('forget-done').textContent.startsWith('Your conversations were deleted')`),
	); err != nil {
		t.Fatal(err)
	}
	if n := forgets.Load(); n != 1 {
		t.Errorf("%d forgets sent after the answer, want 1", n)
	}
}

// countingPrivacy counts forgets.
type countingPrivacy struct {
	web.Privacy
	n *atomic.Int32
}

func (c countingPrivacy) Forget(ctx context.Context, userID string) (vrrec.Forgotten, error) {
	c.n.Add(1)
	return c.Privacy.Forget(ctx, userID)
}
