package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"time"

	"github.com/vrrec/vrrec"
)

// StaffAccounts adds and changes staff accounts (admin.Accounts). Errors
// are EINVALID for bad input, ECONFLICT for an email taken, ENOTFOUND for
// an unknown id, EUNAVAILABLE when the database does not answer.
type StaffAccounts interface {
	List(ctx context.Context) ([]vrrec.StaffMember, error)
	Add(ctx context.Context, email, name string, role vrrec.Role, password string) (vrrec.StaffMember, error)
	SetRole(ctx context.Context, id string, role vrrec.Role) (vrrec.StaffMember, error)
	SetDisabled(ctx context.Context, id string, disabled bool) (vrrec.StaffMember, error)
	SetPassword(ctx context.Context, id, password string) (vrrec.StaffMember, error)
}

func (s *Server) needStaff(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.Staff == nil {
			s.writeError(w, r, vrrec.Errorf(vrrec.EUNAVAILABLE, "Staff accounts are not available on this server"))
			return
		}
		h(w, r)
	}
}

// listStaff answers GET /api/admin/staff: every account, by email.
func (s *Server) listStaff(w http.ResponseWriter, r *http.Request) {
	list, err := s.cfg.Staff.List(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"staff": list})
}

// addStaff answers POST /api/admin/staff {"email", "name", "role",
// "password"} with 201 and the account; without a password the account
// signs in only through single sign-on.
func (s *Server) addStaff(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Email    string     `json:"email"`
		Name     string     `json:"name"`
		Role     vrrec.Role `json:"role"`
		Password string     `json:"password"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.cfg.Staff.Add(r.Context(), req.Email, req.Name, req.Role, req.Password)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.audit(r, "add_staff", m.Email+" as "+string(m.Role))
	writeJSON(w, http.StatusCreated, m)
}

// changeStaff answers PATCH /api/admin/staff/{id} {"role"} or
// {"disabled"}: it applies to the member's next request on every
// instance. Admins cannot change their own role or disable themselves (so
// the last admin cannot lock everyone out by mistake).
func (s *Server) changeStaff(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Role     *vrrec.Role `json:"role"`
		Disabled *bool       `json:"disabled"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	id := r.PathValue("id")
	if me, _ := vrrec.StaffFrom(r.Context()); me.ID == id {
		s.writeError(w, r, vrrec.Errorf(vrrec.EINVALID, "You cannot change your own role or disable yourself: ask another admin, or use vrrec staff"))
		return
	}
	if (req.Role == nil) == (req.Disabled == nil) {
		s.writeError(w, r, vrrec.Errorf(vrrec.EINVALID, `Send either {"role": "viewer|editor|admin"} or {"disabled": true|false}`))
		return
	}
	var m vrrec.StaffMember
	var err error
	if req.Role != nil {
		m, err = s.cfg.Staff.SetRole(r.Context(), id, *req.Role)
		if err == nil {
			s.audit(r, "set_staff_role", m.Email+" to "+string(m.Role))
		}
	} else {
		m, err = s.cfg.Staff.SetDisabled(r.Context(), id, *req.Disabled)
		if err == nil && m.Disabled {
			s.audit(r, "disable_staff", m.Email)
		} else if err == nil {
			s.audit(r, "enable_staff", m.Email)
		}
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

// resetStaffPassword answers POST /api/admin/staff/{id}/password
// {"password"}: the new password, and the member's sessions end.
func (s *Server) resetStaffPassword(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Password string `json:"password"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.cfg.Staff.SetPassword(r.Context(), r.PathValue("id"), req.Password)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.audit(r, "reset_staff_password", m.Email)
	writeJSON(w, http.StatusOK, m)
}

// addSearchTopic answers POST /api/admin/demand/topics {"topic"}: the
// topic joins APP_SEARCH_TOPICS, which the "Search the web for apps" job
// searches. Editors may add topics without seeing the other settings.
func (s *Server) addSearchTopic(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Settings == nil {
		s.writeError(w, r, vrrec.Errorf(vrrec.EUNAVAILABLE, "settings are not available"))
		return
	}
	var req struct {
		Topic string `json:"topic"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	topic := strings.Join(strings.FieldsFunc(req.Topic, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' || r == ' ' || r == '\t' }), " ")
	if topic == "" || len(topic) > 200 {
		s.writeError(w, r, vrrec.Errorf(vrrec.EINVALID, "A topic is a few words, at most 200 characters"))
		return
	}
	list, err := s.cfg.Settings.List(r.Context())
	if err != nil {
		s.writeError(w, r, vrrec.Unavailable(err, "Settings are unavailable: the database does not answer; nothing was changed"))
		return
	}
	var topics []string
	for _, st := range list {
		if st.Key == "APP_SEARCH_TOPICS" {
			topics = strings.FieldsFunc(st.Value, func(r rune) bool { return r == ',' || r == '\n' })
		}
	}
	for i := range topics {
		topics[i] = strings.TrimSpace(topics[i])
		if strings.EqualFold(topics[i], topic) {
			writeJSON(w, http.StatusOK, map[string]any{"added": false, "topic": topic})
			return
		}
	}
	if _, err := s.cfg.Settings.Update(r.Context(), map[string]string{"APP_SEARCH_TOPICS": strings.Join(append(topics, topic), "\n")}); err != nil {
		s.writeError(w, r, vrrec.Unavailable(err, "Settings are unavailable: the database does not answer; nothing was changed"))
		return
	}
	s.audit(r, "add_search_topic", topic)
	if s.cfg.SettingsChanged != nil {
		s.cfg.SettingsChanged(r.Context(), []string{"APP_SEARCH_TOPICS"})
	}
	writeJSON(w, http.StatusOK, map[string]any{"added": true, "topic": topic})
}

// auditTrail answers GET /api/admin/audit?limit=50&actor=&action=, or with
// format=csv the matching entries (up to 100,000) as a CSV download whose
// cells a spreadsheet cannot read as formulas.
func (s *Server) auditTrail(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	format := q.Get("format")
	if format != "" && format != "json" && format != "csv" {
		s.writeError(w, r, vrrec.Errorf(vrrec.EINVALID, "format must be json or csv"))
		return
	}
	def, most := 50, 500
	if format == "csv" {
		def, most = 100000, 100000
	}
	limit, err := queryInt(r, "limit", def, 1, most)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	entries := []vrrec.AuditEntry{}
	if s.cfg.Audit != nil {
		entries, err = s.cfg.Audit.AuditEntries(r.Context(), vrrec.AuditFilter{Actor: q.Get("actor"), Action: q.Get("action"), Limit: limit})
		if err != nil {
			s.writeError(w, r, vrrec.Unavailable(err, "The audit trail is unavailable: the database does not answer"))
			return
		}
	}
	if format != "csv" {
		writeJSON(w, http.StatusOK, map[string]any{"entries": entries})
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="staff-audit.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"time", "actor", "action", "detail", "network"})
	for _, e := range entries {
		_ = cw.Write([]string{e.Time.UTC().Format(time.RFC3339), vrrec.CSVCell(e.Actor), vrrec.CSVCell(e.Action), vrrec.CSVCell(e.Detail), vrrec.CSVCell(e.IP)})
	}
	cw.Flush()
}
