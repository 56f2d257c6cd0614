package web_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vrrec/vrrec"
)

// TestBrowserDashboardPersonalisation: the dashboard shows how many
// answers the profile changed, out of all recommendations, and the votes
// on them against plain answers.
func TestBrowserDashboardPersonalisation(t *testing.T) {
	base, db := usageServer(t, nil)
	bg := context.Background()
	now := time.Now()
	for i := range 4 {
		it := vrrec.Interaction{ID: fmt.Sprint("it-", i), UserID: fmt.Sprint("u", i), SessionID: "s", Query: "anatomy", Intent: "recommendation",
			Apps: []string{"3d-organon-vr-anatomy"}, Time: now.Add(-time.Duration(i) * time.Minute)}
		vote := vrrec.VoteNotHelpful
		if i == 0 { // one answer from the profile, voted helpful
			it.Query, it.AdjustedBy, vote = "anything for my major?", []string{vrrec.AdjustedByProfile}, vrrec.VoteHelpful
		}
		if err := db.Record(bg, it); err != nil {
			t.Fatal(err)
		}
		if err := db.SaveFeedback(bg, vrrec.Feedback{UserID: it.UserID, InteractionID: it.ID, AppID: it.Apps[0], Vote: vote, Time: it.Time}); err != nil {
			t.Fatal(err)
		}
	}
	ctx := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/admin"), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="login"]`)),
		chromedp.SendKeys(chromedp.CSS("#password"), "staff-password"), chromedp.Click(chromedp.CSS("#login-button")),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="dashboard"]`)),
		until(`document.querySelectorAll('#feedback-personal tbody tr').length === 4`)); err != nil {
		t.Fatal(err)
	}
	rows := eval[[]string](t, ctx, `[...document.querySelectorAll('#feedback-personal tbody tr')].map((r) => [...r.cells].map((c) => c.textContent).join(' | '))`)
	want := []string{"From the student's profile | 1 (25%) | 1 | 0 | 0", "With the course page's course | 0 (0%) | 0 | 0 | 0",
		"Ranked by the student's votes | 0 (0%) | 0 | 0 | 0", "Plain (not personalised) | 3 | 0 | 3 | 0"}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Errorf("personalisation rows:\n got %q\nwant %q", rows, want)
	}
}
