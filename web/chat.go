package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/vrrec/vrrec"
)

// Chatter answers students' messages (chat.Service).
type Chatter interface {
	// CheckMessage returns the message trimmed, or EINVALID when Answer
	// would refuse it (empty, too long), so a chat is refused before it
	// waits for a slot.
	CheckMessage(message string) (string, error)
	// Answer answers one message of a student's session, reporting its
	// progress to events (which may be nil). Its errors carry the code to
	// answer with (EINVALID, EUNAVAILABLE, ...).
	Answer(ctx context.Context, q vrrec.Question, events func(vrrec.ChatEvent)) (*vrrec.Reply, error)
	// History returns the student's recent messages, oldest first; an error
	// means the session store does not answer.
	History(ctx context.Context, userID string) ([]vrrec.Message, error)
}

type chatRequest struct {
	Message   string `json:"message"`
	SessionID string `json:"session_id"`
	// Without lists constraint kinds the student removed (a chip's ✕).
	Without []string `json:"without,omitempty"`
}

// maxWithout bounds the constraint kinds a request may remove: there are
// fewer kinds than that.
const maxWithout = 16

// question is the request as the chat reads it, with the id its answer
// will be logged under.
func (req chatRequest) question(user string) vrrec.Question {
	return vrrec.Question{UserID: user, SessionID: req.SessionID, Message: req.Message, Without: req.Without, InteractionID: newUUID()}
}

// chatResponse is the reply, the interaction it is logged as with the
// token a vote on it carries (POST /api/feedback), and, for the embedded
// widget, the signed id to send back in X-Vrrec-User.
type chatResponse struct {
	*vrrec.Reply
	InteractionID string `json:"interaction_id"`
	FeedbackToken string `json:"feedback_token"`
	UserToken     string `json:"user_token,omitempty"`
}

var sessionIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// readChat decodes and checks a chat request, filling in a new session id.
func (s *Server) readChat(w http.ResponseWriter, r *http.Request) (chatRequest, error) {
	var req chatRequest
	// The body gets its own short deadline (ReadTimeout is for uploads
	// too): a client sending a few bytes a second is refused soon, and
	// never holds a chat slot, which is taken only after this.
	// Once it is in, the deadline goes: the server's watch for a client
	// hanging up reads on, and a deadline passing there would cancel the
	// answer (the chat's own deadline, chat.Service.SetTimeout, bounds it).
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(s.cfg.ChatBodyTimeout))
	if err := decodeJSON(w, r, &req); err != nil {
		// The deadline stays: what is left of a slow body is not waited
		// for, the connection closes after the error.
		w.Header().Set("Connection", "close")
		return req, err
	}
	_ = rc.SetReadDeadline(time.Time{})
	if _, err := s.cfg.Chat.CheckMessage(req.Message); err != nil {
		return req, err
	}
	switch {
	case req.SessionID == "":
		req.SessionID = newUUID()
	case !sessionIDPattern.MatchString(req.SessionID):
		return req, vrrec.Errorf(vrrec.EINVALID, "session_id must be 1-64 letters, digits, '-' or '_'")
	case len(req.Without) > maxWithout:
		return req, vrrec.Errorf(vrrec.EINVALID, "without lists at most %d constraint kinds", maxWithout)
	}
	for _, kind := range req.Without {
		if !vrrec.IsConstraintKind(kind) {
			return req, vrrec.Errorf(vrrec.EINVALID, "without: %q is not a constraint kind", kind)
		}
	}
	return req, nil
}

func (s *Server) respondChat(r *http.Request, reply *vrrec.Reply, it vrrec.Interaction) chatResponse {
	out := chatResponse{Reply: reply, InteractionID: it.ID, FeedbackToken: feedbackToken(s.cfg.SecretKey, reply.UserID, it.ID, it.Apps)}
	if r.Header.Get("X-Vrrec-Embed") == "1" {
		out.UserToken = s.sign(reply.UserID)
	}
	return out
}

// beginChat identifies the student, reads the chat's body and then takes
// a chat slot, in that order (a slow body holds no slot). When it reports
// false it has answered already; otherwise the caller frees the slot with
// release.
func (s *Server) beginChat(w http.ResponseWriter, r *http.Request) (user string, req chatRequest, release func(), ok bool) {
	user = s.identify(w, r)
	req, err := s.readChat(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return "", req, nil, false
	}
	release, ok = s.acquireSlot(w, r)
	return user, req, release, ok
}

// chat answers POST /chat.
func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	user, req, release, ok := s.beginChat(w, r)
	if !ok {
		return
	}
	defer release()
	start := time.Now()
	q := req.question(user)
	reply, err := s.cfg.Chat.Answer(r.Context(), q, nil)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	it := s.record(r, q, reply, start, "web")
	writeJSON(w, http.StatusOK, s.respondChat(r, reply, it))
}

// chatUsage answers GET /chat with how to use it, as the old system did.
func (s *Server) chatUsage(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"usage":   `POST /chat with {"message": "I'm learning Python", "session_id": "optional"}`,
		"stream":  "POST /chat/stream with the same body answers as Server-Sent Events",
		"history": "GET /api/history returns your conversation",
	})
}

// chatStream answers POST /chat/stream as Server-Sent Events: "progress"
// events ({"stage"}), "writing" events ({"chars"}: how much a language
// model has written; its text arrives only in the result, validated), then
// one "result" event with the /chat response, or one "error" event. Bad
// requests are refused with a JSON error before the stream starts, so a
// client can tell them from a broken stream.
func (s *Server) chatStream(w http.ResponseWriter, r *http.Request) {
	user, req, release, ok := s.beginChat(w, r)
	if !ok {
		return
	}
	defer release()
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	send := func(event string, v any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b)
		_ = rc.Flush()
	}
	start := time.Now()
	q := req.question(user)
	reply, err := s.cfg.Chat.Answer(r.Context(), q, func(e vrrec.ChatEvent) {
		if e.Writing > 0 {
			send("writing", map[string]int{"chars": e.Writing})
		} else {
			send("progress", map[string]string{"stage": e.Stage})
		}
	})
	if err != nil {
		send("error", map[string]any{"error": s.publicMessage(r, err), "status": status(vrrec.ErrorCode(err))})
		return
	}
	it := s.record(r, q, reply, start, "stream")
	send("result", s.respondChat(r, reply, it))
}

// record logs an answered chat and returns the interaction: it gives it to
// the journal and waits until it is durable (on disk, not yet in the
// database), so an answer a client
// receives is never lost by a crash after it. When it cannot be made
// durable in time (the request's context ended, the spool is full or
// failing), the chat is answered anyway: the journal keeps the interaction
// in memory for the database and counts it as not durable (its NotDurable
// metric); here it is only logged at debug level, since the journal already
// logs each episode.
func (s *Server) record(r *http.Request, q vrrec.Question, reply *vrrec.Reply, start time.Time, source string) vrrec.Interaction {
	if r.Header.Get("X-Vrrec-Embed") == "1" {
		source = "widget"
	}
	apps := make([]string, 0, len(reply.Apps)+1)
	best := 0
	for _, a := range reply.Apps {
		apps = append(apps, a.AppID)
		best = max(best, a.MatchPercent)
	}
	if reply.App != nil && len(apps) == 0 {
		apps = append(apps, reply.App.AppID) // "tell me more about X" shows X
	}
	it := vrrec.Interaction{
		ID: q.InteractionID, UserID: reply.UserID, SessionID: reply.SessionID, Query: q.Message, Intent: reply.Intent,
		Response: reply.Response, Apps: apps, LatencyMS: float64(time.Since(start).Microseconds()) / 1000,
		Source: source, Time: start.UTC(), Topic: reply.Topic, NothingFits: reply.NothingFits, BestMatch: best,
		AdjustedBy: reply.AdjustedBy,
	}
	if s.cfg.Journal == nil {
		return it
	}
	if err := s.cfg.Journal.Log(r.Context(), it); err != nil {
		s.cfg.Log.DebugContext(r.Context(), "answered chat not durable", "id", it.ID, "err", err)
	}
	return it
}

// historyMessage is one message of GET /api/history. An answer logged as
// an interaction comes with the token a vote on it carries, as when it was
// given, and the student's votes on it: app id ("" for the answer as a
// whole) to vote.
type historyMessage struct {
	vrrec.Message
	FeedbackToken string            `json:"feedback_token,omitempty"`
	Votes         map[string]string `json:"votes,omitempty"`
}

// history answers GET /api/history with the caller's own conversation. A
// feedback store that does not answer leaves the votes out: the
// conversation still comes back, its answers still take votes.
func (s *Server) history(w http.ResponseWriter, r *http.Request) {
	user := s.identify(w, r)
	msgs, err := s.cfg.Chat.History(r.Context(), user)
	if err != nil {
		s.writeError(w, r, vrrec.Errorf(vrrec.EUNAVAILABLE, "History is unavailable right now"))
		return
	}
	votes := map[string]map[string]string{} // interaction id -> app id -> vote
	if s.cfg.Feedback != nil {
		fb, err := s.cfg.Feedback.StudentFeedback(r.Context(), user)
		if err != nil {
			s.cfg.Log.WarnContext(r.Context(), "history without votes: feedback store unavailable", "err", err)
		}
		for _, f := range fb {
			if votes[f.InteractionID] == nil {
				votes[f.InteractionID] = map[string]string{}
			}
			votes[f.InteractionID][f.AppID] = f.Vote
		}
	}
	out := make([]historyMessage, len(msgs))
	for i, m := range msgs {
		out[i].Message = m
		if m.Role != vrrec.RoleAssistant || m.InteractionID == "" {
			continue
		}
		apps := make([]string, len(m.Apps))
		for j, a := range m.Apps {
			apps[j] = a.AppID
		}
		out[i].FeedbackToken = feedbackToken(s.cfg.SecretKey, user, m.InteractionID, apps)
		out[i].Votes = votes[m.InteractionID]
	}
	writeJSON(w, http.StatusOK, map[string]any{"user_id": user, "messages": out})
}
