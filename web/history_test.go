package web_test

import (
	"encoding/json"
	"testing"

	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/web"
)

type historyBody struct {
	Messages []struct {
		Role          string            `json:"role"`
		InteractionID string            `json:"interaction_id"`
		FeedbackToken string            `json:"feedback_token"`
		Votes         map[string]string `json:"votes"`
	} `json:"messages"`
}

// GET /api/history gives each answer the interaction id and feedback
// token it was given with, and the student's votes on it; a vote with
// that token counts. With the feedback store down the conversation still
// comes back, without votes.
func TestHistoryCarriesTokensAndVotes(t *testing.T) {
	db := testenv.SQLite(t)
	conv := newConversation(speakingAnswer)
	base := start(t, newServer(t, nil, func(c *web.Config) { c.Chat, c.Feedback = conv, db }))
	student := newStudent(t, base)
	answered := postChat(t, student, base, "public speaking").json(t)
	history := func() historyBody {
		t.Helper()
		res := do(t, student, "GET", base+"/api/history", "", "", nil)
		var h historyBody
		if err := json.Unmarshal(res.body, &h); err != nil || res.status != 200 || len(h.Messages) != 2 {
			t.Fatalf("history: %d %s", res.status, res.body)
		}
		return h
	}
	h := history()
	if h.Messages[0].FeedbackToken != "" || h.Messages[1].InteractionID != answered["interaction_id"] || h.Messages[1].FeedbackToken != answered["feedback_token"] {
		t.Fatalf("history %+v; want the answer's interaction id and token as the chat gave them (%v, %v)", h, answered["interaction_id"], answered["feedback_token"])
	}
	vote := `{"interaction_id":"` + h.Messages[1].InteractionID + `","app_id":"ovation","vote":"not_helpful","token":"` + h.Messages[1].FeedbackToken + `"}`
	if res := do(t, student, "POST", base+"/api/feedback", "application/json", vote, nil); res.status != 200 {
		t.Fatalf("vote with the history's token: %d %s", res.status, res.body)
	}
	if votes := history().Messages[1].Votes; len(votes) != 1 || votes["ovation"] != "not_helpful" {
		t.Errorf("votes in the history %v", votes)
	}
	// Another student sees none of it.
	if res := do(t, newStudent(t, base), "GET", base+"/api/history", "", "", nil); string(res.body) == "" || len(res.json(t)["messages"].([]any)) != 0 {
		t.Errorf("another student's history: %s", res.body)
	}

	db.Close()
	if h := history(); h.Messages[1].FeedbackToken == "" || h.Messages[1].Votes != nil {
		t.Errorf("with the feedback store down: %+v; want the answer with its token, without votes", h.Messages[1])
	}
}
