package config_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vrrec/vrrec/config"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadDefaults(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "./data" || c.Embedder != config.EmbedderLocal || c.LogLevel != slog.LevelInfo ||
		c.EmbeddingTimeout != 30*time.Second || c.EmbeddingModel != "text-embedding-3-small" {
		t.Errorf("defaults = %+v", c)
	}
}

func TestLoadReportsEveryBadSetting(t *testing.T) {
	_, err := config.Load(env(map[string]string{"EMBEDDER": "magic", "LOG_LEVEL": "loud", "EMBEDDING_TIMEOUT": "soon"}))
	if err == nil {
		t.Fatal("want an error")
	}
	for _, name := range []string{"EMBEDDER", "LOG_LEVEL", "EMBEDDING_TIMEOUT"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

func TestEnvFileNeverOverridesTheEnvironment(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".env")
	os.WriteFile(path, []byte("VRREC_TEST_A=from-file\nVRREC_TEST_B=from-file\n"), 0o644)
	t.Setenv("VRREC_TEST_A", "from-env")
	os.Unsetenv("VRREC_TEST_B")
	t.Cleanup(func() { os.Unsetenv("VRREC_TEST_B") })
	if err := config.LoadEnvFile(path); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("VRREC_TEST_A") != "from-env" || os.Getenv("VRREC_TEST_B") != "from-file" {
		t.Errorf("A=%q B=%q", os.Getenv("VRREC_TEST_A"), os.Getenv("VRREC_TEST_B"))
	}
	if err := config.LoadEnvFile(filepath.Join(t.TempDir(), "missing")); err != nil {
		t.Errorf("a missing .env is not an error: %v", err)
	}
}

func TestLoadServiceSettings(t *testing.T) {
	c, err := config.Load(env(map[string]string{
		"TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.5", "RATE_LIMIT_CHAT": "20/minute",
		"CORS_ALLOWED_ORIGINS": "https://www.example.edu/", "FLASK_SECRET_KEY": "old-key", "PORT": "8080",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.TrustedProxies) != 2 || c.TrustedProxies[1].String() != "192.168.1.5/32" || c.RateLimitChat[0].Limit != 20 ||
		c.RateLimitDefault[0].Limit != 200 || c.RateLimitLogin[0].Limit != 5 || c.CORSOrigins[0] != "https://www.example.edu" ||
		c.SecretKey != "old-key" || c.Port != 8080 || c.MaxConcurrentChats != 64 {
		t.Errorf("config = %+v", c)
	}
	_, err = config.Load(env(map[string]string{"TRUSTED_PROXIES": "everyone", "RATE_LIMIT_DEFAULT": "lots", "PORT": "99999",
		"CORS_ALLOWED_ORIGINS": "*", "MAX_CONCURRENT_CHATS": "-3"}))
	for _, name := range []string{"TRUSTED_PROXIES", "RATE_LIMIT_DEFAULT", "PORT", "CORS_ALLOWED_ORIGINS", "MAX_CONCURRENT_CHATS"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}
