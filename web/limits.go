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

// Limits are the per-client-IP request limits. Every limited route counts
// against Default; chat routes also against Chat, the login route against
// Login.
type Limits struct {
	Limiter              *ratelimit.Limiter
	Default, Chat, Login []limiter.Rate
	// OnReject, when set, is told each refused request's rule and route.
	OnReject func(route string)
}

// exempt lists what is never limited: probes, metrics and static assets.
func exempt(path string) bool {
	return path == "/health" || path == "/ready" || path == "/metrics" || path == "/widget.js" ||
		strings.HasPrefix(path, "/static/")
}

func isChat(r *http.Request) bool {
	return r.Method == http.MethodPost && (r.URL.Path == "/chat" || r.URL.Path == "/chat/stream")
}

func isLogin(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == "/api/auth/login"
}

// rateLimit refuses requests over their limits with 429, and tells every
// limited response how much budget is left.
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
		rules := []ratelimit.Rule{{Name: "default", Rates: l.Default}}
		route := "default"
		switch {
		case isChat(r):
			rules, route = append(rules, ratelimit.Rule{Name: "chat", Rates: l.Chat}), "chat"
		case isLogin(r):
			rules, route = append(rules, ratelimit.Rule{Name: "login", Rates: l.Login}), "login"
		}
		d, err := l.Limiter.Take(r.Context(), clientKey(s.clientIP(r)), rules...)
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
			writeJSON(w, http.StatusTooManyRequests, map[string]any{
				"error":       "Rate limit exceeded: " + d.Rate + ". Please wait before trying again.",
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

// backpressure caps chats in flight: beyond the cap a request waits up to
// ChatQueueTimeout for a slot, then gets 503 with Retry-After rather than
// piling up.
func (s *Server) backpressure(next http.HandlerFunc) http.HandlerFunc {
	if s.chatSlots == nil {
		return next
	}
	slots, wait := s.chatSlots, s.cfg.ChatQueueTimeout
	return func(w http.ResponseWriter, r *http.Request) {
		select { // a free slot is taken at once, whatever the timeout
		case slots <- struct{}{}:
			defer func() { <-slots }()
			next(w, r)
			return
		default:
		}
		timer := time.NewTimer(wait)
		defer timer.Stop()
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
			next(w, r)
		case <-timer.C:
			w.Header().Set("Retry-After", "1")
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "The advisor is busy right now. Please try again in a moment."})
		case <-r.Context().Done():
		}
	}
}
