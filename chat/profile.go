package chat

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/ask"
	"github.com/vrrec/vrrec/lang"
	"github.com/vrrec/vrrec/rag"
	"github.com/vrrec/vrrec/text"
)

// SetProfiles lets the chat keep what students say about their studies and
// answer vague questions ("anything for my major?") from it; nil (the
// default) keeps nothing. Call it before the service answers.
func (s *Service) SetProfiles(p vrrec.ProfileStore) { s.profiles = p }

// profileTimeout bounds each profile-store call on the request path, as
// sessionTimeout does the session store's.
const profileTimeout = sessionTimeout

// studies is what a message says about the student's studies.
type studies struct {
	stated vrrec.Profile // what the message states; zero when nothing
	rest   string        // the message without its statements, "" when it had none
}

// readStudies reads what message (read: its English) says about the
// student's studies and adds it to their profile, which the reply then
// carries so the page can show it. A store that fails is logged: the
// answer goes on without it.
func (s *Service) readStudies(ctx context.Context, userID, message, read string, reply *vrrec.Reply) studies {
	if s.profiles == nil {
		return studies{}
	}
	stated, rest := ask.Profile(read)
	if !stated.Stated() {
		return studies{}
	}
	stated.Language = lang.Read(message).Lang
	stated.UpdatedAt = s.now().UTC()
	pctx, cancel := context.WithTimeout(ctx, profileTimeout)
	defer cancel()
	p, _, err := s.profiles.Profile(pctx, userID)
	if err == nil {
		p = p.Merge(stated)
		p.UpdatedAt = stated.UpdatedAt
		err = s.profiles.SaveProfile(pctx, userID, p)
	}
	if err != nil {
		s.log.WarnContext(ctx, "profile not saved", "err", err)
		return studies{stated: stated, rest: rest}
	}
	reply.Profile = &p
	return studies{stated: stated, rest: rest}
}

// personal is how a recommendation is searched once the student's studies
// are read.
type personal struct {
	search      string             // what to search
	label       string             // what the answer says it answers ("" : search)
	constraints []vrrec.Constraint // read from a vague question, applied to the profile's search
	lead        string             // said before the apps
	response    string             // the whole answer when there is nothing to search
	by          []string           // what of the student's own changed the answer (Reply.AdjustedBy)
}

// personalise decides what a recommendation searches: a question with a
// topic of its own is searched as it is, without the statements it made
// ("I'm a nursing student looking for anatomy apps": anatomy apps); a
// message that only states the student's studies is answered for what it
// states; a vague question ("anything for my major?", "something for my
// classes") for what the profile says, or, with nothing in it, by asking
// what they study.
//
// message is the student's text, read its English (the same for a message
// in English).
//
// On a course's page (course not empty) the page's course answers a vague
// question, not the profile: the retrieval reads it with the course.
func (s *Service) personalise(ctx context.Context, userID, message, read, course string, st studies) personal {
	out := personal{search: message}
	if s.profiles == nil {
		return out
	}
	if st.stated.Stated() {
		out.search, read = st.rest, st.rest
	}
	cs, topic := ask.Constraints(read)
	if st.stated.Stated() && !hasTopic(topic) {
		query, label := ask.ProfileQuery(st.stated, ask.ScopeStudies)
		said := "I'll remember that " + remembered(st.stated) + " (see “What I know about you”)."
		if query == "" {
			out.response = said + " Tell me your major or a course (\"I'm taking 15-112\") and I'll suggest apps for it."
			return out
		}
		out.search, out.label, out.constraints = query, label, cs
		out.lead = fmt.Sprintf("%s\n\nFor **%s**:\n\n", said, EscapeMarkdown(label))
		return out
	}
	scope, vague := ask.Vague(topic)
	if !vague || course != "" {
		return out
	}
	pctx, cancel := context.WithTimeout(ctx, profileTimeout)
	p, _, err := s.profiles.Profile(pctx, userID)
	cancel()
	if err != nil {
		s.log.WarnContext(ctx, "profile unavailable, asking what they study", "err", err)
	}
	query, label := ask.ProfileQuery(p, scope)
	if query == "" {
		out.response = askStudiesText
		return out
	}
	out.search, out.label, out.constraints = query, label, cs
	out.lead = fmt.Sprintf("For **%s** (from what you told me about your studies):\n\n", EscapeMarkdown(label))
	out.by = []string{vrrec.AdjustedByProfile}
	return out
}

// hasTopic reports whether a question names something to search for.
func hasTopic(question string) bool {
	_, vague := ask.Vague(question)
	return !vague && topicWords(text.Words(question), nil) > 0
}

// remembered says what a statement told: "you study nursing and you're
// taking 15-112".
func remembered(p vrrec.Profile) string {
	var parts []string
	if p.Major != "" {
		parts = append(parts, "you study "+EscapeMarkdown(p.Major))
	}
	if p.Year != "" {
		parts = append(parts, "you're in your "+EscapeMarkdown(p.Year))
	}
	if len(p.Courses) > 0 {
		parts = append(parts, "you're taking "+EscapeMarkdown(joinWords(p.Courses)))
	}
	if len(p.Interests) > 0 {
		parts = append(parts, "you're interested in "+EscapeMarkdown(joinWords(p.Interests)))
	}
	return joinWords(parts)
}

const askStudiesText = "What do you study? Tell me your major or your courses (\"I'm a nursing student\", " +
	"\"I'm taking 15-112 and 21-127\") and I'll suggest apps for them, and remember it for questions like this one."

// maxWelcomeQueries bounds the searches of a welcome: the profile's parts,
// then the latest questions.
const maxWelcomeQueries = 5

// maxWelcomeApps bounds the new apps a welcome names.
const maxWelcomeApps = 3

// Visit records that the student opened the chat and returns their
// welcome. The apps the catalog could recommend are kept with the visit,
// so the next one names only apps added since, and names them once.
func (s *Service) Visit(ctx context.Context, userID string) (vrrec.Welcome, error) {
	if s.profiles == nil {
		return vrrec.Welcome{}, nil
	}
	eng := s.engine()
	var ids []string
	for _, a := range eng.Apps() {
		if a.Servable() {
			ids = append(ids, a.AppID)
		}
	}
	prev, err := s.profiles.SaveVisit(ctx, userID, vrrec.Visit{At: s.now().UTC(), Apps: ids})
	if err != nil {
		return vrrec.Welcome{}, fmt.Errorf("visit: %w", err)
	}
	p, _, err := s.profiles.Profile(ctx, userID)
	if err != nil {
		return vrrec.Welcome{}, fmt.Errorf("visit: %w", err)
	}
	w := vrrec.Welcome{Profile: p}
	if prev.At.IsZero() {
		return w, nil // a first visit: nothing is new to them
	}
	fresh := slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return slices.Contains(prev.Apps, id) })
	if len(fresh) == 0 {
		return w, nil
	}
	w.NewApps = s.newForThem(ctx, eng, userID, p, fresh)
	if len(w.NewApps) > 0 {
		names := make([]string, len(w.NewApps))
		for i, a := range w.NewApps {
			names[i] = fmt.Sprintf("**%s** (for %s)", EscapeMarkdown(a.Name), EscapeMarkdown(a.Reasoning))
		}
		w.Message = "New since your last visit: " + joinWords(names) + "."
	}
	return w, nil
}

// whatsNew is what a greeting adds: the line naming apps new since the
// student's last visit (a greeting is a visit too), or nothing.
func (s *Service) whatsNew(ctx context.Context, userID string) string {
	if s.profiles == nil {
		return ""
	}
	w, err := s.Visit(ctx, userID)
	if err != nil {
		s.log.WarnContext(ctx, "greeting without what is new", "err", err)
	}
	if w.Message == "" {
		return ""
	}
	return "\n\n" + w.Message
}

// newForThem returns the apps of fresh that fit the student's profile or
// their latest questions, best first; Reasoning says which ("nursing").
func (s *Service) newForThem(ctx context.Context, eng Engine, userID string, p vrrec.Profile, fresh []string) []vrrec.AppRecommendation {
	var queries []string
	if q, _ := ask.ProfileQuery(p, ask.ScopeStudies); q != "" {
		queries = append(queries, strings.Split(q, ", ")...)
	}
	if msgs, err := s.sessions.History(ctx, userID, historyLimit); err != nil {
		s.log.WarnContext(ctx, "welcome without past questions", "err", err)
	} else {
		for i := len(msgs) - 1; i >= 0; i-- {
			m := msgs[i]
			if m.Role == vrrec.RoleAssistant && m.Intent == IntentRecommendation && m.Query != "" && !slices.Contains(queries, m.Query) {
				queries = append(queries, m.Query)
			}
		}
	}
	var out []vrrec.AppRecommendation
	for _, q := range queries[:min(len(queries), maxWelcomeQueries)] {
		res, err := eng.Find(ctx, rag.Request{Query: q, TopK: rag.Candidates})
		if err != nil {
			s.log.WarnContext(ctx, "welcome: search failed", "query", q, "err", err)
			continue
		}
		for _, a := range res.Apps {
			if a.LikelinessScore >= rag.FitMin && slices.Contains(fresh, a.AppID) &&
				!slices.ContainsFunc(out, func(b vrrec.AppRecommendation) bool { return b.AppID == a.AppID }) {
				a.Reasoning = rag.Interest(q)
				out = append(out, a)
			}
		}
	}
	return out[:min(len(out), maxWelcomeApps)]
}
