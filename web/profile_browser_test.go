package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/privacy"
)

// lastBot is the text of the latest answer on the page.
const lastBot = `[...document.querySelectorAll('#log li.msg.bot')].pop().textContent`

// TestBrowserStudentProfile: a student says their major, reloads, asks
// "anything for my major?" and gets apps for it; clears the profile and the
// same question asks what they study; edits it on the panel; forgets, and
// the profile is gone from the page, the staff export and the store.
func TestBrowserStudentProfile(t *testing.T) {
	ctx := browser(t)
	base, db := privacyServer(t, nil)
	bg := context.Background()
	summary := `document.getElementById('profile-summary').textContent`

	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), ready, ask("I'm a nursing student", 1),
		until(summary+`.includes('You study nursing.')`)); err != nil {
		t.Fatal(err)
	}
	page, _, err := db.Interactions(bg, vrrec.InteractionFilter{Limit: 1})
	if err != nil || len(page) != 1 {
		t.Fatalf("interactions: %v, %v", page, err)
	}
	me := page[0].UserID

	// After a reload the panel still knows, and the vague question is
	// answered for nursing: Medicalholodeck, the catalog's nursing app.
	if err := chromedp.Do(ctx, chromedp.Reload(), ready, until(`document.getElementById('profile').dataset.known === 'true'`),
		ask("anything for my major?", 2)); err != nil {
		t.Fatal(err)
	}
	if got := eval[string](t, ctx, summary); got != "You study nursing." {
		t.Errorf("the panel after a reload: %q", got)
	}
	answer := eval[string](t, ctx, lastBot)
	if !strings.Contains(answer, "For nursing (from what you told me about your studies)") || !strings.Contains(answer, "Medicalholodeck") {
		t.Errorf("the vague question's answer: %.400q", answer)
	}
	if page, _, _ := db.Interactions(bg, vrrec.InteractionFilter{Limit: 1}); len(page) != 1 || strings.Join(page[0].AdjustedBy, ",") != "profile" {
		t.Errorf("the answer is not logged as personalised: %+v", page)
	}

	// Cleared from the panel, with the keyboard: the question asks what
	// they study.
	if err := chromedp.Do(ctx, run(`document.querySelector('#profile summary').focus()`), chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.CSS("#profile-clear")), run(`document.getElementById('profile-clear').focus()`), chromedp.KeyEvent("\r"),
		until(`document.getElementById('profile-status').textContent.startsWith('Cleared')`)); err != nil {
		t.Fatal(err)
	}
	if known := eval[string](t, ctx, `document.getElementById('profile').dataset.known + ' ' + document.getElementById('profile-major').value`); known != "false " {
		t.Errorf("after clearing: %q", known)
	}
	if err := chromedp.Do(ctx, ask("anything for my major?", 3)); err != nil {
		t.Fatal(err)
	}
	if answer := eval[string](t, ctx, lastBot); !strings.HasPrefix(answer, "What do you study?") {
		t.Errorf("after clearing, the vague question: %.300q", answer)
	}

	// Typed into the panel: saved and used.
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#profile-major"), "nursing"),
		chromedp.SendKeys(chromedp.CSS("#profile-courses"), "15-112, 21-127"), chromedp.Click(chromedp.CSS("#profile-save")),
		until(`document.getElementById('profile-status').textContent === 'Saved.'`)); err != nil {
		t.Fatal(err)
	}
	if p, _, _ := db.Profile(bg, me); p.Major != "nursing" || strings.Join(p.Courses, ",") != "15-112,21-127" {
		t.Errorf("saved from the panel: %+v", p)
	}
	svc := &privacy.Service{Kinds: []privacy.Kind{privacy.Profiles(db, 0)}}
	if exp, _ := svc.Export(bg, me); exp.Data["profile"].(privacy.ProfileExport).Profile.Major != "nursing" {
		t.Errorf("the export before the forget: %+v", exp.Data)
	}

	// Forget: the panel empties, and nothing is left in the export or
	// the store, after a reload too.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#forget")), chromedp.Click(chromedp.CSS("#forget-yes")),
		until(`document.getElementById('forget-done').textContent.startsWith('Your conversations were deleted')`)); err != nil {
		t.Fatal(err)
	}
	for _, when := range []string{"after the forget", "after a reload"} {
		if got := eval[string](t, ctx, `document.getElementById('profile').dataset.known + ' ' + document.getElementById('profile-courses').value`); got != "false " {
			t.Errorf("%s the panel shows %q", when, got)
		}
		if err := chromedp.Do(ctx, chromedp.Reload(), ready); err != nil {
			t.Fatal(err)
		}
	}
	if exp, _ := svc.Export(bg, me); exp.Data["profile"].(privacy.ProfileExport).Profile.Stated() {
		t.Errorf("the export after the forget: %+v", exp.Data)
	}
	if p, v, err := db.Profile(bg, me); p.Stated() || !v.At.IsZero() || err != nil {
		t.Errorf("the store after the forget: %+v %+v %v", p, v, err)
	}
}

// The "What I know about you" panel, open with a profile and a status,
// passes axe-core's WCAG 2.1 AA rules, on a phone's width too.
func TestBrowserProfilePanelAccessibility(t *testing.T) {
	needAxe(t)
	ctx := browser(t)
	base, _ := privacyServer(t, nil)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), ready, ask("I'm a sophomore in nursing and I'm taking 15-112", 1),
		chromedp.Click(chromedp.CSS("#profile summary")), chromedp.Click(chromedp.CSS("#profile-save")),
		until(`document.getElementById('profile-status').textContent === 'Saved.'`)); err != nil {
		t.Fatal(err)
	}
	axeScan(t, ctx, "the chat page with the profile panel open")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile), chromedp.Reload(), ready,
		chromedp.Click(chromedp.CSS("#profile summary"))); err != nil {
		t.Fatal(err)
	}
	axeScan(t, ctx, "the profile panel at 375 px")
}
