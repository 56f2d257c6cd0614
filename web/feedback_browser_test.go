package web_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/admin"
	"github.com/vrrec/vrrec/privacy"
	"github.com/vrrec/vrrec/sqlite"
	"github.com/vrrec/vrrec/web"
)

// TestBrowserFeedbackReachesTheDashboard: a student votes on two cards
// (one with the keyboard) and marks an answer "not what I asked"; staff
// see the votes, the unmet question and save the answer as a labeled query.
// Then the student forgets their conversations: their votes leave the
// dashboard.
func TestBrowserFeedbackReachesTheDashboard(t *testing.T) {
	ctx := browser(t)
	settings := map[string]string{"APP_SEARCH_TOPICS": "anatomy"}
	base, db := usageServer(t, func(c *web.Config, db *sqlite.DB) {
		c.Settings, _ = admin.NewSettings(db, func(k string) string { return settings[k] }, testKey)
		c.Privacy = &privacy.Service{Kinds: []privacy.Kind{privacy.Interactions(db, 0), privacy.Feedback(db, 0)}}
	})
	bg := context.Background()

	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), ready, ask("I want to practice public speaking", 1)); err != nil {
		t.Fatal(err)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('#log .card .vote button[aria-pressed="false"]').length`); n < 4 {
		t.Fatalf("%d vote buttons on the cards, want two per card", n)
	}
	names := eval[[]string](t, ctx, `[...document.querySelectorAll('#log .card h3')].slice(0, 2).map((h) => h.textContent)`)
	if err := chromedp.Do(ctx,
		// The first card by mouse: helpful.
		chromedp.Click(chromedp.CSS(`#log .card:nth-child(1) button[data-vote="helpful"]`)),
		until(`document.querySelector('#log .card:nth-child(1) button[data-vote="helpful"]').getAttribute('aria-pressed') === 'true'`),
		until(`document.querySelector('#log .card:nth-child(1) .vote-note').textContent.includes('Thanks')`),
		// The second card by keyboard: Tab order reaches it; Enter presses.
		chromedp.Focus(chromedp.CSS(`#log .card:nth-child(2) button[data-vote="not_helpful"]`)),
		chromedp.KeyEvent("\r"),
		until(`document.querySelector('#log .card:nth-child(2) button[data-vote="not_helpful"]').getAttribute('aria-pressed') === 'true'`),
		until(`document.querySelector('#log .card:nth-child(2) .vote-note').textContent.includes('Thanks')`),
		// The answer as a whole.
		chromedp.Click(chromedp.CSS(`#log li.msg.bot button[data-vote="not_what_i_asked"]`)),
		until(`document.querySelector('#log li.msg.bot button[data-vote="not_what_i_asked"]').getAttribute('aria-pressed') === 'true'`),
		until(`document.querySelector('#log li.msg.bot > .vote .vote-note').textContent.includes('Thanks')`),
		// A question the catalog cannot answer, for the demand report.
		ask("how to fold origami cranes", 2),
	); err != nil {
		t.Fatal(err)
	}
	// Space toggles a pressed button off again, and on: keyboard users can change their mind.
	if err := chromedp.Do(ctx,
		chromedp.Focus(chromedp.CSS(`#log .card:nth-child(1) button[data-vote="helpful"]`)),
		chromedp.KeyEvent(" "),
		until(`document.querySelector('#log .card:nth-child(1) button[data-vote="helpful"]').getAttribute('aria-pressed') === 'false'`),
		chromedp.KeyEvent(" "),
		until(`document.querySelector('#log .card:nth-child(1) button[data-vote="helpful"]').getAttribute('aria-pressed') === 'true'`),
		until(`document.querySelector('#log .card:nth-child(1) .vote-note').textContent.includes('Thanks')`),
	); err != nil {
		t.Fatal(err)
	}
	votes, err := db.Feedback(bg, time.Time{})
	if err != nil || len(votes) != 3 {
		t.Fatalf("votes stored: %+v, %v", votes, err)
	}
	waitStored(t, db, 2)

	login(t, ctx, base)
	if err := chromedp.Do(ctx,
		until(`document.querySelector('#feedback-total').textContent === '3 votes'`),
		until(`!!document.querySelector('#demand tbody td.query') && document.querySelector('#demand tbody').textContent.includes('origami')`),
	); err != nil {
		t.Fatalf("the dashboard did not show the votes and the unmet question: %v", err)
	}
	apps := eval[[][]string](t, ctx, `[...document.querySelectorAll('#feedback-apps tbody tr')].map((r) => [...r.cells].map((c) => c.textContent))`)
	// Apps by name, their id beside: "ENGAGE (engage)".
	votedFor := func(name, helpful, not string) func(r []string) bool {
		return func(r []string) bool {
			return strings.HasPrefix(r[0], name+" (") && strings.HasSuffix(r[0], ")") && slices.Equal(r[1:], []string{helpful, not})
		}
	}
	if !slices.ContainsFunc(apps, votedFor(names[0], "1", "0")) || !slices.ContainsFunc(apps, votedFor(names[1], "0", "1")) {
		t.Errorf("helpfulness per app %q, want %s helpful and %s not", apps, names[0], names[1])
	}
	topics := eval[[][]string](t, ctx, `[...document.querySelectorAll('#feedback-topics tbody tr')].map((r) => [...r.cells].map((c) => c.textContent))`)
	if len(topics) != 1 || topics[0][1] != "1" || topics[0][2] != "1" || topics[0][3] != "1" {
		t.Errorf("helpfulness per topic: %q", topics)
	}
	flagged := eval[string](t, ctx, `document.querySelector('#feedback-flagged').textContent`)
	if !strings.Contains(flagged, names[1]) || !strings.Contains(flagged, "I want to practice public speaking") {
		t.Errorf("most often not helpful: %q, want %s with the question", flagged, names[1])
	}
	if nwia := eval[string](t, ctx, `document.querySelector('#feedback-nwia').textContent`); nwia != "I want to practice public speaking" {
		t.Errorf("not what I asked: %q", nwia)
	}

	// The origami topic becomes a topic of the web search for apps: the
	// page proposes it cleaned of the asking words, staff may edit it,
	// and nothing is saved before they do.
	if err := chromedp.Do(ctx,
		run(`[...document.querySelectorAll('#demand tbody tr')].find((r) => r.textContent.includes('origami')).querySelector('button').click()`),
		chromedp.WaitVisible(chromedp.CSS("#topic-edit")),
	); err != nil {
		t.Fatal(err)
	}
	if proposed := eval[string](t, ctx, `document.getElementById('topic-edit').value`); proposed != "fold origami cranes" {
		t.Errorf("proposed search topic %q, want %q", proposed, "fold origami cranes")
	}
	if stored, _ := db.Config(bg); strings.Contains(stored["APP_SEARCH_TOPICS"], "origami") {
		t.Errorf("the topic was saved before staff saved it: %q", stored["APP_SEARCH_TOPICS"])
	}
	if err := chromedp.Do(ctx,
		run(`document.getElementById('topic-edit').value = 'origami'`),
		chromedp.Click(chromedp.CSS("#topic-save")),
		until(`document.querySelector('#demand-message').textContent.includes('added to the app search topics')`),
	); err != nil {
		t.Fatal(err)
	}
	if stored, err := db.Config(bg); err != nil || stored["APP_SEARCH_TOPICS"] != "anatomy\norigami" {
		t.Errorf("app search topics after adding the demand topic: %q, %v", stored["APP_SEARCH_TOPICS"], err)
	}

	// Label the question from its detail view: the first app relevant,
	// the second acceptable.
	if err := chromedp.Do(ctx,
		run(`[...document.querySelectorAll('#logs tbody tr')].find((r) => r.textContent.includes('public speaking')).querySelector('button[data-index]').click()`),
		chromedp.WaitVisible(chromedp.CSS("#label-apps")),
		chromedp.Click(chromedp.CSS(`#label-apps tr:nth-child(1) input[value="relevant"]`)),
		chromedp.Click(chromedp.CSS(`#label-apps tr:nth-child(2) input[value="acceptable"]`)),
		chromedp.Click(chromedp.CSS("#label-save")),
		until(`document.querySelector('#label-message').textContent.startsWith('Saved: 1 relevant, 1 acceptable')`),
	); err != nil {
		t.Fatal(err)
	}
	labeled, err := db.LabeledQueries(bg)
	all, _, _ := db.Interactions(bg, vrrec.InteractionFilter{})
	i := slices.IndexFunc(all, func(it vrrec.Interaction) bool { return it.Query == "I want to practice public speaking" })
	if err != nil || i < 0 || len(labeled) != 1 || labeled[0].Query != all[i].Query || labeled[0].InteractionID != all[i].ID ||
		!slices.Equal(labeled[0].Relevant, all[i].Apps[:1]) || !slices.Equal(labeled[0].Acceptable, all[i].Apps[1:2]) {
		t.Errorf("labeled query saved from the page: %+v, %v (interactions %+v)", labeled, err, all)
	}

	// The student forgets their conversations: the dashboard counts no
	// votes of theirs any more.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), ready,
		chromedp.Click(chromedp.CSS("#forget")), chromedp.WaitVisible(chromedp.CSS("#forget-confirm")),
		chromedp.Click(chromedp.CSS("#forget-yes")),
		until(`document.getElementById('forget-done').textContent.length > 0`),
		chromedp.Navigate(base+"/admin"), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="dashboard"]`)),
		until(`document.querySelector('#feedback-total').textContent === '0 votes'`),
	); err != nil {
		t.Fatalf("after the student's forget the dashboard shows %q: %v", eval[string](t, ctx, `document.querySelector('#feedback-total').textContent`), err)
	}
	if votes, err := db.Feedback(bg, time.Time{}); err != nil || len(votes) != 0 {
		t.Errorf("votes left after the forget: %+v, %v", votes, err)
	}
}

// Without the usage reports (or with them failing), their sections say so
// and the rest of the dashboard stays: no page-wide alert.
func TestBrowserDashboardWithoutUsageReports(t *testing.T) {
	ctx := browser(t)
	base, _ := usageServer(t, func(c *web.Config, _ *sqlite.DB) { c.Usage = nil })
	login(t, ctx, base)
	if err := chromedp.Do(ctx,
		until(`document.querySelector('#feedback-total').textContent.includes('not available')`),
		until(`document.querySelector('#demand-message').textContent.includes('not available')`),
		until(`document.querySelector('#stat-total').textContent === '0'`),
	); err != nil {
		t.Fatal(err)
	}
	if !eval[bool](t, ctx, `document.getElementById('notice').hidden`) {
		t.Errorf("a page-wide alert: %q", eval[string](t, ctx, `document.getElementById('notice').textContent`))
	}
}
