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
}

// SessionStore keeps students' conversations. Sessions are namespaced by
// user: the same session id under two users names two sessions, so one
// student can never read or extend another's conversation. An error means the
// store could not be reached; an unknown user or session is not an error.
type SessionStore interface {
	// Append adds messages to a session, creating it if needed.
	Append(ctx context.Context, userID, sessionID string, msgs ...Message) error
	// Session returns a session's messages, oldest first.
	Session(ctx context.Context, userID, sessionID string) ([]Message, error)
	// History returns the user's latest messages across sessions, oldest
	// first, at most limit of them.
	History(ctx context.Context, userID string, limit int) ([]Message, error)
}
