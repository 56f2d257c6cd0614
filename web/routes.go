package web

import (
	"net/http"

	"github.com/vrrec/vrrec"
)

// routes lists every route and, in order, the middleware around them.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	s.mux = mux

	// Pages and assets.
	mux.HandleFunc("GET /{$}", s.page(pageIndex))
	mux.HandleFunc("GET /embed", s.page(pageEmbed))
	mux.Handle("GET /static/", staticFiles())
	mux.HandleFunc("GET /widget.js", serveWidget)
	// Staff pages show a login form until a session exists; their data
	// comes from /api/admin/*, which checks the session on every call.
	mux.HandleFunc("GET /admin", s.adminPage)
	mux.HandleFunc("GET /admin/data", s.adminPage)
	mux.HandleFunc("GET /admin/config", s.adminPage)

	// State-changing requests of students and staff must come from this
	// origin (CSRF).
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "Cross-origin request refused: requests that change something must come from this site's own pages"})
	}))

	// Chat API.
	mux.HandleFunc("GET /chat", s.chatUsage)
	mux.HandleFunc("POST /chat", s.chat)
	mux.HandleFunc("POST /chat/stream", s.chatStream)
	mux.HandleFunc("GET /api/history", s.history)
	mux.HandleFunc("POST /api/feedback", s.feedback)
	// A student forgets their own history: from this site's pages only.
	mux.Handle("POST /api/forget", csrf.Handler(s.needPrivacy(s.forget)))

	mux.Handle("POST /api/auth/login", csrf.Handler(http.HandlerFunc(s.login)))
	mux.Handle("POST /api/auth/logout", csrf.Handler(http.HandlerFunc(s.logout)))
	mux.HandleFunc("GET /api/auth/check", s.authCheck)
	staff := http.NewServeMux()
	staff.HandleFunc("GET /api/admin/health", s.adminHealth)
	staff.HandleFunc("GET /api/admin/stats", s.adminStats)
	staff.HandleFunc("GET /api/admin/logs", s.adminLogs)
	staff.HandleFunc("GET /api/admin/config", s.adminConfig)
	staff.HandleFunc("POST /api/admin/config", s.updateConfig)
	staff.HandleFunc("GET /api/admin/audit", s.auditTrail)
	staff.HandleFunc("GET /api/admin/llm-spend", s.llmSpend)
	staff.HandleFunc("GET /api/admin/feedback", s.needUsage(s.feedbackReport))
	staff.HandleFunc("GET /api/admin/demand", s.needUsage(s.demandReport))
	staff.HandleFunc("GET /api/admin/labeled-queries", s.needUsage(s.labeledQueries))
	staff.HandleFunc("POST /api/admin/labeled-queries", s.needUsage(s.saveLabeledQuery))
	staff.HandleFunc("GET /api/admin/labeled-queries/export", s.needUsage(s.exportLabeledQueries))
	staff.HandleFunc("GET /api/admin/students/{id}", s.needPrivacy(s.exportStudent))
	staff.HandleFunc("DELETE /api/admin/students/{id}", s.needPrivacy(s.forgetStudent))
	staff.HandleFunc("GET /api/admin/data/status", s.needData(s.dataStatus))
	staff.HandleFunc("POST /api/admin/data/import", s.needData(s.importUpload))
	staff.HandleFunc("POST /api/admin/data/update/courses", s.needData(s.startWith(DataJobs.UpdateCourses)))
	staff.HandleFunc("POST /api/admin/data/update/apps", s.needData(s.startWith(DataJobs.UpdateApps)))
	staff.HandleFunc("POST /api/admin/data/scrape/courses", s.needData(s.startWith(DataJobs.ScrapeCourses)))
	staff.HandleFunc("POST /api/admin/data/search/apps", s.needData(s.startWith(DataJobs.SearchApps)))
	staff.HandleFunc("POST /api/admin/data/process/skills", s.needData(s.startWith(DataJobs.ExtractSkills)))
	staff.HandleFunc("POST /api/admin/data/process/graph", s.needData(s.startWith(DataJobs.Rebuild)))
	staff.HandleFunc("GET /api/admin/data/versions", s.needData(s.listVersions))
	staff.HandleFunc("GET /api/admin/data/versions/{version}", s.needData(s.getVersion))
	staff.HandleFunc("POST /api/admin/data/versions/{version}/publish", s.needData(s.publishVersion))
	staff.HandleFunc("GET /api/admin/data/versions/{version}/report", s.needData(s.importReport))
	staff.HandleFunc("DELETE /api/admin/data/versions/{version}", s.needData(s.discardVersion))
	staff.HandleFunc("GET /api/admin/jobs", s.needData(s.listJobs))
	staff.HandleFunc("GET /api/admin/jobs/{id}", s.needData(s.getJob))
	staff.HandleFunc("POST /api/admin/jobs/{id}/cancel", s.needData(s.cancelJob))
	staff.HandleFunc("/api/admin/", notFound)
	mux.Handle("/api/admin/", csrf.Handler(s.requireAdmin(staff)))

	// Operations.
	mux.HandleFunc("GET /health", s.health)
	mux.HandleFunc("GET /ready", s.ready)

	// Anything else under the API answers JSON, never an HTML page.
	mux.HandleFunc("/chat", methodNotAllowed("GET, POST"))
	mux.HandleFunc("/chat/stream", methodNotAllowed("POST"))
	mux.HandleFunc("/api/", notFound)
	mux.HandleFunc("/chat/", notFound)
	mux.HandleFunc("/", notFound) // a browser gets a page (writeError)

	var h http.Handler = mux
	h = s.rateLimit(h)
	h = s.cors(h)
	h = securityHeaders(h)
	h = s.recoverPanics(h)
	h = s.logRequests(h)
	return h
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
