// Package chat turns a student's message into an answer: it recognises the
// intent (greeting, help, recommendation, app details, follow-up on the last
// answer), asks the recommender, formats the reply and keeps the
// conversation. It depends on interfaces only, never on HTTP or a database.
package chat

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/ask"
	"github.com/vrrec/vrrec/lang"
	"github.com/vrrec/vrrec/rag"
	"github.com/vrrec/vrrec/text"
)

// Engine is what the chat needs from the recommender.
type Engine interface {
	vrrec.Recommender
	// Find answers one request: the question with its constraints and
	// needs, or a follow-up's refinement of an earlier one.
	Find(ctx context.Context, req rag.Request) (*vrrec.Result, error)
	// Apps returns the catalog's apps; callers must not modify them.
	Apps() []vrrec.VRApp
	App(id string) (vrrec.VRApp, bool)
	// NamedApp returns the app a message names, as a question's reading
	// finds it.
	NamedApp(msg string) (vrrec.VRApp, bool)
	Course(id string) (vrrec.Course, bool)
	Courses() []vrrec.Course
}

// Progress stages reported while answering a recommendation.
const (
	StageUnderstanding = "understanding"
	StageRetrieving    = "retrieving"
	StageRanking       = "ranking"
)

// Explainer re-orders and explains a result, or returns it unchanged but
// marked when it cannot (llm.Ranker).
type Explainer interface {
	Rerank(ctx context.Context, res *vrrec.Result, onToken func(string)) *vrrec.Result
}

// Service answers chat messages. Safe for concurrent use.
type Service struct {
	explainer atomic.Pointer[explainerBox]
	answers   llmAnswers

	engine   func() Engine
	sessions vrrec.SessionStore
	votes    Votes
	profiles vrrec.ProfileStore // nil: no profiles (profile.go)
	log      *slog.Logger
	now      func() time.Time
	timeout  time.Duration
}

type explainerBox struct{ e Explainer }

// SetExplainer lets a language model order and explain recommendations
// (nil: the rules do). It may be called while the service answers, when
// staff change the LLM settings.
func (s *Service) SetExplainer(e Explainer) {
	if e == nil {
		s.explainer.Store(nil)
		return
	}
	s.explainer.Store(&explainerBox{e})
}

// SetTimeout bounds answering one message (0, the default: no bound).
// Every stage works within it: the session store, the embeddings server,
// the graph, the language model. The model gets what is left less a
// reserve (llmReserve), so a model too slow still leaves time to answer
// from retrieval. Call it before the service answers.
func (s *Service) SetTimeout(d time.Duration) { s.timeout = d }

// llmReserve is the part of a chat's time the language model may not use:
// enough to answer from retrieval and save the conversation.
func llmReserve(timeout time.Duration) time.Duration { return min(2*time.Second, timeout/5) }

// New returns a service. engine is called once per message, so the caller
// may swap the engine (a reloaded catalog) between messages.
func New(engine func() Engine, sessions vrrec.SessionStore, log *slog.Logger) *Service {
	return &Service{engine: engine, sessions: sessions, log: log, now: time.Now}
}

// TopK is the number of apps a recommendation shows.
const TopK = 8

// sessionTimeout bounds each session-store call on the request path: a
// database that does not answer costs the student a moment, not the answer.
const sessionTimeout = 500 * time.Millisecond

// sessionWindow is how many of a session's latest messages answering one
// reads: follow-ups refer to the last answer only.
const sessionWindow = 20

// historyLimit is how many messages /api/history returns.
const historyLimit = 100

// Answer replies to message in the student's session. events, when not
// nil, is told each stage as it starts and each model token and, when a
// language model is to order and explain a recommendation, given
// retrieval's answer first (ChatEvent.Provisional); the reply returned is
// then the model's, or the same apps and reasons when it failed or was
// late. q.LLMWait bounds the wait for the model. The error is EINVALID for an empty or
// overlong message and otherwise means no answer could be computed (the
// recommender failed); a session store that fails is logged and does not stop
// the answer.
func (s *Service) Answer(ctx context.Context, q vrrec.Question, events func(vrrec.ChatEvent)) (*vrrec.Reply, error) {
	userID, sessionID, message := q.UserID, q.SessionID, q.Message
	listening := events != nil
	if !listening {
		events = func(vrrec.ChatEvent) {}
	}
	progress := func(stage string) { events(vrrec.ChatEvent{Stage: stage}) }
	message, err := s.CheckMessage(message)
	if err != nil {
		return nil, err
	}
	if s.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.timeout)
		defer cancel()
	}
	progress(StageUnderstanding)
	eng := s.engine()
	if _, ok := eng.Course(q.Course); q.Course != "" && !ok {
		return nil, vrrec.Errorf(vrrec.EINVALID, "%s", unknownCourse(q.Course))
	}
	sctx, cancel := context.WithTimeout(ctx, sessionTimeout)
	past, err := s.sessions.Session(sctx, userID, sessionID, sessionWindow)
	cancel()
	if err != nil {
		s.log.WarnContext(ctx, "session unavailable, answering without it", "err", err)
	}
	prev := lastAnswer(past)
	// A message in another language, or mixed ("more info sobre el primero
	// pls"), is classified by its English gloss; the recommender reads the
	// message itself.
	read := message
	if r := lang.Read(message); r.Lang != "en" || r.Mixed {
		read = r.English
	}
	in := classify(read, eng, prev)

	reply := &vrrec.Reply{Type: "success", UserID: userID, SessionID: sessionID, Intent: in.name, Apps: []vrrec.AppRecommendation{}}
	studies := s.readStudies(ctx, userID, message, read, reply)
	switch in.name {
	case IntentGreeting:
		reply.Response = greetingText + s.whatsNew(ctx, userID)
	case IntentHelp:
		reply.Response = helpText
	case IntentAppDetails:
		app := in.target(eng, prev)
		if app == nil {
			reply.Response = whichOne(prev)
			break
		}
		reply.App = app
		reply.Query = similarQuery(*app) // what "show me more" or "anything cheaper?" then refer to
		reply.Response = Details(*app)
	case IntentFollowUp:
		if in.follow == followNothingShown {
			reply.Response = nothingShownText
			break
		}
		if err := s.followUp(ctx, eng, in, prev, reply, progress); err != nil {
			return nil, s.failed(ctx, err)
		}
	default:
		p := s.personalise(ctx, userID, message, read, q.Course, studies)
		if p.response != "" {
			reply.Response = p.response
			break
		}
		progress(StageRetrieving)
		box := s.explainer.Load()
		want := TopK
		if box != nil {
			want = rag.Candidates // the model chooses among more
		}
		res, mine, err := s.find(ctx, eng, userID, rag.Request{Query: p.search, Label: p.label, Constraints: p.constraints, TopK: want, Without: q.Without, Course: q.Course})
		if err != nil {
			return nil, s.failed(ctx, fmt.Errorf("recommend: %w", err))
		}
		progress(StageRanking)
		// What a follow-up refines is what was searched: the English a
		// question in another language was read as.
		_, topic := ask.Constraints(cmp.Or(res.Translated, p.search))
		query := ask.Text(topic, res.Constraints)
		if box != nil && len(res.Needs) == 0 {
			if listening && readable(res) {
				// Retrieval's answer first, while the model works on it
				// (unless only the model can read the question).
				early := *reply
				fill(&early, res, query)
				early.Response, early.Provisional = p.lead+FormatReply(res), true
				events(vrrec.ChatEvent{Provisional: &early})
			}
			// The model orders and explains, and may say nothing fits; the
			// reply still shows only apps retrieval is confident enough
			// about (Picks), so it cannot promote a weak candidate.
			res = s.rerank(ctx, box.e, res, events, q.LLMWait)
		}
		fill(reply, res, query)
		reply.Response = p.lead + FormatReply(res)
		mine.mark(eng, reply, res)
		reply.AdjustedBy = append(reply.AdjustedBy, p.by...)
	}

	// An app described is remembered as shown, so "more like this" and
	// "anything cheaper?" refer to it.
	shown := reply.Apps
	if reply.App != nil {
		shown = []vrrec.AppRecommendation{{AppID: reply.App.AppID, Name: reply.App.Name, Category: reply.App.Category}}
	}
	now := s.now()
	// Saved even when the chat's time ran out in the model: the answer
	// goes out, so the conversation must hold it.
	sctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), sessionTimeout)
	defer cancel()
	err = s.sessions.Append(sctx, userID, sessionID,
		vrrec.Message{Role: vrrec.RoleUser, Content: message, Intent: in.name, Time: now},
		vrrec.Message{Role: vrrec.RoleAssistant, Content: reply.Response, Intent: in.name, Time: now, Apps: shown, Query: reply.Query,
			InteractionID: q.InteractionID})
	if err != nil {
		s.log.WarnContext(ctx, "conversation not saved", "err", err)
	}
	return reply, nil
}

// Translator is an Explainer that also turns a question in another
// language into an English search query (llm.Ranker).
type Translator interface {
	Translate(ctx context.Context, question string) (string, error)
}

// findTranslated retrieves the apps for a recommendation. A question in another
// language, with a model that translates, is searched by the model's
// English query and keeps the student's words as what the result answers,
// so the model then explains in their language; without such a model, or
// when it cannot answer, lang's gloss reads the question (rag.Find).
func (s *Service) findTranslated(ctx context.Context, eng Engine, box *explainerBox, req rag.Request) (*vrrec.Result, error) {
	t, ok := Translator(nil), false
	if box != nil {
		t, ok = box.e.(Translator)
	}
	reading := lang.Read(req.Query)
	if !ok || reading.Lang == "en" {
		return eng.Find(ctx, req)
	}
	english, err := t.Translate(ctx, req.Query)
	if err != nil {
		s.log.WarnContext(ctx, "LLM could not read the question, reading it offline", "lang", reading.Lang, "err", err)
		return eng.Find(ctx, req)
	}
	asked := req.Query
	req.Query = english
	res, err := eng.Find(ctx, req)
	if err != nil {
		return nil, err
	}
	res.Query, res.Language, res.Translated = asked, reading.Lang, english
	return res, nil
}

// failed turns a retrieval error into what the student is told: a chat
// that ran out of time is a dependency too slow (503, try again), not a
// bug.
func (s *Service) failed(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return vrrec.Unavailable(err, "Finding apps took too long right now. Please try again in a moment.")
	}
	return err
}

// rerank lets the model order and explain res within the chat's time less
// llmReserve, and within wait when it is positive, reporting how much it
// has written, and counts how its answer came (LLMAnswers). The model's
// call may outlive this answer (it is shared with identical questions, and
// its answer is cached for the next one): what it writes after rerank
// returns is not reported.
func (s *Service) rerank(ctx context.Context, e Explainer, res *vrrec.Result, events func(vrrec.ChatEvent), wait time.Duration) *vrrec.Result {
	if deadline, ok := ctx.Deadline(); ok && s.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-llmReserve(s.timeout)))
		defer cancel()
	}
	if wait > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, wait)
		defer cancel()
	}
	var (
		mu      sync.Mutex
		done    bool
		written int
	)
	out := e.Rerank(ctx, res, func(tok string) {
		mu.Lock()
		defer mu.Unlock()
		if done {
			return
		}
		written += utf8.RuneCountInString(tok)
		events(vrrec.ChatEvent{Writing: written})
	})
	mu.Lock()
	done = true
	mu.Unlock()
	s.answers.count(ctx, res, out)
	return out
}

// LLMAnswers counts how the language model's answers came, since the
// process started: InTime within the wait (the chat's time, or LLM_WAIT
// for POST /chat), of which ChangedPicks showed other apps or another
// order than retrieval; Late when the wait ended first; Failed when the
// model could not answer (error, malformed answer, open circuit). Answers
// the model was not asked for (no candidates, the day's budget spent) and
// chats the student left are not counted. In the last two cases, retrieval's answer
// is the final one.
type LLMAnswers struct {
	InTime       int64 `json:"in_time"`
	Late         int64 `json:"late"`
	Failed       int64 `json:"failed"`
	ChangedPicks int64 `json:"changed_picks"`
}

type llmAnswers struct{ inTime, late, failed, changed atomic.Int64 }

// count files the model's answer out to retrieval's res under its outcome.
func (c *llmAnswers) count(ctx context.Context, res, out *vrrec.Result) {
	switch {
	case len(res.Apps) == 0 || out.LLMBudgetSpent || errors.Is(ctx.Err(), context.Canceled): // not asked, or no one waits
	case !out.LLMFallback:
		c.inTime.Add(1)
		if !slices.EqualFunc(Shown(res), Shown(out), func(a, b vrrec.AppRecommendation) bool { return a.AppID == b.AppID }) {
			c.changed.Add(1)
		}
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		c.late.Add(1)
	default:
		c.failed.Add(1)
	}
}

// LLMAnswers returns the counts of the model's answers.
func (s *Service) LLMAnswers() LLMAnswers {
	return LLMAnswers{InTime: s.answers.inTime.Load(), Late: s.answers.late.Load(), Failed: s.answers.failed.Load(),
		ChangedPicks: s.answers.changed.Load()}
}

// CheckMessage returns the message without surrounding space, or EINVALID
// when it is empty or longer than rag.MaxQueryLength characters: what
// Answer refuses, for a caller to refuse before it waits for a slot.
func (s *Service) CheckMessage(message string) (string, error) {
	message = strings.TrimSpace(message)
	if message == "" {
		return "", vrrec.Errorf(vrrec.EINVALID, "Message required")
	}
	if n := len([]rune(message)); n > rag.MaxQueryLength {
		return "", vrrec.Errorf(vrrec.EINVALID, "Message too long: %d characters, the limit is %d", n, rag.MaxQueryLength)
	}
	return message, nil
}

// History returns the student's recent messages, oldest first.
func (s *Service) History(ctx context.Context, userID string) ([]vrrec.Message, error) {
	msgs, err := s.sessions.History(ctx, userID, historyLimit)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	if msgs == nil {
		msgs = []vrrec.Message{}
	}
	return msgs, nil
}

// lastAnswer returns the latest assistant turn that showed apps.
func lastAnswer(msgs []vrrec.Message) *vrrec.Message {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role == vrrec.RoleAssistant && len(msgs[i].Apps) > 0 {
			return &msgs[i]
		}
	}
	return nil
}

// target is the app a message refers to: the one it names, else the one at
// its ordinal in the previous answer; nil when neither resolves.
func (in intent) target(eng Engine, prev *vrrec.Message) *vrrec.VRApp {
	if in.app != nil {
		return in.app
	}
	return pickFrom(eng, prev, in.ordinal)
}

// whichOne asks which app a message meant when its ordinal is past the
// previous answer's end.
func whichOne(prev *vrrec.Message) string {
	n := 0
	if prev != nil {
		n = len(prev.Apps)
	}
	return "I only showed " + text.Count(n, "app", "apps") + ". Which one do you mean?"
}

// pickFrom returns the app at a 1-based position of the previous answer
// (-1 for the last), or nil.
func pickFrom(eng Engine, prev *vrrec.Message, ord int) *vrrec.VRApp {
	if prev == nil || ord == 0 || ord > len(prev.Apps) {
		return nil
	}
	if ord < 0 {
		ord = len(prev.Apps)
	}
	app, ok := eng.App(prev.Apps[ord-1].AppID)
	if !ok {
		return nil
	}
	return &app
}

// fill copies a result into the reply: the apps it shows (grouped by need
// when the question had several), what it understood and applied. query is
// what a follow-up refines: the topic with the constraints applied, as
// words ask reads back.
func fill(reply *vrrec.Reply, res *vrrec.Result, query string) {
	reply.Query, reply.Topic, reply.Apps = query, Topic(res), Shown(res)
	reply.ExplainedBy, reply.Understanding, reply.LLMFallback = res.ExplainedBy, res.Understanding, res.LLMFallback
	reply.LLMBudgetSpent = res.LLMBudgetSpent
	reply.NothingFits, reply.Language, reply.UnknownCourses = res.NothingFits, res.Language, res.UnknownCourses
	reply.Constraints = res.Constraints
	if res.Translated != "" && res.ExplainedBy != vrrec.ExplainedByLLM {
		// The model, when it explained, wrote in the student's language.
		reply.Note = lang.Note(res.Language, Topic(res))
	}
	if res.NothingFits {
		reply.NearestAreas = res.NearestAreas
	}
	if len(res.Needs) > 0 {
		reply.Apps = []vrrec.AppRecommendation{}
		for _, n := range res.Needs {
			shown := Shown(&vrrec.Result{Apps: n.Apps, NothingFits: n.NothingFits})
			reply.Needs = append(reply.Needs, vrrec.Need{Topic: n.Topic, Query: n.Query, Apps: shown, NothingFits: n.NothingFits})
			reply.Apps = append(reply.Apps, shown...)
		}
	}
}

// followUp answers a message that refers to the previous answer: more like
// one of its apps, more of the same, or the same need under other
// constraints ("cheaper", "free ones", "for 2 players", "seated").
func (s *Service) followUp(ctx context.Context, eng Engine, in intent, prev *vrrec.Message, reply *vrrec.Reply, progress func(string)) error {
	shown := make([]string, 0, len(prev.Apps)+1)
	for _, a := range prev.Apps {
		shown = append(shown, a.AppID)
	}
	prevCs, topic := ask.Constraints(prev.Query)
	// An answer of apps like one app searched by its skills: it is no
	// answer to itself, and follow-ups name it.
	label, base := rag.Interest(topic), likeBase(eng, prev.Query)
	if base != nil {
		label = "apps like " + base.Name
		shown = append(shown, base.AppID)
	}
	progress(StageRetrieving)
	switch in.follow {
	case followSimilar:
		base := in.target(eng, prev)
		if base == nil {
			reply.Response = whichOne(prev)
			return nil
		}
		res, err := eng.Find(ctx, rag.Request{Query: similarQuery(*base), Label: "apps like " + base.Name, TopK: TopK,
			Plain: true, Constraints: prevCs, Exclude: []string{base.AppID}})
		if err != nil {
			return fmt.Errorf("recommend like %s: %w", base.AppID, err)
		}
		progress(StageRanking)
		// Follow-ups chain on what was searched, not on the label.
		fill(reply, res, ask.Text(similarQuery(*base), res.Constraints))
		reply.Response = FormatReply(res)
	case followMore:
		res, mine, err := s.find(ctx, eng, reply.UserID, rag.Request{Query: topic, Label: label, TopK: TopK, Plain: true, Constraints: prevCs, Exclude: shown})
		if err != nil {
			return fmt.Errorf("recommend more: %w", err)
		}
		defer mine.mark(eng, reply, res) // once the reply is written, either way
		// The rest of the ranking, down to weak but real matches.
		res.Apps = slices.DeleteFunc(res.Apps, func(a vrrec.AppRecommendation) bool { return a.LikelinessScore < rag.WeakMin })
		progress(StageRanking)
		reply.Query, reply.Apps, reply.Constraints = prev.Query, res.Apps, res.Constraints
		if len(reply.Apps) == 0 {
			reply.Response = fmt.Sprintf("That's everything I found for '%s'. Try asking about a related skill or subject.", EscapeMarkdown(label))
			return nil
		}
		if !slices.ContainsFunc(reply.Apps, func(a vrrec.AppRecommendation) bool { return a.LikelinessScore >= rag.FitMin }) {
			// Weak matches are never introduced as more that fits.
			reply.Response = fmt.Sprintf("Nothing else fits '%s' well. The nearest:\n\n", EscapeMarkdown(label)) + listApps(eng, reply.Apps)
			return nil
		}
		reply.Response = fmt.Sprintf("More for '%s':\n\n", EscapeMarkdown(label)) + listApps(eng, reply.Apps)
	case followRefine:
		cs, lead := in.constraints, ""
		var exclude []string
		if in.cheaper {
			cs, lead, exclude = cheaperThan(eng, prev)
		}
		cs = ask.Merge(prevCs, cs)
		res, mine, err := s.find(ctx, eng, reply.UserID, rag.Request{Query: topic, Label: label, TopK: TopK, Plain: true, Constraints: cs, Exclude: append(exclude, baseID(base)...)})
		if err != nil {
			return fmt.Errorf("recommend with %s: %w", hardWords(cs), err)
		}
		progress(StageRanking)
		fill(reply, res, ask.Text(topic, res.Constraints))
		reply.Response = lead + FormatReply(res)
		mine.mark(eng, reply, res)
	}
	return nil
}

func baseID(a *vrrec.VRApp) []string {
	if a == nil {
		return nil
	}
	return []string{a.AppID}
}

// cheaperThan reads "anything cheaper?" against the previous answer's top
// pick: a price cap under its price, or, when it is already free (or its
// price is not one amount), free apps besides those shown, said first.
func cheaperThan(eng Engine, prev *vrrec.Message) ([]vrrec.Constraint, string, []string) {
	top, _ := eng.App(prev.Apps[0].AppID)
	upfront, known := top.Price.Upfront()
	free := vrrec.Constraint{Kind: vrrec.ConstraintFree, Hard: true, Label: "Free apps only"}
	switch {
	case known && upfront == 0:
		var shown []string
		for _, a := range prev.Apps {
			shown = append(shown, a.AppID)
		}
		return []vrrec.Constraint{free}, fmt.Sprintf("%s is already free, so nothing is cheaper; other free apps:\n\n", EscapeMarkdown(top.Name)), shown
	case top.Price.Kind == vrrec.PriceSubscription:
		return []vrrec.Constraint{free}, fmt.Sprintf("%s is a subscription (%s); free apps instead:\n\n", EscapeMarkdown(top.Name), EscapeMarkdown(top.Price.String())), nil
	case !known:
		return []vrrec.Constraint{free}, fmt.Sprintf("The price of %s is not known; free apps instead:\n\n", EscapeMarkdown(top.Name)), nil
	}
	c := vrrec.Constraint{Kind: vrrec.ConstraintMaxPrice, Hard: true, Amount: upfront - 0.01,
		Label: "Cheaper than " + top.Name + " (" + top.Price.String() + ")"}
	return []vrrec.Constraint{c}, "", nil
}

// hardWords names constraints for an error message.
func hardWords(cs []vrrec.Constraint) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Kind)
	}
	return strings.Join(out, ", ")
}

// similarQuery asks for apps like a: its skills, not its name, so a can
// neither win by name nor set the scale the others are measured against.
func similarQuery(a vrrec.VRApp) string {
	if len(a.SkillsDeveloped) == 0 {
		return a.Category + " " + a.Description
	}
	return strings.Join(a.SkillsDeveloped, ", ")
}

// likeBase returns the app an answer was "like" when query is how apps
// like it are searched (similarQuery), else nil.
func likeBase(eng Engine, query string) *vrrec.VRApp {
	for _, a := range eng.Apps() {
		// The stored question is the app's similarQuery, then the
		// constraints applied (ask.Text).
		if q := similarQuery(a); query == q || strings.HasPrefix(query, q+", ") {
			return &a
		}
	}
	return nil
}

// listApps renders apps as a numbered markdown list with their prices.
func listApps(eng Engine, apps []vrrec.AppRecommendation) string {
	var b strings.Builder
	for i, a := range apps {
		app, _ := eng.App(a.AppID)
		fmt.Fprintf(&b, "%d. **%s** (%s, %d%% match): %s\n", i+1, EscapeMarkdown(app.Name), EscapeMarkdown(app.Price.String()), a.MatchPercent, EscapeMarkdown(a.Reasoning))
	}
	return strings.TrimRight(b.String(), "\n")
}

// Details renders an app's description, features, price, rating and skills.
func Details(a vrrec.VRApp) string {
	var b strings.Builder
	esc := EscapeMarkdown
	fmt.Fprintf(&b, "**%s** (%s)\n\n%s\n\n", esc(a.Name), esc(a.Category), esc(a.Description))
	if len(a.Features) > 0 {
		b.WriteString("**Features**\n")
		for _, f := range a.Features {
			fmt.Fprintf(&b, "- %s\n", esc(f))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "**Price:** %s · **Status:** %s", esc(a.Price.String()), esc(a.StatusText()))
	if a.Rating > 0 {
		fmt.Fprintf(&b, " · **Rating:** %.1f/5", a.Rating)
	}
	if len(a.SkillsDeveloped) > 0 {
		fmt.Fprintf(&b, "\n\n**Skills it builds:** %s", esc(strings.Join(a.SkillsDeveloped, ", ")))
	}
	b.WriteString("\n\nWant apps like this one? Ask \"more like this\".")
	return b.String()
}

const greetingText = "Hi! I recommend Meta Quest VR apps that build the skills you study. " +
	"Tell me a subject (\"anatomy\"), a skill (\"public speaking\", \"Python\") or a course number (\"15-112\")."

const nothingShownText = "I haven't shown you any apps yet in this conversation, so there is nothing to compare with. " +
	"Tell me what you study or want to learn (\"anatomy\", \"public speaking\") or a course number (\"15-112\"), and I'll suggest some."

const helpText = "**How to use me**\n\n" +
	"- Say what you study or want to learn: \"I'm studying anatomy\", \"public speaking\", \"data visualization\".\n" +
	"- Give a course number: \"15-112\".\n" +
	"- Ask about an app: \"tell me more about Beat Saber\".\n" +
	"- Follow up on my answer: \"more like the second one\", \"anything cheaper?\", \"free ones?\", \"show me more\".\n\n" +
	"Each app comes with a match percentage, the skills that matched, and why I picked it."
