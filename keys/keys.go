// Package keys derives the service's purpose keys from its one secret key
// (SECRET_KEY), so the student cookie, the admin session and the sealed
// settings never share a key and none of them reveals the secret.
package keys

import (
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
)

// The purposes keys are derived for; each is the HKDF info string.
const (
	CookieSigning = "vrrec cookie signing" // HMAC of the student user_id cookie
	AdminSession  = "vrrec admin session"  // AES-GCM of the admin session cookie
	Settings      = "vrrec settings"       // AES-GCM of secret managed settings
	SSOFlow       = "vrrec sso flow"       // AES-GCM of the single sign-on flow cookie (state, nonce, PKCE verifier)
)

// Size is the length of a derived key: an HMAC-SHA256 or AES-256 key.
const Size = 32

// Derive returns the key for purpose: HKDF-SHA256 of secret with no salt
// and purpose as info.
func Derive(secret []byte, purpose string) []byte {
	k, err := hkdf.Key(sha256.New, secret, nil, purpose, Size)
	if err != nil {
		// Only a length beyond 255 hash blocks fails; Size is one.
		panic(fmt.Sprintf("keys: derive %q: %v", purpose, err))
	}
	return k
}

// Legacy returns the key versions before HKDF derived for purpose, so what
// they signed or sealed is still read (and then upgraded): the cookie key
// was sha256(purpose, 0, secret), and the other keys sha256(purpose, 0,
// cookie key).
func Legacy(secret []byte, purpose string) []byte {
	k := sha256.Sum256(append([]byte(CookieSigning+"\x00"), secret...))
	if purpose != CookieSigning {
		k = sha256.Sum256(append([]byte(purpose+"\x00"), k[:]...))
	}
	return k[:]
}
