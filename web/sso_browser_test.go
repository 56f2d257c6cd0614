package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// A staff member signs in through the university's provider from the
// staff page, lands on the dashboard as themselves, and signs out.
func TestBrowserSSOSignInAndOut(t *testing.T) {
	ctx := browser(t)
	base, _, _ := ssoServer(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/admin"), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="login"]`)),
		chromedp.WaitVisible(chromedp.CSS("#sso-link")), chromedp.Click(chromedp.CSS("#sso-link")),
		// The provider's own login page.
		chromedp.WaitVisible(chromedp.CSS("form[action='/login/username'] #username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "ada"), chromedp.SendKeys(chromedp.CSS("#password"), "ada-password"),
		chromedp.Click(chromedp.CSS("form[action='/login/username'] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="dashboard"]`)),
	); err != nil {
		t.Fatal(err)
	}
	if who := eval[string](t, ctx, `document.getElementById('whoami').textContent`); who != "Ada Lovelace (admin)" {
		t.Errorf("signed in as %q", who)
	}
	if !eval[bool](t, ctx, `getComputedStyle(document.querySelector('#nav a[data-view="staff"]')).display !== 'none'`) {
		t.Error("an admin by groups does not see the staff page link")
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="login"]`)),
		chromedp.Navigate(base+"/admin"), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="login"]`))); err != nil {
		t.Fatalf("after signing out the page does not ask to sign in: %v", err)
	}
}
