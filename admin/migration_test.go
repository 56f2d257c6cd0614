package admin_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/admin"
	"github.com/vrrec/vrrec/internal/fixture"
	"github.com/vrrec/vrrec/keys"
)

func gcmOpen(key, sealed, ad []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	n := aead.NonceSize()
	return aead.Open(nil, sealed[:n], sealed[n:], ad)
}

// A secret setting sealed before HKDF is still read, and Reseal seals it
// again under the HKDF key, once.
func TestLegacySealedSettingIsReadAndResealed(t *testing.T) {
	ctx := context.Background()
	db := store(t)
	const apiKey = "sk-or-v1-legacy-0123456789"
	old := "enc:v1:" + base64.RawStdEncoding.EncodeToString(fixture.LegacySeal(secretKey, "vrrec settings", []byte(apiKey), []byte("OPENROUTER_API_KEY")))
	if err := db.SetConfig(ctx, map[string]string{"OPENROUTER_API_KEY": old, "OPENROUTER_MODEL": "vendor/plain"}); err != nil {
		t.Fatal(err)
	}
	s, err := admin.NewSettings(db, func(string) string { return "" }, secretKey)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s.Effective(ctx, "OPENROUTER_API_KEY"); err != nil || v != apiKey {
		t.Fatalf("legacy-sealed key read as %q, %v", v, err)
	}
	n, err := s.Reseal(ctx)
	if err != nil || n != 1 {
		t.Fatalf("Reseal = %d, %v; want the one legacy secret", n, err)
	}
	raw, _ := db.Config(ctx)
	stored := raw["OPENROUTER_API_KEY"]
	if stored == old || !strings.HasPrefix(stored, "enc:v1:") {
		t.Fatalf("after Reseal the key is stored as %q", stored)
	}
	box, err := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(stored, "enc:v1:"))
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := gcmOpen(keys.Derive(secretKey, keys.Settings), box, []byte("OPENROUTER_API_KEY")); err != nil || string(plain) != apiKey {
		t.Errorf("the resealed key does not open with the HKDF key: %q, %v", plain, err)
	}
	if raw["OPENROUTER_MODEL"] != "vendor/plain" {
		t.Errorf("Reseal touched a plain setting: %q", raw["OPENROUTER_MODEL"])
	}
	if v, _ := s.Effective(ctx, "OPENROUTER_API_KEY"); v != apiKey {
		t.Errorf("after Reseal the key reads %q", v)
	}
	if n, err := s.Reseal(ctx); err != nil || n != 0 {
		t.Errorf("a second Reseal rewrote %d (%v)", n, err)
	}
}

// An admin session cookie sealed before HKDF stays valid until it
// expires; new sessions are sealed with the HKDF key.
func TestLegacyAdminSessionStillChecks(t *testing.T) {
	ctx := context.Background()
	a, err := admin.New("", "pw-pw-pw-pw", secret, store(t))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	plain, _ := json.Marshal(map[string]any{"sid": "legacy", "iat": now.UnixNano(), "exp": now.Add(time.Hour).UnixNano()})
	old := base64.RawURLEncoding.EncodeToString(fixture.LegacySeal(secret, "vrrec admin session", plain, []byte("admin")))
	if m, err := a.Check(ctx, old); err != nil || m.ID != admin.BootstrapID || m.Role != vrrec.RoleAdmin {
		t.Errorf("a legacy session cookie: %+v, %v", m, err)
	}
	forged := base64.RawURLEncoding.EncodeToString(fixture.LegacySeal([]byte("another secret another secret!!"), "vrrec admin session", plain, []byte("admin")))
	if _, err := a.Check(ctx, forged); err == nil {
		t.Error("a cookie sealed under another secret was accepted")
	}
	_, value, _, err := a.Login(ctx, "", "pw-pw-pw-pw")
	if err != nil {
		t.Fatal(err)
	}
	sealed, _ := base64.RawURLEncoding.DecodeString(value)
	if _, err := gcmOpen(keys.Derive(secret, keys.AdminSession), sealed, []byte("admin")); err != nil {
		t.Errorf("a new session is not sealed with the HKDF key: %v", err)
	}
}
