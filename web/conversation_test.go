package web_test

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/internal/inmem"
)

// conversation is a web.Chatter whose answers the test scripts and which
// keeps the conversation as chat.Service does: in a real session store,
// each assistant turn with the apps it showed and the interaction id it
// was logged under. The page and the HTTP layer are under test, not the
// chat's understanding; it also keeps the questions it was asked.
type conversation struct {
	answer   func(q vrrec.Question) *vrrec.Reply
	sessions *inmem.Sessions

	mu    sync.Mutex
	asked []vrrec.Question
}

func newConversation(answer func(q vrrec.Question) *vrrec.Reply) *conversation {
	return &conversation{answer: answer, sessions: inmem.NewSessions()}
}

func (c *conversation) CheckMessage(message string) (string, error) {
	if strings.TrimSpace(message) == "" {
		return "", vrrec.Errorf(vrrec.EINVALID, "Message required")
	}
	return strings.TrimSpace(message), nil
}

func (c *conversation) Answer(ctx context.Context, q vrrec.Question, _ func(vrrec.ChatEvent)) (*vrrec.Reply, error) {
	c.mu.Lock()
	c.asked = append(c.asked, q)
	c.mu.Unlock()
	reply := c.answer(q)
	reply.Type, reply.UserID, reply.SessionID = "success", q.UserID, q.SessionID
	if reply.Apps == nil {
		reply.Apps = []vrrec.AppRecommendation{}
	}
	now := time.Now().UTC()
	err := c.sessions.Append(ctx, q.UserID, q.SessionID,
		vrrec.Message{Role: vrrec.RoleUser, Content: q.Message, Intent: reply.Intent, Time: now},
		vrrec.Message{Role: vrrec.RoleAssistant, Content: reply.Response, Intent: reply.Intent, Time: now,
			Apps: reply.Apps, Query: reply.Query, InteractionID: q.InteractionID})
	return reply, err
}

func (c *conversation) History(ctx context.Context, userID string) ([]vrrec.Message, error) {
	return c.sessions.History(ctx, userID, 50)
}

// questions returns the questions asked so far.
func (c *conversation) questions() []vrrec.Question {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]vrrec.Question(nil), c.asked...)
}
