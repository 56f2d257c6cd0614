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
	if c.DataDir != "./data" || c.Embedder != config.EmbedderOffline || c.LogLevel != slog.LevelInfo ||
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
