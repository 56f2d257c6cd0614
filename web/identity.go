package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// Student identity: a random UUID in a cookie signed with the secret key, so
// a student cannot claim another's id. A missing, unsigned or tampered cookie
// gets a fresh id.
const (
	userCookie    = "user_id"
	userCookieAge = 30 * 24 * 60 * 60 // 30 days, as the old system
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// newUUID returns a random version 4 UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func (s *Server) sign(id string) string { return signID(s.cfg.SecretKey, id) }

func signID(key []byte, id string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("user_id:" + id))
	return id + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// verify returns the id of a signed cookie value, or "" when the value is
// not one this server signed, with SecretKey or one of OldSecretKeys.
func (s *Server) verify(value string) string {
	id, _, ok := strings.Cut(value, ".")
	if !ok || !uuidPattern.MatchString(id) {
		return ""
	}
	for _, key := range append([][]byte{s.cfg.SecretKey}, s.cfg.OldSecretKeys...) {
		if hmac.Equal([]byte(signID(key, id)), []byte(value)) {
			return id
		}
	}
	return ""
}

// userHeader carries the signed id for the widget: inside a frame on another
// site the SameSite=Lax cookie is not sent, so /embed keeps the signed value
// it was given (userToken in replies) and sends it back in this header.
const userHeader = "X-Vrrec-User"

// verifiedUser returns the id the request proves it holds: its signed
// user_id cookie, else the signed X-Vrrec-User header the widget sends; ""
// when it has neither. It issues nothing, so the rate limiter can count per
// student before the handler runs.
func (s *Server) verifiedUser(r *http.Request) string {
	if c, err := r.Cookie(userCookie); err == nil {
		if id := s.verify(c.Value); id != "" {
			return id
		}
	}
	return s.verify(r.Header.Get(userHeader))
}

// identify returns the caller's user id, issuing a new signed cookie when
// the request has no valid one. Every response refreshes the cookie so a
// returning student keeps the id for another 30 days.
func (s *Server) identify(w http.ResponseWriter, r *http.Request) string {
	id := s.verifiedUser(r)
	if id == "" {
		id = newUUID()
	}
	s.setUserCookie(w, r, id)
	return id
}

// setUserCookie issues the signed cookie of id.
func (s *Server) setUserCookie(w http.ResponseWriter, r *http.Request, id string) {
	http.SetCookie(w, &http.Cookie{
		Name:     userCookie,
		Value:    s.sign(id),
		Path:     "/",
		MaxAge:   userCookieAge,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
		Secure:   isHTTPS(r),
	})
}

// isHTTPS reports whether the client reached us over HTTPS, directly or
// through a proxy that says so. A client that lies only makes its own
// cookie stricter.
func isHTTPS(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}
