package web

import (
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/ulule/limiter/v3"

	"github.com/vrrec/vrrec/ratelimit"
)

// Limits decide how many requests each client may make, counted in
// Limiter. Three kinds of requests are limited, each against its own
// budgets:
//
//   - chats (POST /chat, /chat/stream and /chat/open, and POST /api/forget) against the student's Default and
//     Chat and the address's IPDefault and IPChat;
//   - votes (POST /api/feedback) like chats, with budgets of the same rates
//     of their own, so voting never spends the budget for asking;
//   - page loads and cheap reads (every GET and HEAD outside /api/admin/:
//     the pages, /api/history, /api/auth/check, GET /chat, unknown paths)
//     against the address's Pages ceiling only, so a student who used up
//     the chat budget, or staff behind the same address, can still open
//     every page;
//   - everything else (login, logout, the staff API without a session)
//     against the student's Default and the address's IPDefault; login also
//     against the address's Login, whoever asks, since a password guesser
//     drops cookies.
//
// A student is the signed id of the user_id cookie or of the widget's
// X-Vrrec-User token (web/identity.go), which a client cannot forge; a
// request without a valid one counts against its address's budgets only.
// So students behind one campus NAT address each get their own Default and
// Chat, and a script that drops its cookie is held by the address's
// ceilings (IPDefault, IPChat), which are set well above one student's.
// A request is counted against all of its limits or none (ratelimit.Limiter):
// a refused request uses no budget. Empty rates limit nothing. Probes,
// metrics, static assets, the widget loader, CORS preflights and staff with
// a session on /api/admin/* are never limited.
type Limits struct {
	Limiter *ratelimit.Limiter
	// Per student.
	Default, Chat []limiter.Rate
	// Per client address: the ceiling over every student behind it, and
	// the only limit of a request without a valid identity.
	IPDefault, IPChat []limiter.Rate
	// Per client address: login attempts, and page loads.
	Login, Pages []limiter.Rate
	// OnReject, when set, is told each refused request's kind: "chat",
	// "feedback", "pages", "login" or "default".
	OnReject func(route string)
}

// The kinds of limited requests, as OnReject names them.
const (
	routeChat     = "chat"
	routeFeedback = "feedback"
	routePages    = "pages"
	routeLogin    = "login"
	routeDefault  = "default"
)

// exempt lists what is never limited: probes, metrics and static assets.
func exempt(path string) bool {
	return path == "/health" || path == "/ready" || path == "/metrics" || path == "/widget.js" ||
		path == "/favicon.svg" || path == "/favicon.ico" || strings.HasPrefix(path, "/static/")
}

// isChat tells chats, and a student's forget, which costs as much.
func isChat(r *http.Request) bool {
	return r.Method == http.MethodPost && (r.URL.Path == "/chat" || r.URL.Path == "/chat/stream" || r.URL.Path == "/chat/open" || r.URL.Path == "/api/forget")
}

func isFeedback(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == "/api/feedback"
}

func isLogin(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == "/api/auth/login"
}

// routeOf tells which kind of limited request r is.
func routeOf(r *http.Request) string {
	switch {
	case isChat(r):
		return routeChat
	case isFeedback(r):
		return routeFeedback
	case isLogin(r):
		return routeLogin
	case (r.Method == http.MethodGet || r.Method == http.MethodHead) && !strings.HasPrefix(r.URL.Path, "/api/admin/"):
		return routePages
	}
	return routeDefault
}

// rules lists the budgets a request of kind route counts against: the
// student's first, so that of two limits with as much left the student's
// is the one reported in X-RateLimit-*.
func (s *Server) rules(r *http.Request, route string) []ratelimit.Rule {
	l := s.cfg.Limits
	ip := "ip:" + clientKey(s.clientIP(r))
	if route == routePages {
		return []ratelimit.Rule{{Name: "pages", Client: ip, Rates: l.Pages}}
	}
	var rules []ratelimit.Rule
	if id := s.verifiedUser(r); id != "" {
		student := "user:" + id
		rules = append(rules, ratelimit.Rule{Name: "default", Client: student, Rates: l.Default})
		switch route {
		case routeChat:
			rules = append(rules, ratelimit.Rule{Name: "chat", Client: student, Rates: l.Chat})
		case routeFeedback:
			rules = append(rules, ratelimit.Rule{Name: "feedback", Client: student, Rates: l.Chat})
		}
	}
	rules = append(rules, ratelimit.Rule{Name: "ip-default", Client: ip, Rates: l.IPDefault})
	switch route {
	case routeChat:
		rules = append(rules, ratelimit.Rule{Name: "ip-chat", Client: ip, Rates: l.IPChat})
	case routeFeedback:
		rules = append(rules, ratelimit.Rule{Name: "ip-feedback", Client: ip, Rates: l.IPChat})
	case routeLogin:
		rules = append(rules, ratelimit.Rule{Name: "login", Client: ip, Rates: l.Login})
	}
	return rules
}

// refusal is the 429 message for a request over the limit d reached.
func refusal(d ratelimit.Decision) string {
	switch d.Rule {
	case "ip-default", "ip-chat", "ip-feedback":
		return "Too many requests from your network: " + d.Rate + " for everyone sharing its address. Please wait before trying again."
	case "pages":
		return "Too many page loads from your address: " + d.Rate + ". Please wait before trying again."
	case "login":
		return "Too many login attempts: " + d.Rate + ". Please wait before trying again."
	}
	return "Rate limit exceeded: " + d.Rate + ". Please wait before trying again."
}

// rateLimit refuses requests over their limits with 429 and Retry-After,
// and tells every limited response how much of its most constraining
// budget is left.
func (s *Server) rateLimit(next http.Handler) http.Handler {
	l := s.cfg.Limits
	if l == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if exempt(r.URL.Path) || r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		// Staff with a session are not limited: the data page polls a
		// running job every second, and an office behind one NAT address
		// must not spend the students' budget (or its own).
		if strings.HasPrefix(r.URL.Path, "/api/admin/") && s.isAdmin(r) {
			next.ServeHTTP(w, r)
			return
		}
		route := routeOf(r)
		d, err := l.Limiter.Take(r.Context(), s.rules(r, route)...)
		if err != nil {
			// Counting failed outright (only without a fallback store):
			// serve rather than refuse a student for our own fault.
			s.cfg.Log.WarnContext(r.Context(), "rate limit not applied", "err", err)
			next.ServeHTTP(w, r)
			return
		}
		if d.Limit > 0 {
			h := w.Header()
			h.Set("X-RateLimit-Limit", strconv.FormatInt(d.Limit, 10))
			h.Set("X-RateLimit-Remaining", strconv.FormatInt(max(d.Remaining, 0), 10))
			h.Set("X-RateLimit-Reset", strconv.FormatInt(d.Reset.Unix(), 10))
		}
		if !d.Allowed {
			if l.OnReject != nil {
				l.OnReject(route)
			}
			retry := d.RetryAfter(time.Now())
			w.Header().Set("Retry-After", strconv.Itoa(retry))
			if wantsPage(r) {
				writePage(w, http.StatusTooManyRequests, refusal(d))
				return
			}
			writeJSON(w, http.StatusTooManyRequests, map[string]any{
				"error":       refusal(d),
				"retry_after": retry,
			})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// clientKey is the budget a client address counts against: the address for
// IPv4, its /64 for IPv6, since one IPv6 user often holds a whole /64.
func clientKey(ip netip.Addr) string {
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// acquireSlot caps chats in flight: it takes a slot for a chat whose body
// has been read, waiting up to ChatQueueTimeout when all are taken, and
// returns the function that frees it. When none frees in time it answers
// 503 with Retry-After (or nothing, when the client left) and reports
// false. A chat takes its slot only once its body is in, so clients that
// send slowly hold no slot while they do.
func (s *Server) acquireSlot(w http.ResponseWriter, r *http.Request) (release func(), ok bool) {
	if s.chatSlots == nil {
		return func() {}, true
	}
	slots := s.chatSlots
	release = func() { <-slots }
	select { // a free slot is taken at once, whatever the timeout
	case slots <- struct{}{}:
		return release, true
	default:
	}
	timer := time.NewTimer(s.cfg.ChatQueueTimeout)
	defer timer.Stop()
	select {
	case slots <- struct{}{}:
		return release, true
	case <-timer.C:
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "The advisor is busy right now. Please try again in a moment."})
	case <-r.Context().Done():
	}
	return nil, false
}
