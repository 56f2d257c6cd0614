package keys

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// RFC 5869 test case 3 (SHA-256, no salt, no info) pins Derive to HKDF.
func TestDeriveIsHKDF(t *testing.T) {
	ikm := bytes.Repeat([]byte{0x0b}, 22)
	want := "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
	if got := hex.EncodeToString(Derive(ikm, "")); got != want {
		t.Errorf("Derive = %s, want the RFC 5869 okm prefix %s", got, want)
	}
}

func TestPurposesGetDistinctKeys(t *testing.T) {
	secret := []byte("a secret of enough characters")
	seen := map[string]string{}
	for _, p := range []string{CookieSigning, AdminSession, Settings, SSOFlow} {
		for name, k := range map[string][]byte{"derive": Derive(secret, p), "legacy": Legacy(secret, p)} {
			if len(k) != Size {
				t.Errorf("%s %q: %d bytes", name, p, len(k))
			}
			if other, dup := seen[string(k)]; dup {
				t.Errorf("%s %q repeats the key of %s", name, p, other)
			}
			seen[string(k)] = name + " " + p
		}
	}
	if bytes.Equal(Derive(secret, Settings), Derive([]byte("another secret of enough chars"), Settings)) {
		t.Error("two secrets derive the same key")
	}
}

// Legacy must reproduce the old derivations byte for byte, or what they
// sealed is lost.
func TestLegacyMatchesTheOldDerivation(t *testing.T) {
	secret := "kill-test-secret-key-0123456789abcdef"
	cookie := sha256.Sum256([]byte("vrrec cookie signing\x00" + secret))
	if !bytes.Equal(Legacy([]byte(secret), CookieSigning), cookie[:]) {
		t.Error("legacy cookie key differs from sha256(purpose, 0, secret)")
	}
	settings := sha256.Sum256(append([]byte("vrrec settings\x00"), cookie[:]...))
	if !bytes.Equal(Legacy([]byte(secret), Settings), settings[:]) {
		t.Error("legacy settings key differs from sha256(purpose, 0, cookie key)")
	}
}
