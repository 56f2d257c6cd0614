package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/vrrec/vrrec/config"
	"github.com/vrrec/vrrec/internal/fixture"
	"github.com/vrrec/vrrec/keys"
)

// Moving key derivation to HKDF loses nothing: a student cookie signed
// with the legacy key keeps its id and comes back signed with the new key,
// and a secret setting sealed with the legacy key is resealed at start.
func TestServeUpgradesLegacyKeys(t *testing.T) {
	const secret = "upgrade-test-secret-0123456789abcdef"
	dir := t.TempDir()
	db, err := openDB(context.Background(), config.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	const apiKey = "tvly-legacy-0123456789"
	legacy := "enc:v1:" + base64.RawStdEncoding.EncodeToString(fixture.LegacySeal([]byte(secret), "vrrec settings", []byte(apiKey), []byte("TAVILY_API_KEY")))
	if err := db.SetConfig(context.Background(), map[string]string{"TAVILY_API_KEY": legacy}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	m, base, _ := startServe(t, map[string]string{"DATA_DIR": dir, "SECRET_KEY": secret})

	raw, err := m.db.Config(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if raw["TAVILY_API_KEY"] == legacy {
		t.Error("the legacy-sealed setting was not resealed at start")
	}
	if v, err := m.settings.Effective(context.Background(), "TAVILY_API_KEY"); err != nil || v != apiKey {
		t.Errorf("the resealed setting reads %q, %v", v, err)
	}

	const id = "0b7c2f4e-5d6a-4b8c-9e1f-2a3b4c5d6e7f"
	sign := func(key []byte) string {
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte("user_id:" + id))
		return id + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/chat", strings.NewReader(`{"message":"anatomy"}`))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(&http.Cookie{Name: "user_id", Value: sign(keys.Legacy([]byte(secret), keys.CookieSigning))})
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var reply struct {
		UserID string `json:"user_id"`
	}
	if err := json.NewDecoder(res.Body).Decode(&reply); err != nil || reply.UserID != id {
		t.Errorf("a legacy-signed cookie answered as user %q (%v), want %s", reply.UserID, err, id)
	}
	var reissued string
	for _, c := range res.Cookies() {
		if c.Name == "user_id" {
			reissued = c.Value
		}
	}
	if want := sign(keys.Derive([]byte(secret), keys.CookieSigning)); reissued != want {
		t.Errorf("cookie reissued as %q, want it signed with the HKDF key: %q", reissued, want)
	}
}
