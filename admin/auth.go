// Package admin authenticates staff and keeps their accounts. Each staff
// member signs in with their email and an argon2id password (or through
// single sign-on, see package oidc); ADMIN_PASSWORD_HASH (an argon2id or
// bcrypt hash, or ADMIN_PASSWORD in plain text for old .env files, always
// compared in constant time) signs in a bootstrap admin. A session cookie
// is signed and encrypted with the secret key, carries the member's id,
// lasts 8 hours, gets a new id at every sign-in, and is checked against
// the stored account on every request: a sign-out, a disabled account or a
// changed role applies at once on every instance sharing the database.
package admin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alexedwards/argon2id"
	"golang.org/x/crypto/bcrypt"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/keys"
)

// SessionLifetime is how long an admin session lasts.
const SessionLifetime = 8 * time.Hour

// Auth checks staff passwords and session cookies.
type Auth struct {
	hash     string // the bootstrap admin's argon2id or bcrypt hash
	password string // the bootstrap admin's password, when no hash is configured
	box      *box
	staff    vrrec.StaffStore
	now      func() time.Time
	// checking bounds the password checks running at once: one argon2id
	// check takes 64 MiB, so a storm of logins must queue, not multiply.
	checking chan struct{}
	// waiting counts logins waiting for a check, for tests and metrics.
	waiting atomic.Int64
}

// ConcurrentChecks is how many password checks run at once; the rest wait
// their turn (up to CheckWait) and are then refused as busy.
const ConcurrentChecks = 2

// CheckWait is how long a login waits for a password check to start.
const CheckWait = 5 * time.Second

// New returns an authenticator. passwordHash or password, when set, sign
// in the bootstrap admin; secret is the service's secret key; staff keeps
// the accounts.
func New(passwordHash, password string, secret []byte, staff vrrec.StaffStore) (*Auth, error) {
	b, err := newBox(secret, keys.AdminSession)
	if err != nil {
		return nil, err
	}
	if passwordHash != "" && !IsHash(passwordHash) {
		return nil, fmt.Errorf("ADMIN_PASSWORD_HASH is not an argon2id or bcrypt hash (vrrec hash-password prints one)")
	}
	return &Auth{hash: passwordHash, password: password, box: b, staff: staff, now: time.Now,
		checking: make(chan struct{}, ConcurrentChecks)}, nil
}

// IsHash reports whether s is an argon2id or bcrypt hash.
func IsHash(s string) bool {
	return strings.HasPrefix(s, "$argon2id$") || strings.HasPrefix(s, "$2a$") || strings.HasPrefix(s, "$2b$") || strings.HasPrefix(s, "$2y$")
}

// Hash returns an argon2id hash of password for ADMIN_PASSWORD_HASH.
func Hash(password string) (string, error) {
	return argon2id.CreateHash(password, argon2id.DefaultParams)
}

// BootstrapConfigured reports whether ADMIN_PASSWORD_HASH (or
// ADMIN_PASSWORD) is set.
func (a *Auth) BootstrapConfigured() bool { return a.hash != "" || a.password != "" }

// bootstrapMember is the bootstrap admin before it was ever stored.
func bootstrapMember(now time.Time) vrrec.StaffMember {
	return vrrec.StaffMember{ID: BootstrapID, Email: BootstrapID, Name: "Bootstrap admin (ADMIN_PASSWORD_HASH)", Role: vrrec.RoleAdmin, CreatedAt: now.UTC()}
}

type session struct {
	ID        string `json:"sid"`
	Staff     string `json:"staff,omitempty"` // empty in sessions from before staff accounts: the bootstrap admin
	IssuedAt  int64  `json:"iat"`             // unix nanoseconds
	ExpiresAt int64  `json:"exp"`
}

// errSignIn is the one answer to a wrong name or password: it does not
// tell which was wrong.
var errSignIn = vrrec.Errorf(vrrec.EUNAUTHORIZED, "Wrong email or password")

// dummyHash is compared when the account does not exist or has no
// password, so a wrong email takes as long as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, _ := Hash("no account has this password")
	return h
})

// Login checks a sign-in name (an email, or "admin" or nothing for the
// bootstrap admin) and password and returns the member and a new
// session's cookie value and expiry. The error is EUNAVAILABLE when no
// one can sign in (no bootstrap admin, no account), when the database does
// not answer, or when too many checks are waiting (try again shortly);
// EUNAUTHORIZED for a wrong name or password or a disabled account; or
// ctx's error.
func (a *Auth) Login(ctx context.Context, name, password string) (vrrec.StaffMember, string, time.Time, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	bootstrap := name == "" || name == BootstrapID
	var m vrrec.StaffMember
	var hash string
	if bootstrap {
		if !a.BootstrapConfigured() {
			if list, err := a.staff.StaffMembers(ctx); err == nil && len(list) > 0 {
				return m, "", time.Time{}, errSignIn
			}
			return m, "", time.Time{}, vrrec.Errorf(vrrec.EUNAVAILABLE, "No staff account exists: add one with vrrec staff add, or set ADMIN_PASSWORD_HASH (from vrrec hash-password)")
		}
	} else {
		var err error
		m, err = a.staff.StaffByEmail(ctx, name)
		if err != nil && vrrec.ErrorCode(err) != vrrec.ENOTFOUND {
			return m, "", time.Time{}, vrrec.Unavailable(err, "Sign-in is unavailable: the database does not answer")
		}
		hash = m.PasswordHash
		if hash == "" { // no such account, or one that signs in only through single sign-on
			hash = dummyHash()
		}
	}
	if err := a.acquire(ctx); err != nil {
		return vrrec.StaffMember{}, "", time.Time{}, err
	}
	var ok bool
	if bootstrap {
		ok = a.checkBootstrap(password)
	} else {
		ok = compareHash(password, hash) && m.PasswordHash != ""
	}
	<-a.checking
	if !ok {
		return vrrec.StaffMember{}, "", time.Time{}, errSignIn
	}
	if bootstrap {
		var err error
		if m, err = a.storedBootstrap(ctx); err != nil {
			return m, "", time.Time{}, err
		}
	}
	if m.Disabled {
		return vrrec.StaffMember{}, "", time.Time{}, vrrec.Errorf(vrrec.EUNAUTHORIZED, "This staff account is disabled")
	}
	value, expires, err := a.Issue(ctx, m)
	return m, value, expires, err
}

// acquire waits for a password-check slot.
func (a *Auth) acquire(ctx context.Context) error {
	a.waiting.Add(1)
	defer a.waiting.Add(-1)
	wait := time.NewTimer(CheckWait)
	defer wait.Stop()
	select {
	case a.checking <- struct{}{}:
		return nil
	case <-wait.C:
		return vrrec.Errorf(vrrec.EUNAVAILABLE, "Too many logins at once: try again in a few seconds")
	case <-ctx.Done():
		return ctx.Err()
	}
}

// storedBootstrap returns the bootstrap admin's account, storing it at its
// first sign-in.
func (a *Auth) storedBootstrap(ctx context.Context) (vrrec.StaffMember, error) {
	m, err := a.staff.StaffMember(ctx, BootstrapID)
	if vrrec.ErrorCode(err) == vrrec.ENOTFOUND {
		m = bootstrapMember(a.now())
		if err = a.staff.AddStaff(ctx, m); vrrec.ErrorCode(err) == vrrec.ECONFLICT {
			m, err = a.staff.StaffMember(ctx, BootstrapID)
		}
	}
	return m, vrrec.Unavailable(err, "Sign-in is unavailable: the database does not answer")
}

// Issue records a sign-in of m and returns a new session's cookie value
// and expiry: after a password check, or a single sign-on.
func (a *Auth) Issue(ctx context.Context, m vrrec.StaffMember) (string, time.Time, error) {
	now := a.now()
	if _, err := a.staff.UpdateStaff(ctx, m.ID, vrrec.StaffUpdate{LastSignIn: &now}); err != nil {
		return "", time.Time{}, vrrec.Unavailable(err, "Sign-in is unavailable: the database does not answer")
	}
	var id [16]byte
	_, _ = rand.Read(id[:])
	s := session{ID: hex.EncodeToString(id[:]), Staff: m.ID, IssuedAt: now.UnixNano(), ExpiresAt: now.Add(SessionLifetime).UnixNano()}
	plain, _ := json.Marshal(s)
	return base64.RawURLEncoding.EncodeToString(a.box.seal(plain, []byte("admin"))), time.Unix(0, s.ExpiresAt), nil
}

func (a *Auth) checkBootstrap(password string) bool {
	if a.hash != "" {
		return compareHash(password, a.hash)
	}
	// Compare digests so the time does not depend on where they differ
	// or on the lengths.
	x, y := sha256.Sum256([]byte(password)), sha256.Sum256([]byte(a.password))
	return subtle.ConstantTimeCompare(x[:], y[:]) == 1
}

func compareHash(password, hash string) bool {
	if strings.HasPrefix(hash, "$argon2id$") {
		ok, err := argon2id.ComparePasswordAndHash(password, hash)
		return err == nil && ok
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// errNoSession is Check's answer to a cookie that is not a live session.
var errNoSession = vrrec.Errorf(vrrec.EUNAUTHORIZED, "Unauthorized")

// Check returns the staff member of a live session: decrypted and
// authenticated, not expired, of an account that exists, is not disabled
// and was not signed out since. The error is EUNAUTHORIZED for anything
// else, or EUNAVAILABLE when the account cannot be read (the database is
// down): the session may be live, and the caller must not ask the person
// to sign in again.
func (a *Auth) Check(ctx context.Context, value string) (vrrec.StaffMember, error) {
	sealed, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil {
		return vrrec.StaffMember{}, errNoSession
	}
	// A session sealed with the legacy key stays valid until it expires.
	plain, _, err := a.box.open(sealed, []byte("admin"))
	if err != nil {
		return vrrec.StaffMember{}, errNoSession
	}
	var s session
	if json.Unmarshal(plain, &s) != nil || a.now().UnixNano() >= s.ExpiresAt {
		return vrrec.StaffMember{}, errNoSession
	}
	if s.Staff == "" {
		s.Staff = BootstrapID
	}
	if s.Staff == BootstrapID && !a.BootstrapConfigured() {
		return vrrec.StaffMember{}, errNoSession // ADMIN_PASSWORD_HASH was removed
	}
	m, err := a.staff.StaffMember(ctx, s.Staff)
	switch {
	case vrrec.ErrorCode(err) == vrrec.ENOTFOUND && s.Staff == BootstrapID:
		m = bootstrapMember(a.now()) // signed in before accounts were stored
	case vrrec.ErrorCode(err) == vrrec.ENOTFOUND:
		return vrrec.StaffMember{}, errNoSession
	case err != nil:
		return vrrec.StaffMember{}, errors.Join(vrrec.Errorf(vrrec.EUNAVAILABLE, "The database is unavailable: staff pages will work again when it answers"), err)
	}
	if m.Disabled || s.IssuedAt <= m.SessionsNotBefore.UnixNano() && !m.SessionsNotBefore.IsZero() {
		return vrrec.StaffMember{}, errNoSession
	}
	return m, nil
}

// Logout ends every session of m issued until now, on every instance.
func (a *Auth) Logout(ctx context.Context, m vrrec.StaffMember) error {
	now := a.now()
	_, err := a.staff.UpdateStaff(ctx, m.ID, vrrec.StaffUpdate{SessionsNotBefore: &now})
	if vrrec.ErrorCode(err) == vrrec.ENOTFOUND && m.ID == BootstrapID {
		b := bootstrapMember(now)
		b.SessionsNotBefore = now
		err = a.staff.AddStaff(ctx, b)
	}
	if err != nil {
		return errors.Join(vrrec.Errorf(vrrec.EUNAVAILABLE, "Logout could not be recorded"), err)
	}
	return nil
}
