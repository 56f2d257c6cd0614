package vrrec

import (
	"context"
	"time"
)

// Message roles.
const (
	RoleUser      = "user"
	RoleAssistant = "assistant"
)

// Message is one turn of a chat session.
type Message struct {
	SessionID string    `json:"session_id"`
	Role      string    `json:"role"` // user or assistant
	Content   string    `json:"content"`
	Intent    string    `json:"intent,omitempty"`
	Time      time.Time `json:"time"`
	// Apps are the apps an assistant turn showed, in order, so follow-ups
	// ("the second one", "anything cheaper?") can refer to them.
	Apps []AppRecommendation `json:"apps,omitempty"`
	// Query is what an assistant turn's apps answer, for "show me more".
	Query string `json:"query,omitempty"`
	// InteractionID is the interaction an assistant turn was logged as
	// (Question.InteractionID), for the votes on a restored answer.
	InteractionID string `json:"interaction_id,omitempty"`
}

// MaxSessionMessages is how many messages a session keeps.
const MaxSessionMessages = 200

// SessionStore keeps students' conversations. Sessions are namespaced by
// user: the same session id under two users names two sessions, so one
// student can never read or extend another's conversation. An error means the
// store could not be reached; an unknown user or session is not an error.
type SessionStore interface {
	// Append adds messages to a session, creating it if needed; a session
	// keeps its latest MaxSessionMessages, older ones are forgotten.
	Append(ctx context.Context, userID, sessionID string, msgs ...Message) error
	// Session returns a session's latest messages, at most limit of them,
	// oldest first: a long conversation costs no more to answer than a
	// short one.
	Session(ctx context.Context, userID, sessionID string, limit int) ([]Message, error)
	// History returns the user's latest messages across sessions, oldest
	// first, at most limit of them.
	History(ctx context.Context, userID string, limit int) ([]Message, error)
	// ForgetSessions deletes every session of the user and returns how many
	// messages it deleted.
	ForgetSessions(ctx context.Context, userID string) (int, error)
	// ExpireSessions deletes the sessions whose last message is older than
	// before and returns how many messages it deleted.
	ExpireSessions(ctx context.Context, before time.Time) (int, error)
}
