package config_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ulule/limiter/v3"

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

// Staff list catalog pages and search topics one a line or with commas.
func TestSourceLists(t *testing.T) {
	c, err := config.Load(env(map[string]string{
		"COURSE_CATALOG_URLS": "https://catalog.example.edu/scs,\r\n https://catalog.example.edu/heinz\n\nhttps://catalog.example.edu/scs",
		"APP_SEARCH_TOPICS":   " anatomy , public speaking,,",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.CourseCatalogURLs, "|") != "https://catalog.example.edu/scs|https://catalog.example.edu/heinz" ||
		strings.Join(c.AppSearchTopics, "|") != "anatomy|public speaking" {
		t.Errorf("urls %q, topics %q", c.CourseCatalogURLs, c.AppSearchTopics)
	}
}

func TestJournalSpoolMax(t *testing.T) {
	for v, want := range map[string]int64{"": 1 << 30, "512MiB": 512 << 20, "2 GiB": 2 << 30, "64kb": 64 << 10, "1048576": 1 << 20} {
		c, err := config.Load(env(map[string]string{"JOURNAL_SPOOL_MAX": v}))
		if err != nil || c.JournalSpoolMax != want {
			t.Errorf("JOURNAL_SPOOL_MAX=%q: %d, %v; want %d", v, c.JournalSpoolMax, err, want)
		}
	}
	for _, v := range []string{"lots", "0", "-1GiB", "1TiB", "9999999999GiB"} {
		if _, err := config.Load(env(map[string]string{"JOURNAL_SPOOL_MAX": v})); err == nil || !strings.Contains(err.Error(), "JOURNAL_SPOOL_MAX") {
			t.Errorf("JOURNAL_SPOOL_MAX=%q: error %v, want one naming the variable", v, err)
		}
	}
}

// The per-address ceilings default to 20 times a student's budgets; each
// can be set, and a bad one is named.
func TestLoadRateLimitSettings(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	got := func(r []limiter.Rate) string {
		var parts []string
		for _, x := range r {
			parts = append(parts, x.Formatted)
		}
		return strings.Join(parts, ";")
	}
	for name, pair := range map[string][2]string{
		"RATE_LIMIT_DEFAULT":    {got(c.RateLimitDefault), "200/day;50/hour"},
		"RATE_LIMIT_CHAT":       {got(c.RateLimitChat), "10/minute"},
		"RATE_LIMIT_LOGIN":      {got(c.RateLimitLogin), "5/minute"},
		"RATE_LIMIT_IP_DEFAULT": {got(c.RateLimitIPDefault), "4000/day;1000/hour"},
		"RATE_LIMIT_IP_CHAT":    {got(c.RateLimitIPChat), "200/minute"},
		"RATE_LIMIT_IP_PAGES":   {got(c.RateLimitIPPages), "1200/minute"},
	} {
		if pair[0] != pair[1] {
			t.Errorf("%s defaults to %q, want %q", name, pair[0], pair[1])
		}
	}
	c, err = config.Load(env(map[string]string{"RATE_LIMIT_IP_CHAT": "50/minute", "RATE_LIMIT_IP_DEFAULT": "1000/day", "RATE_LIMIT_IP_PAGES": "10/second"}))
	if err != nil || got(c.RateLimitIPChat) != "50/minute" || got(c.RateLimitIPDefault) != "1000/day" || got(c.RateLimitIPPages) != "10/second" {
		t.Errorf("set: %v, %v, %v (%v)", c.RateLimitIPChat, c.RateLimitIPDefault, c.RateLimitIPPages, err)
	}
	_, err = config.Load(env(map[string]string{"RATE_LIMIT_IP_CHAT": "lots", "RATE_LIMIT_IP_DEFAULT": "1/fortnight", "RATE_LIMIT_IP_PAGES": "0/minute"}))
	for _, name := range []string{"RATE_LIMIT_IP_CHAT", "RATE_LIMIT_IP_DEFAULT", "RATE_LIMIT_IP_PAGES"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

func TestChatTimeout(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil || c.ChatTimeout != 45*time.Second {
		t.Fatalf("default CHAT_TIMEOUT %s (%v), want 45s", c.ChatTimeout, err)
	}
	for _, v := range []string{"0", "-1s", "5m", "soon"} {
		if _, err := config.Load(env(map[string]string{"CHAT_TIMEOUT": v})); err == nil || !strings.Contains(err.Error(), "CHAT_TIMEOUT") {
			t.Errorf("CHAT_TIMEOUT=%q: error %v, want one naming the variable", v, err)
		}
	}
}

func TestParseRates(t *testing.T) {
	r, err := config.ParseRates("200/day; 50/hour, 10 per minute")
	if err != nil {
		t.Fatal(err)
	}
	if len(r) != 3 || r[0].Limit != 200 || r[0].Period != 24*time.Hour || r[1].Period != time.Hour || r[2].Limit != 10 || r[2].Period != time.Minute {
		t.Errorf("rates = %+v", r)
	}
	if r, err := config.ParseRates(""); err != nil || len(r) != 0 {
		t.Errorf("empty: %v, %v", r, err)
	}
	for _, bad := range []string{"10/fortnight", "ten/minute", "0/minute", "-1/hour", "10"} {
		if _, err := config.ParseRates(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestRetention(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil || c.RetentionInteractions != 180*24*time.Hour || c.RetentionSessions != 30*24*time.Hour {
		t.Fatalf("defaults: %s, %s, %v; want 180 and 30 days", c.RetentionInteractions, c.RetentionSessions, err)
	}
	for v, want := range map[string]time.Duration{"90d": 90 * 24 * time.Hour, "48h": 48 * time.Hour, "2160h": 90 * 24 * time.Hour, "0": 0} {
		c, err := config.Load(env(map[string]string{"RETENTION_SESSIONS": v}))
		if err != nil || c.RetentionSessions != want {
			t.Errorf("RETENTION_SESSIONS=%q: %s, %v; want %s", v, c.RetentionSessions, err, want)
		}
	}
	for _, v := range []string{"-1d", "soon", "1h", "7x"} {
		if _, err := config.Load(env(map[string]string{"RETENTION_INTERACTIONS": v})); err == nil || !strings.Contains(err.Error(), "RETENTION_INTERACTIONS") {
			t.Errorf("RETENTION_INTERACTIONS=%q: error %v, want one naming the variable", v, err)
		} else if !strings.Contains(err.Error(), "90d") || !strings.Contains(err.Error(), "2160h") {
			t.Errorf("RETENTION_INTERACTIONS=%q: %q does not say both forms it accepts", v, err)
		}
	}
}

func TestOIDCSettings(t *testing.T) {
	c, err := config.Load(env(map[string]string{"OIDC_ISSUER": "https://login.uni.example/realms/staff", "OIDC_CLIENT_ID": "vrrec",
		"OIDC_CLIENT_SECRET": "s", "OIDC_ALLOWED_DOMAINS": "Uni.Example, cs.uni.example", "OIDC_ALLOWED_EMAILS": "ada@elsewhere.example",
		"OIDC_ROLE_CLAIM": "groups", "OIDC_ROLE_MAP": "vr-admins=admin, vr-editors=Editor", "OIDC_DEFAULT_ROLE": "none"}))
	o := c.OIDC
	if err != nil || o.Issuer != "https://login.uni.example/realms/staff" || o.ClientID != "vrrec" || len(o.AllowedDomains) != 2 || o.AllowedDomains[0] != "uni.example" ||
		o.AllowedEmails[0] != "ada@elsewhere.example" || o.RoleMap["vr-admins"] != "admin" || o.RoleMap["vr-editors"] != "editor" || o.DefaultRole != "" {
		t.Errorf("%+v, %v", o, err)
	}
	if c, err := config.Load(env(nil)); err != nil || c.OIDC.Issuer != "" || c.OIDC.DefaultRole != "viewer" {
		t.Errorf("defaults: %+v, %v", c.OIDC, err)
	}
	_, err = config.Load(env(map[string]string{"OIDC_ISSUER": "login.uni.example", "OIDC_DEFAULT_ROLE": "owner", "OIDC_ROLE_MAP": "staff"}))
	for _, want := range []string{"OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_ALLOWED_DOMAINS", "OIDC_DEFAULT_ROLE", "OIDC_ROLE_MAP"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
}

func TestMemoryLimit(t *testing.T) {
	for v, want := range map[string]int64{"": 128 << 20, "256MiB": 256 << 20, "1GiB": 1 << 30, "off": 0, "OFF": 0, "0": 0, "100000000": 100000000} {
		c, err := config.Load(env(map[string]string{"GOMEMLIMIT": v}))
		if err != nil || c.MemoryLimit != want {
			t.Errorf("GOMEMLIMIT=%q: %d, %v; want %d", v, c.MemoryLimit, err, want)
		}
	}
	for _, v := range []string{"lots", "-5MiB", "12TB"} {
		if _, err := config.Load(env(map[string]string{"GOMEMLIMIT": v})); err == nil || !strings.Contains(err.Error(), "GOMEMLIMIT") {
			t.Errorf("GOMEMLIMIT=%q: %v, want an error naming the variable", v, err)
		}
	}
}

func TestLLMWait(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil || c.LLMWait != 3*time.Second {
		t.Fatalf("default LLM_WAIT %s (%v), want 3s", c.LLMWait, err)
	}
	if c, err := config.Load(env(map[string]string{"LLM_WAIT": "500ms"})); err != nil || c.LLMWait != 500*time.Millisecond {
		t.Errorf("LLM_WAIT=500ms: %s, %v", c.LLMWait, err)
	}
	for _, v := range []map[string]string{{"LLM_WAIT": "0"}, {"LLM_WAIT": "-1s"}, {"LLM_WAIT": "soon"}, {"LLM_WAIT": "50s"},
		{"LLM_WAIT": "20s", "CHAT_TIMEOUT": "10s"}} {
		if _, err := config.Load(env(v)); err == nil || !strings.Contains(err.Error(), "LLM_WAIT") {
			t.Errorf("%v: error %v, want one naming LLM_WAIT", v, err)
		}
	}
}

func TestLLMRequestSettings(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil || c.LLMJSONMode != "auto" || c.LLMPrompt != "auto" || c.LLMContext != 0 {
		t.Fatalf("defaults: %q %q %d (%v)", c.LLMJSONMode, c.LLMPrompt, c.LLMContext, err)
	}
	c, err = config.Load(env(map[string]string{"LLM_JSON_MODE": "JSON_Object", "LLM_PROMPT": "compact", "LLM_CONTEXT": "2048"}))
	if err != nil || c.LLMJSONMode != "json_object" || c.LLMPrompt != "compact" || c.LLMContext != 2048 {
		t.Fatalf("set: %q %q %d (%v)", c.LLMJSONMode, c.LLMPrompt, c.LLMContext, err)
	}
	for name, v := range map[string]string{"LLM_JSON_MODE": "xml", "LLM_PROMPT": "tiny", "LLM_CONTEXT": "-1"} {
		if _, err := config.Load(env(map[string]string{name: v})); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%q: error %v, want one naming the variable", name, v, err)
		}
	}
}
