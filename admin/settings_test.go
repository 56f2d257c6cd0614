package admin_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/admin"
	"github.com/vrrec/vrrec/sqlite"
)

func TestMask(t *testing.T) {
	for in, want := range map[string]string{"": "", "short": "*****", "12345678": "********", "sk-or-v1-abcdef123456": "sk-o*************3456"} {
		if got := admin.Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSettings(t *testing.T) {
	ctx := context.Background()
	env := map[string]string{"OPENROUTER_API_KEY": "sk-env-0123456789", "OPENROUTER_MODEL": "model-from-env"}
	s, err := admin.NewSettings(store(t), func(k string) string { return env[k] }, secretKey)
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.List(ctx)
	if err != nil || len(list) != len(admin.Managed) {
		t.Fatalf("list: %v %v", list, err)
	}
	if list[0].Value != "sk-e*********6789" || list[0].Source != "environment" || !list[0].Secret {
		t.Errorf("masked key from env: %+v", list[0])
	}
	if list[1].Value != "model-from-env" || list[1].Secret {
		t.Errorf("model: %+v", list[1])
	}
	changed, err := s.Update(ctx, map[string]string{"OPENROUTER_API_KEY": "sk-e*********6789", "OPENROUTER_MODEL": "other/model", "TAVILY_API_KEY": "tvly-123456789"})
	if err != nil || len(changed) != 2 || changed[0] != "OPENROUTER_MODEL" || changed[1] != "TAVILY_API_KEY" {
		t.Errorf("changed %v, %v; the masked key must be ignored", changed, err)
	}
	if v, _ := s.Effective(ctx, "OPENROUTER_MODEL"); v != "other/model" {
		t.Errorf("the database must win over the environment: %q", v)
	}
	if v, _ := s.Effective(ctx, "OPENROUTER_API_KEY"); v != "sk-env-0123456789" {
		t.Errorf("a masked value overwrote the key: %q", v)
	}
	s.Update(ctx, map[string]string{"OPENROUTER_MODEL": ""})
	if v, _ := s.Effective(ctx, "OPENROUTER_MODEL"); v != "model-from-env" {
		t.Errorf("clearing must fall back to the environment: %q", v)
	}
	// A short secret masks to fewer than five stars; sent back, it is
	// still recognised as masked.
	s.Update(ctx, map[string]string{"TAVILY_API_KEY": "tvly"})
	if changed, _ := s.Update(ctx, map[string]string{"TAVILY_API_KEY": "****"}); len(changed) != 0 {
		t.Errorf("the mask of a short secret was stored: %v", changed)
	}
	if v, _ := s.Effective(ctx, "TAVILY_API_KEY"); v != "tvly" {
		t.Errorf("short secret after its mask came back: %q", v)
	}
	if _, err := s.Update(ctx, map[string]string{"SECRET_KEY": "x"}); vrrec.ErrorCode(err) != vrrec.EINVALID {
		t.Errorf("an unmanaged key: %v", err)
	}
}

var secretKey = []byte("0123456789abcdef0123456789abcdef")

// Secrets are encrypted in the database: a raw read of the file shows no
// plaintext, another SECRET_KEY cannot read them, and a value stored in
// clear by an older version still works.
func TestSecretsAreEncryptedAtRest(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "vrrec.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	noEnv := func(string) string { return "" }
	s, _ := admin.NewSettings(db, noEnv, secretKey)
	const key = "sk-or-v1-0123456789abcdefSECRET"
	if _, err := s.Update(ctx, map[string]string{"OPENROUTER_API_KEY": key, "OPENROUTER_MODEL": "vendor/model-x"}); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Effective(ctx, "OPENROUTER_API_KEY"); v != key {
		t.Fatalf("read back %q", v)
	}
	raw, err := db.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(raw["OPENROUTER_API_KEY"], "SECRET") || !strings.HasPrefix(raw["OPENROUTER_API_KEY"], "enc:v1:") {
		t.Errorf("stored key: %q", raw["OPENROUTER_API_KEY"])
	}
	if raw["OPENROUTER_MODEL"] != "vendor/model-x" {
		t.Errorf("a plain setting is stored as %q", raw["OPENROUTER_MODEL"])
	}
	db.Close()
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	wal, _ := os.ReadFile(path + "-wal")
	if bytes.Contains(append(file, wal...), []byte("0123456789abcdefSECRET")) {
		t.Error("the database file holds the key in clear")
	}

	db2, _ := sqlite.Open(ctx, path)
	defer db2.Close()
	other, _ := admin.NewSettings(db2, noEnv, []byte("another-secret-key-another-secret-key"))
	if v, _ := other.Effective(ctx, "OPENROUTER_API_KEY"); v != "" {
		t.Errorf("another SECRET_KEY read %q", v)
	}
	list, _ := other.List(ctx)
	if !strings.Contains(list[0].Source, "unreadable") {
		t.Errorf("an unreadable secret shows as %+v", list[0])
	}
	// Staff clear it and enter it again under the new key.
	if changed, err := other.Update(ctx, map[string]string{"OPENROUTER_API_KEY": ""}); err != nil || len(changed) != 1 {
		t.Errorf("clearing an unreadable secret: %v, %v", changed, err)
	}
	if raw, _ := db2.Config(ctx); raw["OPENROUTER_API_KEY"] != "" {
		t.Errorf("the unreadable secret is still stored: %q", raw["OPENROUTER_API_KEY"])
	}
	// A value an older version stored in clear is still used.
	db2.SetConfig(ctx, map[string]string{"TAVILY_API_KEY": "tvly-plain-123456"})
	if v, _ := other.Effective(ctx, "TAVILY_API_KEY"); v != "tvly-plain-123456" {
		t.Errorf("clear legacy value: %q", v)
	}
}

// A mistyped budget or price is refused when saved, with nothing stored.
func TestBudgetSettingsAreChecked(t *testing.T) {
	ctx := context.Background()
	s, err := admin.NewSettings(store(t), func(string) string { return "" }, secretKey)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"LLM_DAILY_TOKENS": "1e6", "LLM_DAILY_CALLS": "-1", "LLM_PRICE_INPUT": "cheap", "LLM_PRICE_OUTPUT": "NaN"} {
		if _, err := s.Update(ctx, map[string]string{k: v, "OPENROUTER_MODEL": "m"}); vrrec.ErrorCode(err) != vrrec.EINVALID || !strings.Contains(vrrec.ErrorMessage(err), k) {
			t.Errorf("%s=%q: %v, want EINVALID naming it", k, v, err)
		}
	}
	if v, _ := s.Effective(ctx, "OPENROUTER_MODEL"); v != "" {
		t.Errorf("a refused update stored OPENROUTER_MODEL=%q", v)
	}
	if changed, err := s.Update(ctx, map[string]string{"LLM_DAILY_TOKENS": "200000", "LLM_PRICE_INPUT": "0.10"}); err != nil || len(changed) != 2 {
		t.Errorf("a valid budget: %v, %v", changed, err)
	}
}
