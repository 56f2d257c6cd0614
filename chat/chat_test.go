package chat_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/chat"
	"github.com/vrrec/vrrec/internal/inmem"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/rag"
)

func newService(t *testing.T) *chat.Service {
	eng := testenv.DefaultEngine(t)
	return chat.New(func() chat.Engine { return eng }, inmem.NewSessions(), slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func ask(t *testing.T, s *chat.Service, user, session, msg string) *vrrec.Reply {
	t.Helper()
	r, err := s.Answer(context.Background(), vrrec.Question{UserID: user, SessionID: session, Message: msg}, nil)
	if err != nil {
		t.Fatalf("Answer(%q): %v", msg, err)
	}
	return r
}

func TestIntents(t *testing.T) {
	s := newService(t)
	cases := map[string]string{
		"hi":                               chat.IntentGreeting,
		"Hello there!":                     chat.IntentGreeting,
		"hi, I'm learning Python":          chat.IntentRecommendation, // a greeting with a topic is a request
		"help":                             chat.IntentHelp,
		"what can you do?":                 chat.IntentHelp,
		"how do I use this":                chat.IntentHelp,
		"cybersecurity tools":              chat.IntentRecommendation,
		"tell me more about Beat Saber":    chat.IntentAppDetails,
		"beat saber":                       chat.IntentAppDetails,
		"What is Mondly?":                  chat.IntentAppDetails,
		"apps like beat saber for fitness": chat.IntentRecommendation, // no earlier answer to follow up on
	}
	for msg, want := range cases {
		if got := ask(t, s, "u-"+msg, "s", msg).Intent; got != want {
			t.Errorf("%q: intent %q, want %q", msg, got, want)
		}
	}
}

func TestAppDetails(t *testing.T) {
	r := ask(t, newService(t), "u", "s", "tell me more about Beat Saber")
	if r.App == nil || r.App.AppID != "beat-saber" {
		t.Fatalf("app = %+v", r.App)
	}
	for _, want := range []string{"**Beat Saber**", "**Features**", "**Price:** $", "**Status:** available", "**Rating:**", "**Skills it builds:**"} {
		if !strings.Contains(r.Response, want) {
			t.Errorf("details lack %q:\n%s", want, r.Response)
		}
	}
	// A discontinued app stays in the catalog, so it can still be
	// described, with its status.
	r = ask(t, newService(t), "u", "s", "tell me more about Horizon Workrooms")
	if r.App == nil || r.App.AppID != "horizon-workrooms" || !strings.Contains(r.Response, "**Status:** discontinued (2026-02-16)") {
		t.Errorf("details of a discontinued app: %+v\n%s", r.App, r.Response)
	}
}

func TestFollowUpsUseTheSessionsLastAnswer(t *testing.T) {
	s := newService(t)
	first := ask(t, s, "u", "s1", "I want to stay fit with cardio workouts")
	if first.Intent != chat.IntentRecommendation || len(first.Apps) < 3 {
		t.Fatalf("first answer: %+v", first)
	}

	second := first.Apps[1]
	like := ask(t, s, "u", "s1", "more like the second one")
	if like.Intent != chat.IntentFollowUp || len(like.Apps) == 0 {
		t.Fatalf("follow-up: %+v", like)
	}
	for _, a := range like.Apps {
		if a.AppID == second.AppID {
			t.Error("'more like X' must not recommend X itself")
		}
	}
	if !strings.Contains(like.Response, second.Name) {
		t.Errorf("reply should name %s:\n%s", second.Name, like.Response)
	}

	details := ask(t, s, "u", "s1", "tell me about the first one")
	if details.Intent != chat.IntentAppDetails || details.App == nil || details.App.AppID != like.Apps[0].AppID {
		t.Errorf("'the first one' should describe %s, got %+v", like.Apps[0].AppID, details.App)
	}

	// Cheaper is relative to the top pick of the last list.
	ask(t, s, "u", "s2", "rhythm games for fitness")
	cheaper := ask(t, s, "u", "s2", "anything cheaper?")
	if cheaper.Intent != chat.IntentFollowUp {
		t.Fatalf("intent %q", cheaper.Intent)
	}
	// The embedded catalog has rhythm and fitness apps cheaper than the
	// top pick, and free ones: the lists below must not be empty.
	if len(cheaper.Apps) == 0 || len(cheaper.Constraints) != 1 || !strings.Contains(cheaper.Response, cheaper.Constraints[0].Label) {
		t.Errorf("cheaper: %d apps, constraints %v, reply: %s", len(cheaper.Apps), cheaper.Constraints, cheaper.Response)
	}
	eng := testenv.DefaultEngine(t)
	for _, a := range cheaper.Apps {
		app, _ := eng.App(a.AppID)
		switch c := cheaper.Constraints[0]; c.Satisfies(app) {
		case vrrec.No:
			t.Errorf("%s costs %s: not %s", a.AppID, app.Price, c.Label)
		case vrrec.Unknown:
			if len(a.Unconfirmed) == 0 {
				t.Errorf("%s costs %s: listed as cheaper without saying its price is not known", a.AppID, app.Price)
			}
		}
	}

	free := ask(t, s, "u", "s2", "free ones?")
	if len(free.Apps) == 0 {
		t.Errorf("no free apps after a fitness question: %s", free.Response)
	}
	for _, a := range free.Apps {
		app, _ := eng.App(a.AppID)
		if !app.Price.Free() && (app.Price.Known() || len(a.Unconfirmed) == 0) { // a subscription with a free download is not free
			t.Errorf("%s costs %s, not free", a.AppID, app.Price)
		}
		if !strings.Contains(free.Response, "**"+chat.EscapeMarkdown(app.Name)+"** ("+chat.EscapeMarkdown(app.Price.String())+", ") {
			t.Errorf("the free list does not show %s with its price %q: %s", app.Name, app.Price, free.Response)
		}
	}

	// "creativity" matches more apps than one answer shows.
	more := ask(t, s, "u", "s3", "creativity")
	next := ask(t, s, "u", "s3", "show me more")
	if len(more.Apps) == 0 || len(next.Apps) == 0 {
		t.Errorf("'creativity' showed %d apps and 'show me more' %d: both should show some", len(more.Apps), len(next.Apps))
	}
	// "teamwork" has five clear matches and then nothing that fits: more
	// says so, and shows at most weak matches as the nearest.
	ask(t, s, "u", "s4", "teamwork")
	end := ask(t, s, "u", "s4", "show me more")
	if !strings.HasPrefix(end.Response, "That's everything I found") && !strings.HasPrefix(end.Response, "Nothing else fits 'teamwork' well") {
		t.Errorf("'show me more' past the real matches: %q", end.Response)
	}
	for _, a := range end.Apps {
		if a.LikelinessScore >= rag.FitMin || a.LikelinessScore < rag.WeakMin {
			t.Errorf("'show me more' past the real matches shows %s at %d%%", a.Name, a.MatchPercent)
		}
	}
	for _, a := range next.Apps {
		for _, b := range more.Apps {
			if a.AppID == b.AppID {
				t.Errorf("'show me more' repeated %s", a.AppID)
			}
		}
	}

	// Another session of the same student has no earlier answer: the
	// reply says so, rather than search for "more like the second one".
	if r := ask(t, s, "u", "other", "more like the second one"); len(r.Apps) != 0 || !strings.Contains(r.Response, "haven't shown you any apps yet") {
		t.Errorf("a follow-up with nothing shown in its session: %d apps, %q", len(r.Apps), r.Response)
	}
}

func TestHistoryIsPerStudent(t *testing.T) {
	s := newService(t)
	ask(t, s, "alice", "s", "anatomy")
	ask(t, s, "bob", "s", "astronomy")
	h, err := s.History(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 || h[0].Role != vrrec.RoleUser || h[0].Content != "anatomy" || h[1].Role != vrrec.RoleAssistant {
		t.Fatalf("alice's history = %+v", h)
	}
	for _, m := range h {
		if strings.Contains(m.Content, "astronomy") {
			t.Error("alice sees bob's message")
		}
	}
}

func TestRejectsBadMessages(t *testing.T) {
	s := newService(t)
	for _, msg := range []string{"", "   ", strings.Repeat("x", 2001)} {
		if _, err := s.Answer(context.Background(), vrrec.Question{UserID: "u", SessionID: "s", Message: msg}, nil); vrrec.ErrorCode(err) != vrrec.EINVALID {
			t.Errorf("message of %d chars: %v", len(msg), err)
		}
	}
}

func TestProgressStages(t *testing.T) {
	var stages []string
	if _, err := newService(t).Answer(context.Background(), vrrec.Question{UserID: "u", SessionID: "s", Message: "public speaking"}, func(e vrrec.ChatEvent) { stages = append(stages, e.Stage) }); err != nil {
		t.Fatal(err)
	}
	want := []string{chat.StageUnderstanding, chat.StageRetrieving, chat.StageRanking}
	if strings.Join(stages, ",") != strings.Join(want, ",") {
		t.Errorf("stages %v, want %v", stages, want)
	}
}

func TestFollowUpWordsInsideNewQuestions(t *testing.T) {
	s := newService(t)
	first := ask(t, s, "u", "s", "rhythm games")
	if len(first.Apps) < 2 {
		t.Fatalf("need an earlier answer with apps: %+v", first)
	}
	for msg, want := range map[string]string{
		"first aid training":                          chat.IntentRecommendation,
		"second language acquisition":                 chat.IntentRecommendation,
		"budget planning":                             chat.IntentRecommendation,
		"free body diagrams":                          chat.IntentRecommendation,
		"similar triangles":                           chat.IntentRecommendation,
		"spatial reasoning":                           chat.IntentRecommendation,
		"what is spatial reasoning?":                  chat.IntentRecommendation,
		"What apps teach me how to code?":             chat.IntentRecommendation,
		"What can I use to practice public speaking?": chat.IntentRecommendation,
	} {
		// A fresh session each time, all with the same earlier answer.
		sess := "s-" + msg
		ask(t, s, "u", sess, "rhythm games")
		if got := ask(t, s, "u", sess, msg).Intent; got != want {
			t.Errorf("%q after an answer: intent %q, want %q", msg, got, want)
		}
	}
	last := ask(t, s, "u", "s", "tell me about the last one")
	if last.Intent != chat.IntentAppDetails || last.App == nil || last.App.AppID != first.Apps[len(first.Apps)-1].AppID {
		t.Errorf("'the last one': %+v", last.App)
	}
	if r := ask(t, s, "u", "x", "tell me about Cubism"); r.Intent != chat.IntentAppDetails || r.App.AppID != "cubism" {
		t.Errorf("a one-word app name asked about: %+v", r)
	}
}

func TestFollowUpsAfterDetails(t *testing.T) {
	s := newService(t)
	ask(t, s, "u", "s", "tell me more about Beat Saber")
	for _, msg := range []string{"show me more", "anything cheaper?", "more like this"} {
		r, err := s.Answer(context.Background(), vrrec.Question{UserID: "u", SessionID: "s", Message: msg}, nil)
		if err != nil || r.Intent != chat.IntentFollowUp {
			t.Errorf("%q after details: %+v, %v", msg, r, err)
		}
	}
	like := ask(t, s, "u", "s2", "more like Beat Saber")
	if like.Intent == chat.IntentFollowUp {
		t.Fatal("no earlier answer in s2")
	}
	ask(t, s, "u", "s3", "fitness")
	like = ask(t, s, "u", "s3", "more like Beat Saber")
	if len(like.Apps) < 3 || like.Apps[0].AppID == "beat-saber" || like.Apps[0].LikelinessScore < rag.FitMin {
		t.Errorf("apps like Beat Saber: %+v", like.Apps)
	}
}

// recordingExplainer notes what a language model would be given, and
// answers that none of it fits.
type recordingExplainer struct{ got []vrrec.AppRecommendation }

func (r *recordingExplainer) Rerank(_ context.Context, res *vrrec.Result, _ func(string)) *vrrec.Result {
	r.got = res.Apps
	out := *res
	out.NothingFits, out.ExplainedBy = true, vrrec.ExplainedByLLM
	return &out
}

// With a model, it chooses among rag.Candidates apps, and its "none fits"
// is what the student reads.
func TestExplainerChoosesAmongCandidates(t *testing.T) {
	s := newService(t)
	ex := &recordingExplainer{}
	s.SetExplainer(ex)
	r := ask(t, s, "u", "s", "I want to practice public speaking")
	if len(ex.got) != rag.Candidates {
		t.Errorf("the model got %d candidates, want %d", len(ex.got), rag.Candidates)
	}
	if !strings.HasPrefix(r.Response, "I couldn't find a VR app in our catalog that clearly fits") || len(r.Apps) > 3 {
		t.Errorf("the model's none-fits not applied: %q, %d apps", r.Response, len(r.Apps))
	}
}

// A question in another language is answered from what was understood of
// it, with a note in that language; one of which nothing was understood gets
// the not-English message in its language, and no apps.
func TestOtherLanguageReply(t *testing.T) {
	s := newService(t)
	r := ask(t, s, "u", "s", "¿Hay algo para aprender anatomía?")
	if len(r.Apps) == 0 || r.Apps[0].AppID != "3d-organon-vr-anatomy" && r.Apps[0].AppID != "medicalholodeck" {
		t.Errorf("anatomy in Spanish: %v", r.Apps)
	}
	if !strings.HasPrefix(r.Note, "Respondo en inglés") || !strings.Contains(r.Note, "anatomy") {
		t.Errorf("note %q", r.Note)
	}
	r = ask(t, s, "u", "s2", "Хочу изучать что-нибудь интересное")
	if !strings.HasPrefix(r.Response, "Пока я понимаю только вопросы на английском") || len(r.Apps) != 0 || r.Apps == nil {
		t.Errorf("reply %q with apps %v", r.Response, r.Apps)
	}
	// A mostly English follow-up with a few Spanish words is a follow-up.
	ask(t, s, "u", "s3", "architecture")
	if r := ask(t, s, "u", "s3", "more info sobre el primero pls"); r.Intent != chat.IntentAppDetails || r.App == nil {
		t.Errorf("more info sobre el primero: intent %q", r.Intent)
	}
}

// Follow-ups chain on what was searched: after "more like Beat Saber",
// "show me more" and "anything cheaper?" answer about apps like Beat
// Saber, never with Beat Saber itself.
func TestFollowUpChainAfterMoreLike(t *testing.T) {
	s := newService(t)
	ask(t, s, "u", "s", "rhythm games for exercise")
	like := ask(t, s, "u", "s", "more like Beat Saber")
	if like.Intent != chat.IntentFollowUp || len(like.Apps) == 0 {
		t.Fatalf("more like Beat Saber: %+v", like)
	}
	more := ask(t, s, "u", "s", "show me more")
	if more.Intent != chat.IntentFollowUp || !strings.Contains(more.Response, "apps like Beat Saber") {
		t.Errorf("show me more after more like: %q", more.Response)
	}
	seen := map[string]bool{}
	for _, a := range like.Apps {
		seen[a.AppID] = true
	}
	for _, a := range more.Apps {
		if a.AppID == "beat-saber" || seen[a.AppID] {
			t.Errorf("show me more repeated %s", a.AppID)
		}
	}
	ask(t, s, "u", "s2", "rhythm games for exercise")
	ask(t, s, "u", "s2", "more like Beat Saber")
	c := ask(t, s, "u", "s2", "anything cheaper?")
	if c.Intent != chat.IntentFollowUp || len(c.Apps) == 0 {
		t.Fatalf("anything cheaper after more like: %q, %d apps", c.Response, len(c.Apps))
	}
	for _, a := range c.Apps {
		if a.AppID == "beat-saber" {
			t.Error("anything cheaper offered the app the answer was like")
		}
	}
}

// "Anything free?" after a fitness question, whose answer holds
// subscription apps (Supernatural, FitXR: free downloads, paid monthly),
// lists only apps with nothing to pay, each with its price.
func TestAnythingFreeNeverListsASubscription(t *testing.T) {
	s := newService(t)
	eng := testenv.DefaultEngine(t)
	first := ask(t, s, "u", "s", "boxing workout")
	var subscriptions []string
	for _, a := range first.Apps {
		if app, _ := eng.App(a.AppID); app.Price.Kind == vrrec.PriceSubscription {
			subscriptions = append(subscriptions, a.AppID)
		}
	}
	if len(subscriptions) == 0 {
		t.Fatalf("the fitness answer has no subscription app to leave out: %v", first.Apps)
	}
	free := ask(t, s, "u", "s", "anything free?")
	if free.Intent != chat.IntentFollowUp || !strings.HasPrefix(free.Response, "_Free apps only._") {
		t.Fatalf("intent %q, reply %q", free.Intent, free.Response)
	}
	for _, a := range free.Apps {
		app, _ := eng.App(a.AppID)
		if app.Price.Known() && !app.Price.Free() || slices.Contains(subscriptions, a.AppID) {
			t.Errorf("%s (%s) listed as free", a.AppID, app.Price)
		}
	}
	for _, id := range subscriptions {
		app, _ := eng.App(id)
		if strings.Contains(free.Response, "**"+chat.EscapeMarkdown(app.Name)+"**") {
			t.Errorf("the free list names the subscription app %s:\n%s", app.Name, free.Response)
		}
	}
}

// Follow-ups refine the previous need through the same constraints: "for
// 2 players" keeps the topic and adds people; "anything cheaper?" after a
// free top pick says nothing is cheaper than free and never re-lists it.
func TestFollowUpsRefineTheNeed(t *testing.T) {
	s := newService(t)
	eng := testenv.DefaultEngine(t)
	first := ask(t, s, "u", "s", "free painting apps")
	if len(first.Apps) == 0 || len(first.Constraints) != 1 || first.Constraints[0].Kind != vrrec.ConstraintFree {
		t.Fatalf("free painting apps: %v %v", first.Apps, first.Constraints)
	}
	cheaper := ask(t, s, "u", "s", "anything cheaper?")
	if !strings.Contains(cheaper.Response, "is already free, so nothing is cheaper") {
		t.Errorf("cheaper than free: %q", cheaper.Response)
	}
	for _, a := range cheaper.Apps {
		if a.AppID == first.Apps[0].AppID {
			t.Errorf("cheaper re-lists %s", a.AppID)
		}
		if a.LikelinessScore < rag.FitMin && !cheaper.NothingFits {
			t.Errorf("cheaper adds a weak %s (%d%%) as if it fit", a.AppID, a.MatchPercent)
		}
	}
	two := ask(t, s, "u", "s2", "rhythm games for exercise")
	players := ask(t, s, "u", "s2", "for 2 players")
	if players.Intent != chat.IntentFollowUp || len(players.Apps) == 0 {
		t.Fatalf("for 2 players: intent %q, %d apps", players.Intent, len(players.Apps))
	}
	if len(players.Constraints) != 1 || players.Constraints[0].Kind != vrrec.ConstraintPlayers {
		t.Errorf("for 2 players applied %v", players.Constraints)
	}
	if players.Topic != two.Topic {
		t.Errorf("the refined need is %q, the first was %q", players.Topic, two.Topic)
	}
	// The follow-up's answer leads with apps that can be played by two.
	if top, _ := eng.App(players.Apps[0].AppID); top.Facets.FitsPlayers(2) != vrrec.Yes {
		t.Errorf("for 2 players: top pick %s plays %+v", top.AppID, top.Facets.Players)
	}
}

// A chip removed re-asks the message without that constraint.
func TestWithoutAnswersAsIfNotStated(t *testing.T) {
	s := newService(t)
	r, err := s.Answer(context.Background(), vrrec.Question{UserID: "u", SessionID: "s", Message: "free painting apps", Without: []string{vrrec.ConstraintFree}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Constraints) != 0 || strings.Contains(r.Response, "Free apps only") {
		t.Errorf("without free: %v %q", r.Constraints, r.Response)
	}
	// What the follow-up refines forgets the removed constraint too.
	if more := ask(t, s, "u", "s", "show me more"); len(more.Constraints) != 0 {
		t.Errorf("show me more after removing free: %v", more.Constraints)
	}
}

// A follow-up on a question in another language refines what it was read
// as, in English.
func TestFollowUpAfterAnotherLanguage(t *testing.T) {
	s := newService(t)
	first := ask(t, s, "u", "s", "quiero aprender a pintar")
	free := ask(t, s, "u", "s", "free ones?")
	if strings.Contains(first.Query, "pintar") || free.Intent != chat.IntentFollowUp || free.Topic != first.Topic || len(free.Apps) == 0 {
		t.Errorf("stored %q; free ones: intent %q, topic %q (first %q), %d apps", first.Query, free.Intent, free.Topic, first.Topic, len(free.Apps))
	}
}

// orderingExplainer notes whether retrieval's answer was given out before
// the model was asked, and how long it was given; it reverses the apps.
type orderingExplainer struct {
	provisional *vrrec.Reply
	sawFirst    bool
	wait        time.Duration
}

func (o *orderingExplainer) Rerank(ctx context.Context, res *vrrec.Result, _ func(string)) *vrrec.Result {
	o.sawFirst = o.provisional != nil
	if d, ok := ctx.Deadline(); ok {
		o.wait = time.Until(d)
	}
	out := *res
	out.Apps = slices.Clone(res.Apps)
	slices.Reverse(out.Apps)
	out.ExplainedBy = vrrec.ExplainedByLLM
	return &out
}

// A listener gets retrieval's answer, provisional, before the model is
// asked; the reply is the model's. A caller that does not listen gets no
// provisional answer and waits LLMWait at most; follow-ups, which the
// model does not order, have none either.
func TestProvisionalAnswerComesBeforeTheModel(t *testing.T) {
	s := newService(t)
	ex := &orderingExplainer{}
	s.SetExplainer(ex)
	listen := func(e vrrec.ChatEvent) {
		if e.Provisional != nil {
			ex.provisional = e.Provisional
		}
	}
	q := vrrec.Question{UserID: "u", SessionID: "s", Message: "I want to practice public speaking"}
	r, err := s.Answer(context.Background(), q, listen)
	if err != nil {
		t.Fatal(err)
	}
	p := ex.provisional
	if !ex.sawFirst || p == nil || !p.Provisional || p.ExplainedBy != vrrec.ExplainedByRules || len(p.Apps) == 0 {
		t.Fatalf("provisional %+v (before the model: %v)", p, ex.sawFirst)
	}
	if r.Provisional || r.ExplainedBy != vrrec.ExplainedByLLM || p.Query != r.Query {
		t.Errorf("final reply %+v; want the model's, not provisional, to the same query as %q", r, p.Query)
	}

	ex.provisional = nil
	q.SessionID, q.LLMWait = "s2", 300*time.Millisecond
	if _, err := s.Answer(context.Background(), q, nil); err != nil {
		t.Fatal(err)
	}
	if ex.provisional != nil || ex.wait <= 0 || ex.wait > 300*time.Millisecond {
		t.Errorf("without a listener: provisional %+v, the model given %s; want none, and at most LLMWait", ex.provisional, ex.wait)
	}

	q.SessionID, q.LLMWait, q.Message = "s", 0, "more like the first one"
	if r, err := s.Answer(context.Background(), q, listen); err != nil || r.Intent != chat.IntentFollowUp || ex.provisional != nil {
		t.Errorf("follow-up: %v, intent %q, provisional %+v", err, r.Intent, ex.provisional)
	}
	if got := s.LLMAnswers(); got.InTime != 2 || got.ChangedPicks != 2 {
		t.Errorf("counts %+v; want two answers in time, both re-ordered", got)
	}
}
