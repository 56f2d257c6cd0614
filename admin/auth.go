// Package admin authenticates staff: one admin password (an argon2id or
// bcrypt hash, or plain text for old .env files, always compared in
// constant time) and a session cookie that is signed and encrypted with the
// secret key, lasts 8 hours, gets a new id at every login and stops working
// at logout, on every instance sharing the database.
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
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/alexedwards/argon2id"
	"golang.org/x/crypto/bcrypt"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/keys"
)

// SessionLifetime is how long an admin session lasts.
const SessionLifetime = 8 * time.Hour

// notBeforeKey is the setting that ends every session issued before it: a
// logout writes it, so other instances see the logout too.
const notBeforeKey = "admin_sessions_not_before"

// Auth checks the admin password and admin session cookies.
type Auth struct {
	hash     string // argon2id or bcrypt hash
	password string // plain, when no hash is configured
	box      *box
	settings vrrec.ConfigStore
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

// New returns an authenticator. secret is the service's secret key;
// settings keeps the logout time.
func New(passwordHash, password string, secret []byte, settings vrrec.ConfigStore) (*Auth, error) {
	b, err := newBox(secret, keys.AdminSession)
	if err != nil {
		return nil, err
	}
	if passwordHash != "" && !IsHash(passwordHash) {
		return nil, fmt.Errorf("ADMIN_PASSWORD_HASH is not an argon2id or bcrypt hash (vrrec hash-password prints one)")
	}
	return &Auth{hash: passwordHash, password: password, box: b, settings: settings, now: time.Now,
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

// Configured reports whether an admin password is set.
func (a *Auth) Configured() bool { return a.hash != "" || a.password != "" }

type session struct {
	ID        string `json:"sid"`
	IssuedAt  int64  `json:"iat"` // unix nanoseconds
	ExpiresAt int64  `json:"exp"`
}

// Login checks the password and returns a new session's cookie value. The
// error is EUNAVAILABLE when no admin is configured or when too many checks
// are waiting (try again shortly), EUNAUTHORIZED for a wrong password, or
// ctx's error.
func (a *Auth) Login(ctx context.Context, password string) (string, time.Time, error) {
	if !a.Configured() {
		return "", time.Time{}, vrrec.Errorf(vrrec.EUNAVAILABLE, "No admin is configured: set ADMIN_PASSWORD_HASH (from vrrec hash-password) or ADMIN_PASSWORD")
	}
	a.waiting.Add(1)
	wait := time.NewTimer(CheckWait)
	select {
	case a.checking <- struct{}{}:
		wait.Stop()
		a.waiting.Add(-1)
	case <-wait.C:
		a.waiting.Add(-1)
		return "", time.Time{}, vrrec.Errorf(vrrec.EUNAVAILABLE, "Too many logins at once: try again in a few seconds")
	case <-ctx.Done():
		wait.Stop()
		a.waiting.Add(-1)
		return "", time.Time{}, ctx.Err()
	}
	ok := a.checkPassword(password)
	<-a.checking
	if !ok {
		return "", time.Time{}, vrrec.Errorf(vrrec.EUNAUTHORIZED, "Invalid password")
	}
	var id [16]byte
	_, _ = rand.Read(id[:])
	now := a.now()
	s := session{ID: hex.EncodeToString(id[:]), IssuedAt: now.UnixNano(), ExpiresAt: now.Add(SessionLifetime).UnixNano()}
	plain, _ := json.Marshal(s)
	return base64.RawURLEncoding.EncodeToString(a.box.seal(plain, []byte("admin"))), time.Unix(0, s.ExpiresAt), nil
}

func (a *Auth) checkPassword(password string) bool {
	switch {
	case strings.HasPrefix(a.hash, "$argon2id$"):
		ok, err := argon2id.ComparePasswordAndHash(password, a.hash)
		return err == nil && ok
	case a.hash != "":
		return bcrypt.CompareHashAndPassword([]byte(a.hash), []byte(password)) == nil
	default:
		// Compare digests so the time does not depend on where they differ
		// or on the lengths.
		x, y := sha256.Sum256([]byte(password)), sha256.Sum256([]byte(a.password))
		return subtle.ConstantTimeCompare(x[:], y[:]) == 1
	}
}

// Check reports whether a cookie value is a live admin session: decrypted
// and authenticated, not expired, not issued before the last logout. The
// error is EUNAVAILABLE when the logout time cannot be read (the database
// is down): the session may be live, and the caller must not ask the
// person to log in again.
func (a *Auth) Check(ctx context.Context, value string) (bool, error) {
	sealed, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil {
		return false, nil
	}
	// A session sealed with the legacy key stays valid until it expires.
	plain, _, err := a.box.open(sealed, []byte("admin"))
	if err != nil {
		return false, nil
	}
	var s session
	if json.Unmarshal(plain, &s) != nil || a.now().UnixNano() >= s.ExpiresAt {
		return false, nil
	}
	nb, err := a.notBefore(ctx)
	if err != nil {
		return false, errors.Join(vrrec.Errorf(vrrec.EUNAVAILABLE, "The database is unavailable: staff pages will work again when it answers"), err)
	}
	return s.IssuedAt > nb, nil
}

func (a *Auth) notBefore(ctx context.Context) (int64, error) {
	settings, err := a.settings.Config(ctx)
	if err != nil {
		return 0, err
	}
	if v := settings[notBeforeKey]; v != "" {
		return strconv.ParseInt(v, 10, 64)
	}
	return 0, nil
}

// Logout ends every admin session issued until now.
func (a *Auth) Logout(ctx context.Context) error {
	err := a.settings.SetConfig(ctx, map[string]string{notBeforeKey: strconv.FormatInt(a.now().UnixNano(), 10)})
	if err != nil {
		return errors.Join(vrrec.Errorf(vrrec.EUNAVAILABLE, "Logout could not be recorded"), err)
	}
	return nil
}
