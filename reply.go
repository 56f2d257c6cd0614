package vrrec

import "time"

// Question is one message a student sends the chat, with what the page
// says about it.
type Question struct {
	UserID    string
	SessionID string
	Message   string
	// Without lists the kinds of constraints the student removed from
	// the previous answer (its chips): the message is answered as if it
	// did not state them.
	Without []string
	// InteractionID is the id the answer is logged under; the session's
	// assistant message keeps it, so a restored answer can still be voted on.
	InteractionID string
	// Course is the course of the page the question was asked on (the
	// widget's data-course, the chat page's ?course=): a question with no
	// topic of its own is answered for it. Empty: no course.
	Course string
	// LLMWait, when positive, is how long the answer waits for a language
	// model before it is given from retrieval alone (POST /chat); 0 waits
	// as long as the chat's time allows (the stream, which shows the
	// retrieval answer first).
	LLMWait time.Duration
}

// Reply is the chat's answer to one message. JSON names follow the old
// /chat response (response, type, user_id) plus structured fields.
type Reply struct {
	Response  string              `json:"response"` // markdown
	Type      string              `json:"type"`     // always "success"
	UserID    string              `json:"user_id"`
	SessionID string              `json:"session_id"`
	Intent    string              `json:"intent"`
	Query     string              `json:"query,omitempty"` // what the apps answer
	Apps      []AppRecommendation `json:"apps"`
	App       *VRApp              `json:"app,omitempty"` // for app details
	// Topic is what a recommendation understood the question to ask for
	// ("Python", "origami"), as the answer quotes it.
	Topic string `json:"topic,omitempty"`
	// ExplainedBy is "llm" or "deterministic" for recommendations;
	// LLMFallback marks a configured model that could not answer, and
	// LLMBudgetSpent one not asked because the day's budget is spent (the
	// reply says so).
	ExplainedBy    string `json:"explained_by,omitempty"`
	Understanding  string `json:"understanding,omitempty"`
	LLMFallback    bool   `json:"llm_fallback,omitempty"`
	LLMBudgetSpent bool   `json:"llm_budget_spent,omitempty"`
	// NothingFits says the catalog has nothing that clearly fits: Apps are
	// the nearest weak matches, NearestAreas what the catalog covers
	// nearby. Language is the query's language when the model reads
	// English only (the reply says so in that language).
	NothingFits  bool     `json:"nothing_fits,omitempty"`
	NearestAreas []string `json:"nearest_areas,omitempty"`
	Language     string   `json:"language,omitempty"`
	// UnknownCourses are course numbers the message named that the catalog
	// does not have.
	UnknownCourses []string `json:"unknown_courses,omitempty"`
	// Constraints are the conditions the answer applied, each removable
	// by asking again with its kind in the request's "without".
	Constraints []Constraint `json:"constraints,omitempty"`
	// Needs groups the apps when one message asked for several things:
	// each need with its own picks (Apps then lists them all, in order).
	Needs []Need `json:"needs,omitempty"`
	// Note is a one-line note in the student's language when the
	// question was not in English.
	Note string `json:"note,omitempty"`
	// Course is the course the answer was read in the context of, with
	// its title; set when the question had no topic of its own and was
	// answered for the page's course, and on a course page's opening.
	Course *CourseRef `json:"course,omitempty"`
	// HiddenByVotes counts the apps left out because the student marked
	// them not helpful for the same need.
	HiddenByVotes int `json:"hidden_by_votes,omitempty"`
	// Profile is the student's profile when the message changed it
	// ("I'm a nursing student"), for the page to show.
	Profile *Profile `json:"profile,omitempty"`
	// AdjustedBy names what of the student's own changed the answer:
	// AdjustedByVotes, AdjustedByCourse, AdjustedByProfile.
	AdjustedBy []string `json:"adjusted_by,omitempty"`
	// Provisional marks the retrieval answer a stream shows while a
	// language model still orders and explains it; the final answer
	// follows.
	Provisional bool `json:"provisional,omitempty"`
}

// What can change an answer for one student (Reply.AdjustedBy,
// Interaction.AdjustedBy).
const (
	// AdjustedByVotes: an app the student marked not helpful for the same
	// need was left out, or one like an app they found helpful moved up.
	AdjustedByVotes = "votes"
	// AdjustedByCourse: a question with no topic of its own was answered
	// for the course of the page it was asked on.
	AdjustedByCourse = "course"
	// AdjustedByProfile: a vague question ("anything for my major?") was
	// answered from what the student told about their studies.
	AdjustedByProfile = "profile"
)

// Adjustments lists every kind of adjustment, as the dashboard compares
// adjusted answers with plain ones; NotAdjusted names the plain ones
// (the recommendations nothing adjusted).
var Adjustments = []string{AdjustedByProfile, AdjustedByCourse, AdjustedByVotes}

// CourseRef names a course: its number and title.
type CourseRef struct {
	ID    string `json:"id"`
	Title string `json:"title,omitempty"`
}

// NotAdjusted selects, in InteractionFilter.AdjustedBy, the
// recommendations nothing adjusted.
const NotAdjusted = "plain"

// Need is one of several things a message asked for, with its own picks.
type Need struct {
	Topic       string              `json:"topic"`
	Query       string              `json:"query"`
	Apps        []AppRecommendation `json:"apps"`
	NothingFits bool                `json:"nothing_fits"`
}

// ChatEvent is what the chat reports while it answers: a Stage starting
// (understanding, retrieving, ranking), how much the language model has
// written (Writing, in characters) as it streams, or the retrieval answer
// (Provisional) while the model still works on it. The model's text itself
// is never reported: it reaches the student only in the reply, once
// validated.
type ChatEvent struct {
	Stage       string
	Writing     int
	Provisional *Reply
}
