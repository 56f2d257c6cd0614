package web

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/vrrec/vrrec"
)

// Welcomer records that a student opened the chat and says what is new
// for them since their last visit (chat.Service).
type Welcomer interface {
	Visit(ctx context.Context, userID string) (vrrec.Welcome, error)
}

// needProfiles answers 503 when no profile store is configured.
func (s *Server) needProfiles(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.Profiles == nil || s.cfg.Welcome == nil {
			s.writeError(w, r, vrrec.Errorf(vrrec.EUNAVAILABLE, "Remembering what you study is not available"))
			return
		}
		h(w, r)
	}
}

// profileResponse is the caller's profile, with their identity.
type profileResponse struct {
	UserID  string        `json:"user_id"`
	Profile vrrec.Profile `json:"profile"`
}

// getProfile answers GET /api/profile: what the caller told about their
// studies.
func (s *Server) getProfile(w http.ResponseWriter, r *http.Request) {
	user := s.identify(w, r)
	p, _, err := s.cfg.Profiles.Profile(r.Context(), user)
	if err != nil {
		s.writeError(w, r, vrrec.Unavailable(err, "Your profile is unavailable right now"))
		return
	}
	writeJSON(w, http.StatusOK, profileResponse{UserID: user, Profile: p})
}

// putProfile answers PUT /api/profile: the student's own edit of their
// profile replaces it (the language they write in stays as read from
// their messages unless given).
func (s *Server) putProfile(w http.ResponseWriter, r *http.Request) {
	user := s.identify(w, r)
	var in vrrec.Profile
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := in.Check(); err != nil {
		s.writeError(w, r, err)
		return
	}
	p := vrrec.Profile{Major: strings.TrimSpace(in.Major), Year: strings.TrimSpace(in.Year),
		Courses: cleanList(in.Courses), Interests: cleanList(in.Interests), Language: strings.TrimSpace(in.Language)}
	old, _, err := s.cfg.Profiles.Profile(r.Context(), user)
	if err == nil {
		if p.Language == "" {
			p.Language = old.Language
		}
		p.UpdatedAt = time.Now().UTC()
		err = s.cfg.Profiles.SaveProfile(r.Context(), user, p)
	}
	if err != nil {
		s.writeError(w, r, vrrec.Unavailable(err, "Your profile was not saved; please try again"))
		return
	}
	if !p.Stated() {
		p = vrrec.Profile{}
	}
	writeJSON(w, http.StatusOK, profileResponse{UserID: user, Profile: p})
}

// deleteProfile answers DELETE /api/profile: the caller's profile is
// cleared (their conversations stay; /api/forget deletes everything).
func (s *Server) deleteProfile(w http.ResponseWriter, r *http.Request) {
	user := s.identify(w, r)
	if err := s.cfg.Profiles.SaveProfile(r.Context(), user, vrrec.Profile{UpdatedAt: time.Now().UTC()}); err != nil {
		s.writeError(w, r, vrrec.Unavailable(err, "Your profile was not cleared; please try again"))
		return
	}
	writeJSON(w, http.StatusOK, profileResponse{UserID: user, Profile: vrrec.Profile{}})
}

// visit answers POST /api/visit, which the chat page sends when it opens:
// the caller's profile and, once, the apps new since their last visit.
func (s *Server) visit(w http.ResponseWriter, r *http.Request) {
	user := s.identify(w, r)
	welcome, err := s.cfg.Welcome.Visit(r.Context(), user)
	if err != nil {
		s.writeError(w, r, vrrec.Unavailable(err, "Your profile is unavailable right now"))
		return
	}
	writeJSON(w, http.StatusOK, struct {
		UserID string `json:"user_id"`
		vrrec.Welcome
	}{user, welcome})
}

// cleanList trims a list's items and drops the empty ones and repeats.
func cleanList(items []string) []string {
	var out []string
	for _, it := range items {
		if it = strings.TrimSpace(it); it != "" && !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, it) }) {
			out = append(out, it)
		}
	}
	return out
}
