package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/vrrec/vrrec"
)

// A feedback token comes with every answer: the interaction's id and the
// app ids shown, signed together with the student's id. A vote must carry
// it, so a student votes only on answers they were given and on the apps
// those answers showed, before the journal has copied the interaction to
// the database.
func feedbackToken(key []byte, user, interaction string, apps []string) string {
	payload := interaction + "|" + strings.Join(apps, ",")
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + feedbackMAC(key, user, payload)
}

func feedbackMAC(key []byte, user, payload string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("feedback:" + user + "|" + payload))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// openFeedbackToken returns the interaction and apps of a token this server
// signed for user (with SecretKey or one of OldSecretKeys).
func (s *Server) openFeedbackToken(user, token string) (interaction string, apps []string, ok bool) {
	enc, sig, found := strings.Cut(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if !found || err != nil || user == "" {
		return "", nil, false
	}
	payload := string(raw)
	for _, key := range append([][]byte{s.cfg.SecretKey}, s.cfg.OldSecretKeys...) {
		if hmac.Equal([]byte(feedbackMAC(key, user, payload)), []byte(sig)) {
			interaction, shown, _ := strings.Cut(payload, "|")
			if shown != "" {
				apps = strings.Split(shown, ",")
			}
			return interaction, apps, true
		}
	}
	return "", nil, false
}

type feedbackRequest struct {
	InteractionID string `json:"interaction_id"`
	AppID         string `json:"app_id"`
	Vote          string `json:"vote"`
	Token         string `json:"token"`
}

// feedback answers POST /api/feedback {"interaction_id", "app_id", "vote",
// "token"}: a student's vote on an app of an answer ("helpful",
// "not_helpful") or on the answer as a whole ("not_what_i_asked", no
// app_id); an empty vote withdraws it. One vote per student, answer and
// app: a new one replaces it.
func (s *Server) feedback(w http.ResponseWriter, r *http.Request) {
	user := s.identify(w, r)
	var req feedbackRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	interaction, apps, ok := s.openFeedbackToken(user, req.Token)
	if !ok || interaction != req.InteractionID {
		s.writeError(w, r, vrrec.Errorf(vrrec.EINVALID, "This vote does not match an answer you were given: reload the page and ask again"))
		return
	}
	switch req.Vote {
	case vrrec.VoteHelpful, vrrec.VoteNotHelpful:
		if !slices.Contains(apps, req.AppID) {
			s.writeError(w, r, vrrec.Errorf(vrrec.EINVALID, "app_id must be one of the apps this answer showed"))
			return
		}
	case vrrec.VoteNotWhatIAsked:
		if req.AppID != "" {
			s.writeError(w, r, vrrec.Errorf(vrrec.EINVALID, "not_what_i_asked is about the whole answer: send no app_id"))
			return
		}
	case "":
		if req.AppID != "" && !slices.Contains(apps, req.AppID) {
			s.writeError(w, r, vrrec.Errorf(vrrec.EINVALID, "app_id must be one of the apps this answer showed"))
			return
		}
	default:
		s.writeError(w, r, vrrec.Errorf(vrrec.EINVALID, "vote must be helpful, not_helpful, not_what_i_asked or empty (withdraw)"))
		return
	}
	if s.cfg.Feedback == nil {
		s.writeError(w, r, vrrec.Errorf(vrrec.EUNAVAILABLE, "Feedback is not being collected right now"))
		return
	}
	f := vrrec.Feedback{UserID: user, InteractionID: interaction, AppID: req.AppID, Vote: req.Vote, Time: time.Now().UTC()}
	if err := s.cfg.Feedback.SaveFeedback(r.Context(), f); err != nil {
		s.writeError(w, r, vrrec.Unavailable(err, "Your vote could not be saved right now; please try again in a moment"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "interaction_id": interaction, "app_id": req.AppID, "vote": req.Vote})
}
