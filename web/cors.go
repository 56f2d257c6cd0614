package web

import (
	"net/http"
	"slices"
	"strings"
)

// cors lets the configured origins call the student API from their pages,
// with credentials; no other origin gets CORS headers, and a preflight from
// one is refused. "*" is never sent. The staff API and pages never answer
// another origin: a script there (or an XSS on it) must not read the logs
// with a staff member's cookie.
func (s *Server) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Add("Vary", "Origin")
		allowed := slices.Contains(s.cfg.CORSOrigins, strings.ToLower(origin)) && !staffPath(r.URL.Path)
		preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		if !allowed {
			if preflight {
				writeJSON(w, http.StatusForbidden, map[string]string{"error": "Origin not allowed: " + origin})
				return
			}
			next.ServeHTTP(w, r) // same-origin requests carry Origin too; the browser enforces the rest
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Set("Access-Control-Expose-Headers", "X-Request-ID, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After")
		if preflight {
			h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Content-Type, X-Request-ID, X-Vrrec-User, X-Vrrec-Embed")
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// staffPath reports whether a path belongs to staff: no CORS there.
func staffPath(path string) bool {
	return strings.HasPrefix(path, "/api/admin/") || strings.HasPrefix(path, "/api/auth/") || path == "/admin" || strings.HasPrefix(path, "/admin/")
}
