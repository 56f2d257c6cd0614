package web_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/sqlite"
	"github.com/vrrec/vrrec/web"
)

// speakingAnswer is a recommendation of two real catalog apps.
func speakingAnswer(vrrec.Question) *vrrec.Reply {
	return &vrrec.Reply{
		Intent: "recommendation", Query: "public speaking", Topic: "public speaking",
		Response: "Here are VR apps for **public speaking**:\n\n1. **VirtualSpeech**\n2. **Ovation**",
		Apps: []vrrec.AppRecommendation{
			{AppID: "virtualspeech", Name: "VirtualSpeech", Category: "education", MatchPercent: 92, Price: "Free", Status: "available"},
			{AppID: "ovation", Name: "Ovation", Category: "education", MatchPercent: 81, Price: "$19.99", Status: "available"},
		},
	}
}

// After a reload, restored answers keep their vote buttons, pressed as
// the student voted; a vote given after the reload is saved like any other.
func TestBrowserRestoredAnswersKeepTheirVotes(t *testing.T) {
	ctx := browser(t)
	conv := newConversation(speakingAnswer)
	base, db := usageServer(t, func(c *web.Config, _ *sqlite.DB) { c.Chat = conv })

	card := func(n int, vote string) string {
		return `#log .card:nth-child(` + string(rune('0'+n)) + `) button[data-vote="` + vote + `"]`
	}
	pressed := func(sel string) string {
		return `document.querySelector('` + sel + `').getAttribute('aria-pressed') === 'true'`
	}
	answerVote := `#log li.msg.bot > .vote button[data-vote="not_what_i_asked"]`
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), ready, ask("I want to practice public speaking", 1),
		chromedp.Click(chromedp.CSS(card(1, "helpful"))),
		until(`document.querySelector('#log .card:nth-child(1) .vote-note').textContent.includes('Thanks')`),
		chromedp.Click(chromedp.CSS(answerVote)),
		until(`document.querySelector('#log li.msg.bot > .vote .vote-note').textContent.includes('Thanks')`),
		chromedp.Reload(), ready,
	); err != nil {
		t.Fatal(err)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('#log .card .vote button').length`); n != 4 {
		t.Fatalf("%d vote buttons on the restored cards, want 2 per card", n)
	}
	got := eval[[]bool](t, ctx, `[`+pressed(card(1, "helpful"))+`, `+pressed(card(1, "not_helpful"))+`, `+
		pressed(card(2, "helpful"))+`, `+pressed(card(2, "not_helpful"))+`, `+pressed(answerVote)+`]`)
	want := []bool{true, false, false, false, true}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("restored votes pressed %v, want %v (card 1 helpful, the answer not what I asked)", got, want)
		}
	}

	// Voting on the restored answer: a new vote, and a changed one.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(card(2, "not_helpful"))),
		until(`document.querySelector('#log .card:nth-child(2) .vote-note').textContent.includes('Thanks')`),
		chromedp.Click(chromedp.CSS(card(1, "not_helpful"))),
		until(`document.querySelector('#log .card:nth-child(1) .vote-note').textContent.includes('Thanks')`),
	); err != nil {
		t.Fatal(err)
	}
	user := conv.questions()[0].UserID
	votes, err := db.StudentFeedback(context.Background(), user)
	if err != nil {
		t.Fatal(err)
	}
	byApp := map[string]string{}
	for _, v := range votes {
		if v.InteractionID != conv.questions()[0].InteractionID {
			t.Errorf("vote %+v is on another interaction than the answer's %s", v, conv.questions()[0].InteractionID)
		}
		byApp[v.AppID] = v.Vote
	}
	if len(byApp) != 3 || byApp["virtualspeech"] != vrrec.VoteNotHelpful || byApp["ovation"] != vrrec.VoteNotHelpful || byApp[""] != vrrec.VoteNotWhatIAsked {
		t.Errorf("stored votes %v; want both apps not helpful (one changed after the reload) and the answer not what was asked", byApp)
	}
}
