// Package inmem holds in-memory implementations of the domain's stores, for
// tests that need a store and no database. Their contents live as long as
// the process.
package inmem

import (
	"context"
	"slices"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/vrrec/vrrec"
)

// Bounds that keep memory flat however long the process runs (with
// vrrec.MaxSessionMessages per session).
const (
	MaxSessionsPerUser = 50
	MaxUsers           = 20000 // the least recently active are forgotten first
)

// Sessions is a vrrec.SessionStore in memory, safe for concurrent use. The
// oldest messages of a long session, the oldest sessions of a user and the
// least recently active users are forgotten beyond the bounds above.
type Sessions struct {
	mu    sync.Mutex
	users *lru.Cache[string, *userSessions]
}

type userSessions struct {
	order    []string // session ids, least recently used first
	messages map[string][]vrrec.Message
}

var _ vrrec.SessionStore = (*Sessions)(nil)

// NewSessions returns an empty store.
func NewSessions() *Sessions {
	users, err := lru.New[string, *userSessions](MaxUsers)
	if err != nil { // only for a size below 1
		panic(err)
	}
	return &Sessions{users: users}
}

// Append implements vrrec.SessionStore.
func (s *Sessions) Append(_ context.Context, userID, sessionID string, msgs ...vrrec.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users.Get(userID)
	if !ok {
		u = &userSessions{messages: map[string][]vrrec.Message{}}
		s.users.Add(userID, u)
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
	if n := len(u.messages[sessionID]); n > vrrec.MaxSessionMessages {
		u.messages[sessionID] = slices.Clone(u.messages[sessionID][n-vrrec.MaxSessionMessages:])
	}
	return nil
}

// Session implements vrrec.SessionStore.
func (s *Sessions) Session(_ context.Context, userID, sessionID string, limit int) ([]vrrec.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users.Peek(userID); ok && limit > 0 {
		msgs := u.messages[sessionID]
		return slices.Clone(msgs[max(0, len(msgs)-limit):]), nil
	}
	return nil, nil
}

// History implements vrrec.SessionStore.
func (s *Sessions) History(_ context.Context, userID string, limit int) ([]vrrec.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users.Peek(userID)
	if !ok || limit <= 0 {
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

// ForgetSessions implements vrrec.SessionStore.
func (s *Sessions) ForgetSessions(_ context.Context, userID string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users.Peek(userID)
	if !ok {
		return 0, nil
	}
	n := 0
	for _, msgs := range u.messages {
		n += len(msgs)
	}
	s.users.Remove(userID)
	return n, nil
}

// ExpireSessions implements vrrec.SessionStore.
func (s *Sessions) ExpireSessions(_ context.Context, before time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, userID := range s.users.Keys() {
		u, _ := s.users.Peek(userID)
		u.order = slices.DeleteFunc(u.order, func(id string) bool {
			msgs := u.messages[id]
			if len(msgs) > 0 && !msgs[len(msgs)-1].Time.Before(before) {
				return false
			}
			n += len(msgs)
			delete(u.messages, id)
			return true
		})
		if len(u.order) == 0 {
			s.users.Remove(userID)
		}
	}
	return n, nil
}
