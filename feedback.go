package vrrec

import (
	"context"
	"time"
)

// Votes a student gives an answer: an app card helpful or not, or the
// answer as a whole not what they asked.
const (
	VoteHelpful       = "helpful"
	VoteNotHelpful    = "not_helpful"
	VoteNotWhatIAsked = "not_what_i_asked"
)

// Feedback is one student's vote on one app of an answer (AppID set: helpful
// or not helpful) or on the answer as a whole (AppID empty: not what I
// asked). A student has at most one vote per interaction and app.
type Feedback struct {
	UserID        string    `json:"user_id"`
	InteractionID string    `json:"interaction_id"`
	AppID         string    `json:"app_id,omitempty"`
	Vote          string    `json:"vote"`
	Time          time.Time `json:"time"`
}

// FeedbackStore keeps the students' votes, keyed by student, interaction
// and app, so a student's votes and an interaction's votes can be found
// (and forgotten) by those keys. Errors mean the store could not be reached.
type FeedbackStore interface {
	// SaveFeedback records a vote, replacing the student's earlier vote
	// on the same interaction and app; an empty Vote withdraws it.
	SaveFeedback(ctx context.Context, f Feedback) error
	// Feedback returns the votes cast since the given time (zero: all),
	// oldest first.
	Feedback(ctx context.Context, since time.Time) ([]Feedback, error)
	// StudentFeedback returns one student's votes, oldest first.
	StudentFeedback(ctx context.Context, userID string) ([]Feedback, error)
	// ForgetFeedback deletes one student's votes and returns how many went.
	ForgetFeedback(ctx context.Context, userID string) (int, error)
	// ExpireFeedback deletes the votes cast before the given time and
	// returns how many went.
	ExpireFeedback(ctx context.Context, before time.Time) (int, error)
}

// LabeledQuery is a real question staff turned into an evaluation query:
// the apps an advisor would pick (Relevant) and weaker but reasonable
// ones (Acceptable), as in the eval/ files; neither means nothing in the
// catalog fits. The question's text is its identity: labeling it again
// replaces the labels.
type LabeledQuery struct {
	Query         string    `json:"query"`
	Relevant      []string  `json:"relevant"`
	Acceptable    []string  `json:"acceptable,omitempty"`
	InteractionID string    `json:"interaction_id,omitempty"`
	CreatedBy     string    `json:"created_by"`
	CreatedAt     time.Time `json:"created_at"`
}

// LabeledQueryStore keeps the labeled queries staff save from the log.
// Errors mean the store could not be reached.
type LabeledQueryStore interface {
	// SaveLabeledQuery keeps q, replacing a labeled query of the same text.
	SaveLabeledQuery(ctx context.Context, q LabeledQuery) error
	// LabeledQueries returns every labeled query, oldest first.
	LabeledQueries(ctx context.Context) ([]LabeledQuery, error)
}

// Helpfulness counts the votes on one app, or on the answers to one topic.
type Helpfulness struct {
	Key        string `json:"key"` // an app id or a topic
	Name       string `json:"name,omitempty"`
	Helpful    int    `json:"helpful"`
	NotHelpful int    `json:"not_helpful"`
	// NotWhatIAsked counts answers marked not what the student asked
	// (topics only).
	NotWhatIAsked int `json:"not_what_i_asked"`
}

// Unhelpful is an app often marked not helpful, with the questions whose
// answers it was marked so on.
type Unhelpful struct {
	AppID      string   `json:"app_id"`
	Name       string   `json:"name,omitempty"`
	NotHelpful int      `json:"not_helpful"`
	Questions  []string `json:"questions"`
}

// FeedbackReport summarises the votes of a period for staff.
type FeedbackReport struct {
	Votes   int           `json:"votes"`
	Apps    []Helpfulness `json:"apps"`   // most votes first
	Topics  []Helpfulness `json:"topics"` // most votes first
	Flagged []Unhelpful   `json:"most_not_helpful"`
	// NotWhatIAsked lists the questions whose answers were marked not
	// what the student asked, newest first.
	NotWhatIAsked []string `json:"not_what_i_asked"`
	// Personalisation compares personalised answers with plain ones: one
	// row per kind of personalisation (Adjustments), then
	// NotAdjusted.
	Personalisation []Personalisation `json:"personalisation"`
}

// Personalisation counts the answers of the period one kind of
// personalisation changed (Key "profile", ...; NotAdjusted for the
// recommendations nothing changed) and the votes on them.
type Personalisation struct {
	Helpfulness
	Answers int `json:"answers"`
}

// DemandTopic is a group of unmet questions that mean the same thing.
type DemandTopic struct {
	// Topic names the group: its most typical question.
	Topic    string   `json:"topic"`
	Count    int      `json:"count"`
	Students int      `json:"students"`
	Examples []string `json:"examples"`
	// NothingFits counts the questions nothing fit; the rest had only a
	// weak best match.
	NothingFits int `json:"nothing_fits"`
	// Trend counts the questions per day of the period, oldest first
	// (key YYYY-MM-DD, empty days included).
	Trend     []Count   `json:"trend"`
	LastAsked time.Time `json:"last_asked"`
}

// DemandReport lists what students asked about where nothing fit or the
// best match was weak, grouped into topics, the most asked first.
type DemandReport struct {
	Since     time.Time     `json:"since,omitzero"`
	Questions int           `json:"questions"`
	Topics    []DemandTopic `json:"topics"`
}
