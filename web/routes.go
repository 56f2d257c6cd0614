package web

import (
	"net/http"

	"github.com/vrrec/vrrec"
)

// routes lists every route and, in order, the middleware around them. It
// keeps their patterns in s.patterns: docs/openapi.yaml documents each one
// with a method (tested).
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	s.mux = mux
	s.patterns = nil
	handle := func(pattern string, h http.Handler) {
		mux.Handle(pattern, h)
		s.patterns = append(s.patterns, pattern)
	}
	handleFunc := func(pattern string, h http.HandlerFunc) { handle(pattern, h) }

	// Pages and assets.
	handleFunc("GET /{$}", s.page(pageIndex))
	handleFunc("GET /embed", s.page(pageEmbed))
	handle("GET /static/", staticFiles())
	handleFunc("GET /widget.js", widgetLoader)
	// The icon the pages link; /favicon.ico for clients that ask without a link.
	handleFunc("GET /favicon.svg", favicon)
	handleFunc("GET /favicon.ico", favicon)
	// Staff pages show a login form until a session exists; their data
	// comes from /api/admin/*, which checks the session on every call.
	handleFunc("GET /admin", s.adminPage)
	handleFunc("GET /admin/data", s.adminPage)
	handleFunc("GET /admin/config", s.adminPage)
	handleFunc("GET /admin/staff", s.adminPage)

	// State-changing requests of students and staff must come from this
	// origin (CSRF).
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "Cross-origin request refused: requests that change something must come from this site's own pages"})
	}))

	// Chat API.
	handleFunc("GET /chat", s.chatUsage)
	handleFunc("POST /chat", s.chat)
	handleFunc("POST /chat/stream", s.chatStream)
	handleFunc("POST /chat/open", s.chatOpen)
	handleFunc("GET /api/courses", s.courses)
	handleFunc("GET /api/courses/{id}", s.course)
	handleFunc("GET /api/history", s.history)
	handleFunc("POST /api/feedback", s.feedback)
	// A student forgets their own history: from this site's pages only.
	handle("POST /api/forget", csrf.Handler(s.needPrivacy(s.forget)))
	// What the student told about their studies (profile.go).
	handleFunc("GET /api/profile", s.needProfiles(s.getProfile))
	handle("PUT /api/profile", csrf.Handler(s.needProfiles(s.putProfile)))
	handle("DELETE /api/profile", csrf.Handler(s.needProfiles(s.deleteProfile)))
	handle("POST /api/visit", csrf.Handler(s.needProfiles(s.visit)))

	handle("POST /api/auth/login", csrf.Handler(http.HandlerFunc(s.login)))
	handle("POST /api/auth/logout", csrf.Handler(http.HandlerFunc(s.logout)))
	handleFunc("GET /api/auth/check", s.authCheck)
	handleFunc("GET /api/auth/sso/start", s.needSSO(s.ssoStart))
	handleFunc("GET /api/auth/sso/callback", s.needSSO(s.ssoCallbackPage))
	staff := http.NewServeMux()
	for _, rt := range s.adminRoutes() {
		staff.HandleFunc(rt.pattern, s.requireRole(rt.role, rt.handler))
		s.patterns = append(s.patterns, rt.pattern)
	}
	staff.HandleFunc("/api/admin/", notFound)
	handle("/api/admin/", csrf.Handler(s.requireAdmin(staff)))

	// Operations.
	handleFunc("GET /health", s.health)
	handleFunc("GET /ready", s.ready)

	// Anything else under the API answers JSON, never an HTML page.
	handleFunc("/chat", methodNotAllowed("GET, POST"))
	handleFunc("/chat/stream", methodNotAllowed("POST"))
	handleFunc("/chat/open", methodNotAllowed("POST"))
	handleFunc("/api/", notFound)
	handleFunc("/chat/", notFound)
	handleFunc("/", notFound) // a browser gets a page (writeError)

	var h http.Handler = mux
	h = s.rateLimit(h)
	h = s.cors(h)
	h = securityHeaders(h)
	h = s.recoverPanics(h)
	h = s.logRequests(h)
	return h
}

// adminRoute is one staff API route and the least role that may use it.
type adminRoute struct {
	pattern string
	role    vrrec.Role
	handler http.HandlerFunc
}

// adminRoutes is every /api/admin route with its least role: the one table
// the router checks roles from (docs/operations.md lists it, tested).
// Viewers read the dashboard, logs and reports; editors also make catalog
// drafts, run jobs, label queries and add demand topics; admins also
// change settings and keys, publish and roll back, manage staff accounts,
// read the audit trail and export or delete a student's data.
func (s *Server) adminRoutes() []adminRoute {
	const viewer, editor, admin = vrrec.RoleViewer, vrrec.RoleEditor, vrrec.RoleAdmin
	return []adminRoute{
		{"GET /api/admin/health", viewer, s.adminHealth},
		{"GET /api/admin/stats", viewer, s.adminStats},
		{"GET /api/admin/courses", viewer, s.answersByCourse},
		{"GET /api/admin/logs", viewer, s.adminLogs},
		{"GET /api/admin/llm-spend", viewer, s.llmSpend},
		{"GET /api/admin/feedback", viewer, s.needUsage(s.feedbackReport)},
		{"GET /api/admin/demand", viewer, s.needUsage(s.demandReport)},
		{"POST /api/admin/demand/topics", editor, s.addSearchTopic},
		{"GET /api/admin/labeled-queries", viewer, s.needUsage(s.labeledQueries)},
		{"POST /api/admin/labeled-queries", editor, s.needUsage(s.saveLabeledQuery)},
		{"GET /api/admin/labeled-queries/export", viewer, s.needUsage(s.exportLabeledQueries)},
		{"GET /api/admin/data/status", viewer, s.needData(s.dataStatus)},
		{"POST /api/admin/data/import", editor, s.needData(s.importUpload)},
		{"POST /api/admin/data/update/courses", editor, s.needData(s.startWith(DataJobs.UpdateCourses))},
		{"POST /api/admin/data/update/apps", editor, s.needData(s.startWith(DataJobs.UpdateApps))},
		{"POST /api/admin/data/scrape/courses", editor, s.needData(s.startWith(DataJobs.ScrapeCourses))},
		{"POST /api/admin/data/search/apps", editor, s.needData(s.startWith(DataJobs.SearchApps))},
		{"POST /api/admin/data/process/skills", editor, s.needData(s.startWith(DataJobs.ExtractSkills))},
		{"POST /api/admin/data/process/graph", editor, s.needData(s.startWith(DataJobs.Rebuild))},
		{"GET /api/admin/data/versions", viewer, s.needData(s.listVersions)},
		{"GET /api/admin/data/versions/{version}", viewer, s.needData(s.getVersion)},
		{"POST /api/admin/data/versions/{version}/publish", admin, s.needData(s.publishVersion)},
		{"GET /api/admin/data/versions/{version}/report", viewer, s.needData(s.importReport)},
		{"DELETE /api/admin/data/versions/{version}", editor, s.needData(s.discardVersion)},
		{"GET /api/admin/jobs", viewer, s.needData(s.listJobs)},
		{"GET /api/admin/jobs/{id}", viewer, s.needData(s.getJob)},
		{"POST /api/admin/jobs/{id}/cancel", editor, s.needData(s.cancelJob)},
		{"GET /api/admin/config", admin, s.adminConfig},
		{"POST /api/admin/config", admin, s.updateConfig},
		{"GET /api/admin/audit", admin, s.auditTrail},
		{"GET /api/admin/staff", admin, s.needStaff(s.listStaff)},
		{"POST /api/admin/staff", admin, s.needStaff(s.addStaff)},
		{"PATCH /api/admin/staff/{id}", admin, s.needStaff(s.changeStaff)},
		{"POST /api/admin/staff/{id}/password", admin, s.needStaff(s.resetStaffPassword)},
		{"GET /api/admin/students/{id}", admin, s.needPrivacy(s.exportStudent)},
		{"DELETE /api/admin/students/{id}", admin, s.needPrivacy(s.forgetStudent)},
	}
}

func notFound(w http.ResponseWriter, r *http.Request) {
	msg := "Not found: " + r.Method + " " + r.URL.Path
	if wantsPage(r) {
		writePage(w, http.StatusNotFound, "There is no page at "+r.URL.Path+".")
		return
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"error": msg})
}

func methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "Method " + r.Method + " not allowed; use " + allow})
	}
}

var errInternal = vrrec.Errorf(vrrec.EINTERNAL, "Internal error")
