package web

import (
	"context"
	"net/http"

	"github.com/vrrec/vrrec"
)

// Privacy exports and forgets what is stored about one student
// (privacy.Service). Errors carry their code: EINVALID for a bad id,
// EUNAVAILABLE when the database does not answer (a forget may then have
// deleted part, and may be asked again).
type Privacy interface {
	Export(ctx context.Context, userID string) (vrrec.StudentExport, error)
	Forget(ctx context.Context, userID string) (vrrec.Forgotten, error)
}

// needPrivacy answers 503 when no Privacy is configured.
func (s *Server) needPrivacy(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.Privacy == nil {
			s.writeError(w, r, vrrec.Errorf(vrrec.EUNAVAILABLE, "Deleting and exporting stored conversations is not available"))
			return
		}
		h(w, r)
	}
}

// forget answers POST /api/forget: the caller's sessions, interactions
// and whatever else is kept about them are deleted, and they get a fresh
// identity. A caller without a valid identity has nothing stored and just
// gets one. When the deletion fails the identity stays, so the student
// can try again.
func (s *Server) forget(w http.ResponseWriter, r *http.Request) {
	removed := map[string]int{}
	if old := s.verifiedUser(r); old != "" {
		f, err := s.cfg.Privacy.Forget(r.Context(), old)
		if err != nil {
			s.cfg.Log.WarnContext(r.Context(), "a student's forget failed", "err", err)
			s.writeError(w, r, vrrec.Unavailable(err, "Your conversations could not all be deleted right now; please try again"))
			return
		}
		removed = f.Removed
	}
	id := newUUID()
	s.setUserCookie(w, r, id)
	out := map[string]any{"success": true, "removed": removed, "user_id": id}
	if r.Header.Get("X-Vrrec-Embed") == "1" {
		out["user_token"] = s.sign(id)
	}
	writeJSON(w, http.StatusOK, out)
}

// exportStudent answers GET /api/admin/students/{id}: everything stored
// about the student, as a JSON download.
func (s *Server) exportStudent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	exp, err := s.cfg.Privacy.Export(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.audit(r, "export_student", id)
	w.Header().Set("Content-Disposition", `attachment; filename="student-export.json"`)
	writeJSON(w, http.StatusOK, exp)
}

// forgetStudent answers DELETE /api/admin/students/{id}: everything
// stored about the student is deleted (their statistics stay as counts).
func (s *Server) forgetStudent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	f, err := s.cfg.Privacy.Forget(r.Context(), id)
	if err != nil {
		if vrrec.ErrorCode(err) != vrrec.EINVALID {
			s.audit(r, "forget_student", id+" (incomplete: "+vrrec.ErrorMessage(err)+")")
		}
		s.writeError(w, r, err)
		return
	}
	s.audit(r, "forget_student", id)
	writeJSON(w, http.StatusOK, f)
}
