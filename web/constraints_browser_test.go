package web_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/web"
)

// paintingAnswer answers "free painting apps to play seated" as the chat
// does once it reads constraints: free seated apps, one whose price the
// catalog does not know, with a chip for each condition; asked without
// "free", the paid app too, still seated; without both, everything. Two
// needs in one message get a group each, with a note in the student's
// language.
func paintingAnswer(q vrrec.Question) *vrrec.Reply {
	free := vrrec.Constraint{Kind: vrrec.ConstraintFree, Hard: true, Label: "Free apps only"}
	seated := vrrec.Constraint{Kind: vrrec.ConstraintSeated, Hard: true, Label: "Seated play"}
	vermillion := vrrec.AppRecommendation{AppID: "vermillion", Name: "Vermillion", Category: "creativity", MatchPercent: 88, Price: "$19.99", Status: "available", Facets: []string{"Standing"}}
	multibrush := vrrec.AppRecommendation{AppID: "multibrush", Name: "Multibrush", Category: "creativity", MatchPercent: 80, Price: "Free", Status: "available", Facets: []string{"Seated", "Mixed reality"}}
	openbrush := vrrec.AppRecommendation{AppID: "open-brush", Name: "Open Brush", Category: "creativity", MatchPercent: 76, Price: "price not known", Status: "available", Facets: []string{"Seated"}}
	switch {
	case strings.Contains(q.Message, "statics"):
		statics := vrrec.AppRecommendation{AppID: "physics-playground", Name: "Physics Playground", Category: "education", MatchPercent: 70, Price: "Free", Status: "available", Facets: []string{"Seated"}}
		speech := vrrec.AppRecommendation{AppID: "virtualspeech", Name: "VirtualSpeech", Category: "education", MatchPercent: 90, Price: "Free", Status: "available", Facets: []string{"Seated"}}
		return &vrrec.Reply{Intent: "recommendation", Response: "Two things, seated:\n\n**Statics**\n1. **Physics Playground**\n\n**Presentation nerves**\n1. **VirtualSpeech**",
			Note: "Respondemos en inglés; entendimos dos temas.", Language: "es",
			Constraints: []vrrec.Constraint{seated}, Apps: []vrrec.AppRecommendation{statics, speech},
			Needs: []vrrec.Need{{Topic: "Statics", Query: "statics", Apps: []vrrec.AppRecommendation{statics}}, {Topic: "Presentation nerves", Query: "public speaking", Apps: []vrrec.AppRecommendation{speech}}}}
	case slices.Contains(q.Without, vrrec.ConstraintFree) && slices.Contains(q.Without, vrrec.ConstraintSeated):
		return &vrrec.Reply{Intent: "recommendation", Response: "Here are VR apps for **painting**:\n\n1. **Vermillion**\n2. **Multibrush**",
			Apps: []vrrec.AppRecommendation{vermillion, multibrush}}
	case slices.Contains(q.Without, vrrec.ConstraintFree):
		return &vrrec.Reply{Intent: "recommendation", Response: "Seated play: here are VR apps for **painting**:\n\n1. **Multibrush**\n2. **Open Brush**",
			Constraints: []vrrec.Constraint{seated}, Apps: []vrrec.AppRecommendation{multibrush, openbrush}}
	}
	openbrush.Unconfirmed = []string{free.Label}
	return &vrrec.Reply{Intent: "recommendation", Response: "Free apps only, seated play: here are VR apps for **painting**:\n\n1. **Multibrush**\n2. **Open Brush**",
		Constraints: []vrrec.Constraint{free, seated}, Apps: []vrrec.AppRecommendation{multibrush, openbrush}}
}

// The page shows what an answer applied as chips, each removable with the
// keyboard, which asks the same message again without it; cards show the
// facets that matter and what cannot be confirmed; an answer to several
// needs is grouped under a heading per need, below its note. The chat is
// scripted: the page is under test, not the chat's reading of the message.
func TestBrowserChipsNeedsAndFacets(t *testing.T) {
	ctx := browser(t)
	conv := newConversation(paintingAnswer)
	base := start(t, newServer(t, nil, func(c *web.Config) { c.Chat = conv }))

	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), ready, ask("free painting apps to play seated", 1)); err != nil {
		t.Fatal(err)
	}
	chips := eval[[]string](t, ctx, `[...document.querySelectorAll('#log li.msg.bot .chips button.chip')].map((b) => b.getAttribute('aria-label') + '|' + b.dataset.kind)`)
	if !slices.Equal(chips, []string{"Remove: Free apps only|free", "Remove: Seated play|seated"}) {
		t.Fatalf("chips %q, want \"Free apps only\" and \"Seated play\", removable", chips)
	}
	if visible := eval[string](t, ctx, `document.querySelector('#log .chip').textContent`); !strings.HasPrefix(visible, "Free apps only") {
		t.Errorf("the chip reads %q", visible)
	}
	facets := eval[[]string](t, ctx, `[...document.querySelectorAll('#log .card')].map((c) => [...c.querySelectorAll('.facets li')].map((l) => l.textContent).join(','))`)
	if !slices.Equal(facets, []string{"Seated,Mixed reality", "Seated"}) {
		t.Errorf("card facets %q", facets)
	}
	notes := eval[[]string](t, ctx, `[...document.querySelectorAll('#log .card')].map((c) => (c.querySelector('.unconfirmed') || {textContent: ''}).textContent)`)
	if !slices.Equal(notes, []string{"", "Not confirmed: Free apps only (price not known)"}) {
		t.Errorf("unconfirmed notes %q; want Open Brush's price said not to be known", notes)
	}
	if facts := eval[[]string](t, ctx, `[...document.querySelectorAll('#log .card .facts')].map((f) => f.textContent)`); !slices.Equal(facts, []string{"Free · available", "Price not known · available"}) {
		t.Errorf("card facts %q", facts)
	}
	axeScan(t, ctx, "an answer with a chip, facets and an unconfirmed price")

	// Removing a chip with the keyboard asks again without it; the new
	// answer's chips show what is still applied, and removing one of
	// those asks without both.
	const message = "free painting apps to play seated"
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(`#log .chip[data-kind="free"]`)), chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.CSS("#log li.msg.bot:nth-of-type(4)")), chromedp.WaitNotPresent(chromedp.CSS("#send[disabled]"))); err != nil {
		t.Fatal(err)
	}
	asked := conv.questions()
	if len(asked) != 2 || asked[1].Message != message || !slices.Equal(asked[1].Without, []string{vrrec.ConstraintFree}) || asked[1].SessionID != asked[0].SessionID {
		t.Fatalf("questions %+v; want the same message again, in the same session, without \"free\"", asked)
	}
	if chips := eval[[]string](t, ctx, `[...document.querySelectorAll('#log li.msg.bot:nth-of-type(4) .chip')].map((c) => c.dataset.kind)`); !slices.Equal(chips, []string{"seated"}) {
		t.Errorf("chips on the answer without \"free\": %q, want seated still applied", chips)
	}
	if echoed := eval[string](t, ctx, `document.querySelector('#log li.msg.user:nth-of-type(3)').textContent`); echoed != message {
		t.Errorf("the question asked again shows as %q", echoed)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#log li.msg.bot:nth-of-type(4) .chip[data-kind="seated"]`)),
		chromedp.WaitVisible(chromedp.CSS("#log li.msg.bot:nth-of-type(6)")), chromedp.WaitNotPresent(chromedp.CSS("#send[disabled]"))); err != nil {
		t.Fatal(err)
	}
	if asked := conv.questions(); len(asked) != 3 || asked[2].Message != message || !slices.Equal(asked[2].Without, []string{vrrec.ConstraintFree, vrrec.ConstraintSeated}) {
		t.Fatalf("questions %+v; want the message again without \"free\" and \"seated\"", asked)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('#log li.msg.bot:nth-of-type(6) .chip').length`); n != 0 {
		t.Errorf("%d chips on the answer without any condition", n)
	}
	if names := eval[[]string](t, ctx, `[...document.querySelectorAll('#log li.msg.bot:nth-of-type(6) .card h3')].map((h) => h.textContent)`); !slices.Equal(names, []string{"Vermillion", "Multibrush"}) {
		t.Errorf("apps without the conditions: %q", names)
	}

	// Several needs: a group each, under the note.
	if err := chromedp.Do(ctx, ask("quiero apps para statics and presentation nerves, seated", 4)); err != nil {
		t.Fatal(err)
	}
	last := `#log li.msg.bot:nth-of-type(8)`
	order := eval[[]string](t, ctx, `[...document.querySelectorAll('`+last+` .note, `+last+` .chip, `+last+` .need-title, `+last+` .card h4')].map((n) => n.className + ':' + n.textContent)`)
	want := []string{"note:Respondemos en inglés; entendimos dos temas.", "chip:Seated play×", "need-title:Statics", ":Physics Playground", "need-title:Presentation nerves", ":VirtualSpeech"}
	if !slices.Equal(order, want) {
		t.Errorf("the answer to two needs shows %q, want %q", order, want)
	}
	// The reply's own headings for the needs are not repeated above the groups.
	if opening := eval[string](t, ctx, `[...document.querySelectorAll('`+last+` > p, `+last+` > .opening > p')].map((p) => p.textContent).join('|')`); opening != "Respondemos en inglés; entendimos dos temas.|Two things, seated:" {
		t.Errorf("the answer's opening reads %q", opening)
	}
	if lang := eval[string](t, ctx, `document.querySelector('`+last+` .note').lang`); lang != "es" {
		t.Errorf("the note's lang is %q", lang)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('`+last+` .card .vote button').length`); n != 4 {
		t.Errorf("%d vote buttons on the two needs' cards, want 2 each", n)
	}
	axeScan(t, ctx, "an answer to two needs")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	if overflow := eval[bool](t, ctx, `document.documentElement.scrollWidth > window.innerWidth`); overflow {
		t.Error("chips, facets or needs make the page scroll sideways at phone width")
	}
	axeScan(t, ctx, "chips and needs at 375 px")
}

// Issue 21's test of the whole chat: "free painting apps" shows only free
// apps (an app whose price is not known only with that said) and a
// removable "free" chip; removing it asks again without the condition,
// and the paid painting apps come back. It needs the chat to read
// constraints from the message.
func TestBrowserFreePaintingApps(t *testing.T) {
	ctx := browser(t)
	base := start(t, newServer(t, nil, nil))
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), ready, ask("free painting apps", 1)); err != nil {
		t.Fatal(err)
	}
	chip := eval[string](t, ctx, `(document.querySelector('#log .chip[data-kind="free"]') || {getAttribute: () => ''}).getAttribute('aria-label')`)
	if !strings.HasPrefix(chip, "Remove: ") {
		t.Fatalf("no removable \"free\" chip on the answer (chips: %q)", eval[[]string](t, ctx, `[...document.querySelectorAll('#log .chip')].map((c) => c.textContent)`))
	}
	cards := eval[[]string](t, ctx, `[...document.querySelectorAll('#log .card')].map((c) => c.querySelector('h3').textContent + '|' + c.querySelector('.facts').textContent + '|' + (c.querySelector('.unconfirmed') || {textContent: ''}).textContent)`)
	if len(cards) == 0 {
		t.Fatal("no apps for free painting apps")
	}
	for _, c := range cards {
		parts := strings.Split(c, "|")
		if !strings.HasPrefix(parts[1], "Free") && parts[2] == "" {
			t.Errorf("card %q: neither free nor said to be unconfirmed", c)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#log .chip[data-kind="free"]`)),
		chromedp.WaitVisible(chromedp.CSS("#log li.msg.bot:nth-of-type(4)")), chromedp.WaitNotPresent(chromedp.CSS("#send[disabled]"))); err != nil {
		t.Fatal(err)
	}
	again := `#log li.msg.bot:nth-of-type(4)`
	if n := eval[int](t, ctx, `document.querySelectorAll('`+again+` .chip[data-kind="free"]').length`); n != 0 {
		t.Error("the answer asked without \"free\" still applies it")
	}
	prices := eval[[]string](t, ctx, `[...document.querySelectorAll('`+again+` .card .facts')].map((f) => f.textContent)`)
	if !slices.ContainsFunc(prices, func(p string) bool { return strings.HasPrefix(p, "$") }) {
		t.Errorf("without \"free\", the painting apps' prices are %q; want the paid ones back", prices)
	}
}
