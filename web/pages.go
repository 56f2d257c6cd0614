package web

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

// static holds the chat page, its script and style, and the widget loader,
// all served from the binary: no CDN.
//
//go:embed static
var static embed.FS

const (
	pageIndex = "index"
	pageEmbed = "embed"
)

// pageCSP allows only this origin's own scripts and styles: no inline script,
// so HTML smuggled into a reply could not run even if it were inserted.
const pageCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors "

// page serves the chat page. The embedded variant may be framed by the
// configured widget origins; the main page only by this origin.
func (s *Server) page(kind string) http.HandlerFunc {
	ancestors := "'self'"
	if kind == pageEmbed && len(s.cfg.WidgetOrigins) > 0 {
		ancestors += " " + strings.Join(s.cfg.WidgetOrigins, " ")
	}
	body, err := static.ReadFile("static/index.html")
	if err != nil { // the embed directive guarantees the file
		panic(err)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", pageCSP+ancestors)
		if kind != pageEmbed {
			w.Header().Set("X-Frame-Options", "SAMEORIGIN")
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(body)
	}
}

func staticFiles() http.Handler {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err)
	}
	files := http.StripPrefix("/static/", http.FileServer(http.FS(sub)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	})
}

// asset serves one embedded file with the headers given.
func asset(name string, headers map[string]string) http.HandlerFunc {
	b, err := static.ReadFile(name)
	if err != nil { // the embed directive guarantees the file
		panic(err)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		_, _ = w.Write(b)
	}
}

// widgetLoader serves the loader another site pastes as
// <script src="https://vrrec.example.edu/widget.js" defer></script>.
// Other sites load it: it must not be blocked as cross-origin.
var widgetLoader = asset("static/widget.js", map[string]string{"Content-Type": "text/javascript; charset=utf-8",
	"Cache-Control": "public, max-age=3600", "Cross-Origin-Resource-Policy": "cross-origin"})

// favicon is the site's icon, an SVG, cached for a day: it changes with a
// release at most.
var favicon = asset("static/favicon.svg", map[string]string{"Content-Type": "image/svg+xml", "Cache-Control": "public, max-age=86400"})

// adminPage serves the staff pages. The page asks /api/auth/check and shows
// a login form without a session; it may not be framed at all.
func (s *Server) adminPage(w http.ResponseWriter, r *http.Request) {
	body, err := static.ReadFile("static/admin.html")
	if err != nil {
		panic(err)
	}
	w.Header().Set("Content-Security-Policy", pageCSP+"'none'")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(body)
}
