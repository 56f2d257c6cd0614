// Package config loads vrrec's one configuration struct from the environment,
// after reading a .env file when there is one. Every setting has a default
// that works on a fresh machine with no services and no keys.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/joho/godotenv"
	"github.com/ulule/limiter/v3"
)

// Embedder choices.
const (
	// EmbedderLocal is a sentence model run in-process: the built-in
	// all-MiniLM-L6-v2, or the one in ModelDir. No network.
	EmbedderLocal  = "local"
	EmbedderOpenAI = "openai" // any OpenAI-compatible /embeddings endpoint
)

// Config is every setting vrrec reads. Field comments name the variable and
// its default.
type Config struct {
	DataDir  string     // DATA_DIR, default ./data: imported catalog and caches
	LogLevel slog.Level // LOG_LEVEL, default info (debug, info, warn, error)

	Embedder string // EMBEDDER, default local; or openai ("offline" and "minilm" mean local)
	// ModelDir is a sentence-transformers directory of a BERT-family model
	// to use instead of the built-in one: MODEL_DIR, default empty.
	ModelDir         string
	EmbeddingBaseURL string        // EMBEDDING_BASE_URL, default https://api.openai.com/v1
	EmbeddingModel   string        // EMBEDDING_MODEL, default text-embedding-3-small
	EmbeddingAPIKey  string        // EMBEDDING_API_KEY, default empty (fine for local servers)
	EmbeddingTimeout time.Duration // EMBEDDING_TIMEOUT, default 30s

	Port int // PORT, default 5000
	// SecretKey signs cookies: SECRET_KEY, or FLASK_SECRET_KEY so the old
	// system's .env files keep working. Empty means vrrec keeps a generated
	// one in DATA_DIR/secret_key.
	SecretKey string
	// WidgetOrigins may embed the chat widget in a frame: WIDGET_ALLOWED_ORIGINS,
	// comma-separated origins such as https://www.example.edu; default none.
	WidgetOrigins []string

	// RedisURL shares rate-limit counters between instances: REDIS_URL,
	// default empty (count in memory).
	RedisURL string
	// TrustedProxies may report the client's address in X-Forwarded-For:
	// TRUSTED_PROXIES, comma-separated CIDRs or addresses, default none.
	TrustedProxies []netip.Prefix
	// Rate limits, in Flask-Limiter notation (web.Limits says what counts
	// where). Per student (signed user_id cookie): RATE_LIMIT_DEFAULT
	// (200/day;50/hour, chats, login and the other API calls that cost
	// something) and RATE_LIMIT_CHAT (10/minute, POST /chat and
	// /chat/stream). Per client IP: RATE_LIMIT_LOGIN (5/minute, POST
	// /api/auth/login); RATE_LIMIT_IP_DEFAULT (4000/day;1000/hour) and
	// RATE_LIMIT_IP_CHAT (200/minute), 20 times a student's, the ceiling
	// over every student behind one address and the only limit of a
	// request without a valid identity; RATE_LIMIT_IP_PAGES (1200/minute,
	// page loads, history restores and other GETs).
	RateLimitDefault, RateLimitChat, RateLimitLogin       []limiter.Rate
	RateLimitIPDefault, RateLimitIPChat, RateLimitIPPages []limiter.Rate
	// MaxConcurrentChats caps chats in flight: MAX_CONCURRENT_CHATS,
	// default 64; 0 means no cap.
	MaxConcurrentChats int
	// ChatQueueTimeout is how long a chat waits for a slot before a 503:
	// CHAT_QUEUE_TIMEOUT, default 5s.
	ChatQueueTimeout time.Duration
	// ChatTimeout bounds answering one chat once it has a slot, every
	// stage included (embeddings server, graph, LLM): CHAT_TIMEOUT,
	// default 45s, at most MaxChatTimeout (under the server's write
	// timeout, so a chat always ends before its connection is cut).
	ChatTimeout time.Duration
	// CORSOrigins may call the API from their pages with credentials:
	// CORS_ALLOWED_ORIGINS, comma-separated origins, default none.
	CORSOrigins []string

	// The language model that explains and orders recommendations. It is
	// on when a key is set (OPENROUTER_API_KEY or LLM_API_KEY) or
	// LLM_BASE_URL names a server (a local Ollama needs no key).
	LLMAPIKey   string        // OPENROUTER_API_KEY, or LLM_API_KEY
	LLMBaseURL  string        // LLM_BASE_URL, default https://openrouter.ai/api/v1
	LLMModel    string        // OPENROUTER_MODEL or LLM_MODEL, default google/gemini-2.0-flash-001
	LLMTimeout  time.Duration // LLM_TIMEOUT, one answer with retries, default 30s
	LLMCacheTTL time.Duration // LLM_CACHE_TTL, default 24h
	// LLMWait is how long POST /chat waits for the model before it
	// answers from retrieval: LLM_WAIT, default 3s, at most CHAT_TIMEOUT
	// (the stream shows retrieval's answer at once and the model's after).
	LLMWait    time.Duration
	llmBaseSet bool
	// The model's daily budget, shared by every instance: LLM_DAILY_TOKENS
	// (prompt and completion tokens) and LLM_DAILY_CALLS per UTC day, 0
	// (the default) for no limit; past either, answers come from retrieval
	// alone until the next day. LLM_PRICE_INPUT and LLM_PRICE_OUTPUT are
	// US dollars per million prompt and completion tokens, for the cost on
	// the dashboard (0: not shown). Staff may set all four at run time.
	LLMDailyTokens, LLMDailyCalls int64
	LLMPriceInput, LLMPriceOutput float64
	// How the model is asked: LLM_JSON_MODE (auto, json_schema,
	// json_object or none; auto probes the server once) for a JSON answer,
	// LLM_PROMPT (auto, full or compact) for the ranking prompt, auto
	// choosing compact for a context under 8192 tokens: LLM_CONTEXT when
	// set (tokens, 0 to ask the server, as llama.cpp's /props tells).
	LLMJSONMode string
	LLMPrompt   string
	LLMContext  int

	// MongoDBURI moves the catalog, sessions, interaction logs and settings
	// from the embedded SQLite file to MongoDB: MONGODB_URI, default empty.
	MongoDBURI string
	MongoDB    string // MONGODB_DB, default vr_recommender

	// GraphBackend keeps the knowledge graph in memory (default) or in
	// Neo4j: GRAPH_BACKEND, "memory" or "neo4j".
	GraphBackend  string
	Neo4jURI      string // NEO4J_URI, default bolt://localhost:7687
	Neo4jUser     string // NEO4J_USER, default neo4j
	Neo4jPassword string // NEO4J_PASSWORD
	Neo4jDatabase string // NEO4J_DATABASE, default neo4j

	// CatalogSourceURL serves the upstream files (courses.json,
	// vr_apps.json, ...) the "update courses/apps" jobs download:
	// CATALOG_SOURCE_URL, default empty; staff may set it at run time.
	CatalogSourceURL string
	// The "read course catalog pages" job reads COURSE_CATALOG_URLS
	// (separated by commas or new lines) through Firecrawl when
	// FIRECRAWL_API_KEY is set, with a plain HTTP GET otherwise; the
	// "search the web for apps" job searches Tavily (TAVILY_API_KEY) for
	// each of APP_SEARCH_TOPICS (commas or new lines). Staff may set all
	// four at run time.
	CourseCatalogURLs []string
	AppSearchTopics   []string
	FirecrawlAPIKey   string
	TavilyAPIKey      string

	// Staff login: ADMIN_PASSWORD_HASH (argon2id or bcrypt, from `vrrec
	// hash-password`) or, for old .env files, ADMIN_PASSWORD in plain text.
	AdminPasswordHash, AdminPassword string
	// OIDC is single sign-on for staff; off while Issuer is empty.
	OIDC OIDC
	// Env is VRREC_ENV; "production" refuses to start without SECRET_KEY.
	Env string

	// JournalSpoolMax caps the interaction spool in DATA_DIR/spool/ (the
	// write-ahead log that makes answered chats durable): JOURNAL_SPOOL_MAX,
	// bytes with an optional KiB, MiB or GiB suffix, default 1GiB. When it
	// is full, chats still answer; their interactions wait in memory for
	// the database and are not durable.
	JournalSpoolMax int64

	// MemoryLimit is the Go runtime's soft memory limit for `vrrec serve`:
	// GOMEMLIMIT, the runtime's own variable (bytes with an optional KiB,
	// MiB or GiB suffix, or "off"), default 128MiB; 0 means off. Near it the
	// garbage collector runs more often rather than let the heap grow
	// (docs/operations.md, "Memory").
	MemoryLimit int64

	// Retention: interactions (and what else is kept per answer) older
	// than RetentionInteractions, and chat sessions whose last message is
	// older than RetentionSessions, are deleted once a day; the daily
	// statistics stay. RETENTION_INTERACTIONS, default 180d, and
	// RETENTION_SESSIONS, default 30d: days (30d) or a Go duration (720h);
	// 0 keeps them until a student or staff delete them.
	RetentionInteractions, RetentionSessions time.Duration

	// CatalogVersionsKeep is how many catalog versions (drafts, the live
	// one, earlier ones to roll back to) the store keeps:
	// CATALOG_VERSIONS_KEEP, default 10, at least 2.
	CatalogVersionsKeep int

	// MetricsAddr serves Prometheus metrics at /metrics on a separate
	// listen address, e.g. :9090 (kept off the public port): METRICS_ADDR,
	// default empty (no metrics endpoint).
	MetricsAddr string
}

// Graph backends.
const (
	GraphMemory = "memory"
	GraphNeo4j  = "neo4j"
)

// The valid LLM_JSON_MODE and LLM_PROMPT settings (openai.JSONModes,
// llm.PromptStyles).
var (
	LLMJSONModes = []string{"auto", "json_schema", "json_object", "none"}
	LLMPrompts   = []string{"auto", "full", "compact"}
)

// LLMEnabled reports whether a language model is configured.
func (c Config) LLMEnabled() bool { return c.LLMAPIKey != "" || c.llmBaseSet }

// MaxChatTimeout is the longest CHAT_TIMEOUT: under the HTTP server's
// write timeout (120 s), which cuts a connection without ending its
// request.
const MaxChatTimeout = 110 * time.Second

// Load reads the configuration from getenv (os.Getenv in production).
func Load(getenv func(string) string) (Config, error) {
	get := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	c := Config{
		DataDir:          get("DATA_DIR", "./data"),
		Embedder:         strings.ToLower(get("EMBEDDER", EmbedderLocal)),
		ModelDir:         get("MODEL_DIR", ""),
		EmbeddingBaseURL: get("EMBEDDING_BASE_URL", "https://api.openai.com/v1"),
		EmbeddingModel:   get("EMBEDDING_MODEL", "text-embedding-3-small"),
		EmbeddingAPIKey:  get("EMBEDDING_API_KEY", ""),
	}
	c.SecretKey = get("SECRET_KEY", get("FLASK_SECRET_KEY", ""))
	c.LLMAPIKey = get("OPENROUTER_API_KEY", get("LLM_API_KEY", ""))
	c.LLMBaseURL = get("LLM_BASE_URL", "https://openrouter.ai/api/v1")
	c.llmBaseSet = strings.TrimSpace(getenv("LLM_BASE_URL")) != ""
	c.LLMModel = get("OPENROUTER_MODEL", get("LLM_MODEL", "google/gemini-2.0-flash-001"))
	var errs []error
	port, err := Port(getenv)
	if err != nil {
		errs = append(errs, err)
	}
	c.Port = port
	c.WidgetOrigins = origins("WIDGET_ALLOWED_ORIGINS", getenv, &errs)
	c.CORSOrigins = origins("CORS_ALLOWED_ORIGINS", getenv, &errs)
	c.RedisURL = get("REDIS_URL", "")
	c.MongoDBURI = get("MONGODB_URI", "")
	c.MongoDB = get("MONGODB_DB", "vr_recommender")
	c.MetricsAddr = get("METRICS_ADDR", "")
	c.GraphBackend = strings.ToLower(get("GRAPH_BACKEND", GraphMemory))
	c.Neo4jURI = get("NEO4J_URI", "bolt://localhost:7687")
	c.Neo4jUser = get("NEO4J_USER", "neo4j")
	c.Neo4jPassword = get("NEO4J_PASSWORD", "")
	c.Neo4jDatabase = get("NEO4J_DATABASE", "neo4j")
	c.CatalogSourceURL = get("CATALOG_SOURCE_URL", "")
	c.CourseCatalogURLs = List(getenv("COURSE_CATALOG_URLS"))
	c.AppSearchTopics = List(getenv("APP_SEARCH_TOPICS"))
	c.FirecrawlAPIKey = get("FIRECRAWL_API_KEY", "")
	c.TavilyAPIKey = get("TAVILY_API_KEY", "")
	c.AdminPasswordHash = get("ADMIN_PASSWORD_HASH", "")
	c.AdminPassword = get("ADMIN_PASSWORD", "")
	c.Env = strings.ToLower(get("VRREC_ENV", "development"))
	for _, p := range strings.Split(getenv("TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			addr, aerr := netip.ParseAddr(p)
			if aerr != nil {
				errs = append(errs, fmt.Errorf("TRUSTED_PROXIES: %q is not a CIDR like 10.0.0.0/8 or an address", p))
				continue
			}
			prefix = netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen())
		}
		c.TrustedProxies = append(c.TrustedProxies, prefix.Masked())
	}
	for _, r := range []struct {
		name, def string
		dst       *[]limiter.Rate
	}{
		{"RATE_LIMIT_DEFAULT", "200/day;50/hour", &c.RateLimitDefault},
		{"RATE_LIMIT_CHAT", "10/minute", &c.RateLimitChat},
		{"RATE_LIMIT_LOGIN", "5/minute", &c.RateLimitLogin},
		{"RATE_LIMIT_IP_DEFAULT", "4000/day;1000/hour", &c.RateLimitIPDefault},
		{"RATE_LIMIT_IP_CHAT", "200/minute", &c.RateLimitIPChat},
		{"RATE_LIMIT_IP_PAGES", "1200/minute", &c.RateLimitIPPages},
	} {
		rates, err := ParseRates(get(r.name, r.def))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.name, err))
		}
		*r.dst = rates
	}
	if c.MaxConcurrentChats, err = strconv.Atoi(get("MAX_CONCURRENT_CHATS", "64")); err != nil || c.MaxConcurrentChats < 0 {
		errs = append(errs, fmt.Errorf("MAX_CONCURRENT_CHATS: want a number, 0 for no cap, got %q", getenv("MAX_CONCURRENT_CHATS")))
	}
	if c.CatalogVersionsKeep, err = strconv.Atoi(get("CATALOG_VERSIONS_KEEP", "10")); err != nil || c.CatalogVersionsKeep < 2 {
		errs = append(errs, fmt.Errorf("CATALOG_VERSIONS_KEEP: want a number of versions, at least 2 (the live one and a draft), got %q", getenv("CATALOG_VERSIONS_KEEP")))
	}
	if c.JournalSpoolMax, err = parseBytes(get("JOURNAL_SPOOL_MAX", "1GiB")); err != nil || c.JournalSpoolMax <= 0 {
		errs = append(errs, fmt.Errorf("JOURNAL_SPOOL_MAX: want a size like 1GiB, 512MiB or 1048576 (bytes), got %q", getenv("JOURNAL_SPOOL_MAX")))
	}
	if v := get("GOMEMLIMIT", "128MiB"); strings.EqualFold(v, "off") {
		c.MemoryLimit = 0
	} else if c.MemoryLimit, err = parseBytes(v); err != nil || c.MemoryLimit < 0 {
		errs = append(errs, fmt.Errorf("GOMEMLIMIT: want a size like 128MiB, 1GiB or 134217728 (bytes), or off, got %q", getenv("GOMEMLIMIT")))
	}
	for _, r := range []struct {
		name, def string
		dst       *time.Duration
	}{{"RETENTION_INTERACTIONS", "180d", &c.RetentionInteractions}, {"RETENTION_SESSIONS", "30d", &c.RetentionSessions}} {
		if *r.dst, err = parseDays(get(r.name, r.def)); err != nil || *r.dst < 0 || (*r.dst > 0 && *r.dst < 24*time.Hour) {
			errs = append(errs, fmt.Errorf("%s: want days like 90d or a duration like 2160h (at least 1 day), or 0 to keep for ever, got %q", r.name, getenv(r.name)))
		}
	}
	if c.LLMTimeout, err = time.ParseDuration(get("LLM_TIMEOUT", "30s")); err != nil || c.LLMTimeout <= 0 {
		errs = append(errs, fmt.Errorf("LLM_TIMEOUT: want a positive duration like 30s, got %q", getenv("LLM_TIMEOUT")))
	}
	if c.LLMCacheTTL, err = time.ParseDuration(get("LLM_CACHE_TTL", "24h")); err != nil || c.LLMCacheTTL <= 0 {
		errs = append(errs, fmt.Errorf("LLM_CACHE_TTL: want a positive duration like 24h, got %q", getenv("LLM_CACHE_TTL")))
	}
	for _, l := range []struct {
		name string
		dst  *int64
	}{{"LLM_DAILY_TOKENS", &c.LLMDailyTokens}, {"LLM_DAILY_CALLS", &c.LLMDailyCalls}} {
		if *l.dst, err = strconv.ParseInt(get(l.name, "0"), 10, 64); err != nil || *l.dst < 0 {
			errs = append(errs, fmt.Errorf("%s: want a whole number, 0 for no limit, got %q", l.name, getenv(l.name)))
		}
	}
	for _, p := range []struct {
		name string
		dst  *float64
	}{{"LLM_PRICE_INPUT", &c.LLMPriceInput}, {"LLM_PRICE_OUTPUT", &c.LLMPriceOutput}} {
		if *p.dst, err = strconv.ParseFloat(get(p.name, "0"), 64); err != nil || *p.dst < 0 || math.IsNaN(*p.dst) || math.IsInf(*p.dst, 0) {
			errs = append(errs, fmt.Errorf("%s: want US dollars per million tokens like 0.10, 0 when unknown, got %q", p.name, getenv(p.name)))
		}
	}
	c.LLMJSONMode = strings.ToLower(get("LLM_JSON_MODE", "auto"))
	if !slices.Contains(LLMJSONModes, c.LLMJSONMode) {
		errs = append(errs, fmt.Errorf("LLM_JSON_MODE: want one of %s, got %q", strings.Join(LLMJSONModes, ", "), getenv("LLM_JSON_MODE")))
	}
	c.LLMPrompt = strings.ToLower(get("LLM_PROMPT", "auto"))
	if !slices.Contains(LLMPrompts, c.LLMPrompt) {
		errs = append(errs, fmt.Errorf("LLM_PROMPT: want one of %s, got %q", strings.Join(LLMPrompts, ", "), getenv("LLM_PROMPT")))
	}
	if c.LLMContext, err = strconv.Atoi(get("LLM_CONTEXT", "0")); err != nil || c.LLMContext < 0 {
		errs = append(errs, fmt.Errorf("LLM_CONTEXT: want the model's context in tokens like 2048, 0 to ask the server, got %q", getenv("LLM_CONTEXT")))
	}
	if c.ChatTimeout, err = time.ParseDuration(get("CHAT_TIMEOUT", "45s")); err != nil || c.ChatTimeout <= 0 || c.ChatTimeout > MaxChatTimeout {
		errs = append(errs, fmt.Errorf("CHAT_TIMEOUT: want a duration from 1s to %s, got %q", MaxChatTimeout, getenv("CHAT_TIMEOUT")))
	}
	if c.LLMWait, err = time.ParseDuration(get("LLM_WAIT", "3s")); err != nil || c.LLMWait <= 0 || (c.ChatTimeout > 0 && c.LLMWait > c.ChatTimeout) {
		errs = append(errs, fmt.Errorf("LLM_WAIT: want a positive duration like 3s, at most CHAT_TIMEOUT (%s), got %q", c.ChatTimeout, getenv("LLM_WAIT")))
	}
	if c.ChatQueueTimeout, err = time.ParseDuration(get("CHAT_QUEUE_TIMEOUT", "5s")); err != nil || c.ChatQueueTimeout < 0 {
		errs = append(errs, fmt.Errorf("CHAT_QUEUE_TIMEOUT: want a duration like 5s, got %q", getenv("CHAT_QUEUE_TIMEOUT")))
	}
	if err := c.LogLevel.UnmarshalText([]byte(get("LOG_LEVEL", "info"))); err != nil {
		errs = append(errs, fmt.Errorf("LOG_LEVEL: %w", err))
	}
	if c.EmbeddingTimeout, err = time.ParseDuration(get("EMBEDDING_TIMEOUT", "30s")); err != nil || c.EmbeddingTimeout <= 0 {
		errs = append(errs, fmt.Errorf("EMBEDDING_TIMEOUT: want a positive duration like 30s, got %q", getenv("EMBEDDING_TIMEOUT")))
	}
	switch c.GraphBackend {
	case GraphMemory, GraphNeo4j:
	default:
		errs = append(errs, fmt.Errorf("GRAPH_BACKEND: want %q or %q, got %q", GraphMemory, GraphNeo4j, c.GraphBackend))
	}
	switch c.Embedder {
	case "offline", "minilm": // earlier names of the local model
		c.Embedder = EmbedderLocal
	case EmbedderLocal, EmbedderOpenAI:
	default:
		errs = append(errs, fmt.Errorf("EMBEDDER: want %q or %q, got %q", EmbedderLocal, EmbedderOpenAI, c.Embedder))
	}
	if c.ModelDir != "" && c.Embedder != EmbedderLocal {
		errs = append(errs, fmt.Errorf("MODEL_DIR is set but EMBEDDER is %q: a model directory needs EMBEDDER=local", c.Embedder))
	}
	c.OIDC = loadOIDC(get, &errs)
	return c, errors.Join(errs...)
}

// OIDC configures staff single sign-on through an OpenID Provider.
type OIDC struct {
	// Issuer is OIDC_ISSUER, the provider's URL (its discovery document is
	// at Issuer/.well-known/openid-configuration); ClientID and
	// ClientSecret are OIDC_CLIENT_ID and OIDC_CLIENT_SECRET.
	Issuer, ClientID, ClientSecret string
	// AllowedDomains (OIDC_ALLOWED_DOMAINS) and AllowedEmails
	// (OIDC_ALLOWED_EMAILS), lower case, comma-separated: who may sign in.
	AllowedDomains, AllowedEmails []string
	// RoleClaim (OIDC_ROLE_CLAIM, e.g. groups) holds the person's groups;
	// RoleMap (OIDC_ROLE_MAP, "group=role,...") gives a group's role.
	RoleClaim string
	RoleMap   map[string]string
	// DefaultRole (OIDC_DEFAULT_ROLE, default viewer) is the role of a
	// person in no mapped group; empty ("none") refuses them.
	DefaultRole string
}

func loadOIDC(get func(k, def string) string, errs *[]error) OIDC {
	o := OIDC{Issuer: get("OIDC_ISSUER", ""), ClientID: get("OIDC_CLIENT_ID", ""), ClientSecret: get("OIDC_CLIENT_SECRET", ""),
		RoleClaim: get("OIDC_ROLE_CLAIM", ""), DefaultRole: strings.ToLower(get("OIDC_DEFAULT_ROLE", "viewer")), RoleMap: map[string]string{}}
	split := func(v string) []string {
		var out []string
		for _, x := range strings.Split(v, ",") {
			if x = strings.ToLower(strings.TrimSpace(x)); x != "" {
				out = append(out, x)
			}
		}
		return out
	}
	o.AllowedDomains, o.AllowedEmails = split(get("OIDC_ALLOWED_DOMAINS", "")), split(get("OIDC_ALLOWED_EMAILS", ""))
	role := func(r string) bool { return r == "viewer" || r == "editor" || r == "admin" }
	if o.DefaultRole == "none" {
		o.DefaultRole = ""
	} else if !role(o.DefaultRole) {
		*errs = append(*errs, fmt.Errorf("OIDC_DEFAULT_ROLE: want viewer, editor, admin or none, got %q", o.DefaultRole))
	}
	for _, pair := range strings.Split(get("OIDC_ROLE_MAP", ""), ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		group, r, ok := strings.Cut(pair, "=")
		if group, r = strings.TrimSpace(group), strings.ToLower(strings.TrimSpace(r)); !ok || group == "" || !role(r) {
			*errs = append(*errs, fmt.Errorf("OIDC_ROLE_MAP: want group=viewer|editor|admin pairs separated by commas, got %q", pair))
			continue
		}
		o.RoleMap[group] = r
	}
	if o.Issuer == "" {
		return o
	}
	if u, err := url.Parse(o.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		*errs = append(*errs, fmt.Errorf("OIDC_ISSUER: want the provider's URL like https://login.uni.example/realms/staff, got %q", o.Issuer))
	}
	if o.ClientID == "" {
		*errs = append(*errs, errors.New("OIDC_CLIENT_ID: needed with OIDC_ISSUER"))
	}
	if len(o.AllowedDomains) == 0 && len(o.AllowedEmails) == 0 {
		*errs = append(*errs, errors.New("OIDC_ALLOWED_DOMAINS or OIDC_ALLOWED_EMAILS: needed with OIDC_ISSUER, to say who may sign in"))
	}
	if len(o.RoleMap) > 0 && o.RoleClaim == "" {
		*errs = append(*errs, errors.New("OIDC_ROLE_MAP needs OIDC_ROLE_CLAIM, the claim holding the groups (often groups)"))
	}
	return o
}

// parseBytes reads a size: a whole number of bytes, or one followed by
// KiB, MiB or GiB (KB, MB and GB mean the same powers of 1024).
func parseBytes(v string) (int64, error) {
	num, unit := v, int64(1)
	for _, u := range []struct {
		suffix string
		size   int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"B", 1}} {
		if n, ok := strings.CutSuffix(strings.ToUpper(v), u.suffix); ok {
			num, unit = strings.TrimSpace(n), u.size
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return 0, err
	}
	if n > math.MaxInt64/unit {
		return 0, fmt.Errorf("%s is too large", v)
	}
	return n * unit, nil
}

// parseDays reads a number of days ("30d") or a Go duration ("720h", "0").
func parseDays(v string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(strings.TrimSpace(v), "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days > 100*365 {
			return 0, fmt.Errorf("%q is not a number of days", v)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	return time.ParseDuration(v)
}

// origins reads a comma-separated list of web origins.
func origins(name string, getenv func(string) string, errs *[]error) []string {
	var out []string
	for _, o := range strings.Split(getenv(name), ",") {
		o = strings.ToLower(strings.TrimRight(strings.TrimSpace(o), "/"))
		if o == "" {
			continue
		}
		if u, err := url.Parse(o); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" {
			*errs = append(*errs, fmt.Errorf("%s: %q is not an origin like https://www.example.edu", name, o))
			continue
		}
		out = append(out, o)
	}
	return out
}

// LoadEnvFile sets variables from a .env file that are not already set, so
// the real environment always wins. A missing file is not an error.
func LoadEnvFile(path string) error {
	err := godotenv.Load(path)
	if err == nil || errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return fmt.Errorf("read %s: %w", path, err)
}

// Port reads PORT (default 5000) alone, for commands that need nothing
// else.
func Port(getenv func(string) string) (int, error) {
	v := strings.TrimSpace(getenv("PORT"))
	if v == "" {
		return 5000, nil
	}
	port, err := strconv.Atoi(v)
	if err != nil || port < 1 || port > 65535 {
		return port, fmt.Errorf("PORT: want a port number 1-65535, got %q", v)
	}
	return port, nil
}

// FromEnvironment loads .env from the working directory, then the config.
func FromEnvironment() (Config, error) {
	if err := LoadEnvFile(".env"); err != nil {
		return Config{}, err
	}
	return Load(os.Getenv)
}

// List splits a setting separated by commas or new lines, dropping empty
// entries and repeats.
func List(v string) []string {
	var out []string
	for _, item := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		if item = strings.TrimSpace(item); item != "" && !slices.Contains(out, item) {
			out = append(out, item)
		}
	}
	return out
}
