// Package inmem holds in-memory implementations of the domain's stores, the
// zero-setup default when no database is configured. Their contents live as
// long as the process.
package inmem

import (
	"context"
	"slices"
	"sync"

	"github.com/vrrec/vrrec"
)

// Bounds that keep memory flat however long the process runs.
const (
	MaxMessagesPerSession = 200
	MaxSessionsPerUser    = 50
)

// Sessions is a vrrec.SessionStore in memory, safe for concurrent use. The
// oldest messages of a long session and the oldest sessions of a user are
// forgotten beyond the bounds above.
type Sessions struct {
	mu    sync.Mutex
	users map[string]*userSessions
}

type userSessions struct {
	order    []string // session ids, least recently used first
	messages map[string][]vrrec.Message
}

var _ vrrec.SessionStore = (*Sessions)(nil)

// NewSessions returns an empty store.
func NewSessions() *Sessions { return &Sessions{users: map[string]*userSessions{}} }

// Append implements vrrec.SessionStore.
func (s *Sessions) Append(_ context.Context, userID, sessionID string, msgs ...vrrec.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[userID]
	if u == nil {
		u = &userSessions{messages: map[string][]vrrec.Message{}}
		s.users[userID] = u
	}
	if i := slices.Index(u.order, sessionID); i >= 0 {
		u.order = append(slices.Delete(u.order, i, i+1), sessionID)
	} else {
		u.order = append(u.order, sessionID)
		if len(u.order) > MaxSessionsPerUser {
			delete(u.messages, u.order[0])
			u.order = u.order[1:]
		}
	}
	for _, m := range msgs {
		m.SessionID = sessionID
		u.messages[sessionID] = append(u.messages[sessionID], m)
	}
	if n := len(u.messages[sessionID]); n > MaxMessagesPerSession {
		u.messages[sessionID] = slices.Clone(u.messages[sessionID][n-MaxMessagesPerSession:])
	}
	return nil
}

// Session implements vrrec.SessionStore.
func (s *Sessions) Session(_ context.Context, userID, sessionID string) ([]vrrec.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.users[userID]; u != nil {
		return slices.Clone(u.messages[sessionID]), nil
	}
	return nil, nil
}

// History implements vrrec.SessionStore.
func (s *Sessions) History(_ context.Context, userID string, limit int) ([]vrrec.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[userID]
	if u == nil || limit <= 0 {
		return nil, nil
	}
	var all []vrrec.Message
	for _, id := range u.order {
		all = append(all, u.messages[id]...)
	}
	slices.SortStableFunc(all, func(a, b vrrec.Message) int { return a.Time.Compare(b.Time) })
	if len(all) > limit {
		all = all[len(all)-limit:]
	}
	return slices.Clone(all), nil
}
