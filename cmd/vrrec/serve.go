package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/admin"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/chat"
	"github.com/vrrec/vrrec/config"
	"github.com/vrrec/vrrec/embedding"
	"github.com/vrrec/vrrec/jobs"
	"github.com/vrrec/vrrec/journal"
	"github.com/vrrec/vrrec/keys"
	"github.com/vrrec/vrrec/llm"
	"github.com/vrrec/vrrec/metrics"
	"github.com/vrrec/vrrec/openai"
	"github.com/vrrec/vrrec/rag"
	"github.com/vrrec/vrrec/ratelimit"
	"github.com/vrrec/vrrec/redis"
	"github.com/vrrec/vrrec/skills"
	"github.com/vrrec/vrrec/web"
)

// secretKeyFile keeps a generated key across restarts, so students keep
// their identity when no SECRET_KEY is configured.
const secretKeyFile = "secret_key"

func cmdServe(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	cat, src, stored, err := storedCatalog(ctx, db)
	if err != nil {
		// The database is down: serve the embedded catalog now; the
		// watcher loads the stored one when the database answers.
		log.Error("catalog unavailable, serving the embedded default until the database answers", "err", err)
		if cat, err = catalog.Default(); err != nil {
			return err
		}
		src = sourceEmbedded
	}
	// Settings staff stored in the database win over the environment.
	key, settings, err := openSettings(cfg, db, log)
	if err != nil {
		return err
	}
	if n, err := settings.Reseal(ctx); err != nil {
		log.Warn("stored secrets not resealed with the current key; they are read either way", "err", err)
	} else if n > 0 {
		log.Info("stored secrets resealed with the HKDF-derived key", "settings", n)
	}
	effective := func(ctx context.Context) config.Config { return withStoredSettings(ctx, cfg, settings, log) }
	m := metrics.New()
	ragOpts := rag.Options{Observe: m.Stage}
	graphs, err := openGraphs(effective(ctx), log) // NEO4J_URI may be stored
	if err != nil {
		return err
	}
	defer graphs.close()
	emb, err := newEmbedder(cfg)
	if err != nil {
		return err
	}
	live := &liveCatalog{store: db, log: log, build: func(ctx context.Context, cat *vrrec.Catalog, progress progressFunc) (*rag.Engine, error) {
		opts := ragOpts
		opts.Progress = func(done, total int) {
			if progress != nil {
				progress("embedding the catalog", done, total)
			}
			if done == total || done%(8*embedding.BatchSize) == 0 {
				log.Info("embedding the catalog", "done", done, "of", total, "model", emb.Name())
			}
		}
		// A cache per build: vectors come from the database, and those of
		// earlier catalogs are not kept in memory.
		return newEngine(ctx, log, cat, graphs.forCatalog(cat, catalog.Version(cat)), emb, newVectorCache(emb, db, log), opts)
	}}
	if err := live.start(ctx, cat, stored, src, func(cat *vrrec.Catalog) bool { return vectorsStored(ctx, db, emb, cat) }); err != nil {
		return err
	}
	go live.watch(ctx, catalogPollInterval)

	auth, err := admin.New(cfg.AdminPasswordHash, cfg.AdminPassword, key, db)
	if err != nil {
		return err
	}
	if !auth.Configured() {
		log.Warn("no admin configured: staff login answers 503 until ADMIN_PASSWORD_HASH (vrrec hash-password) is set")
	}
	svc := chat.New(func() chat.Engine { return live.current().eng }, db, log)
	svc.SetTimeout(cfg.ChatTimeout)
	// Every answered chat is fsynced into the spool before its answer goes
	// out; the journal copies the spool to the database.
	jw, err := journal.Start(db, filepath.Join(cfg.DataDir, "spool"), journal.Options{MaxBytes: cfg.JournalSpoolMax}, log)
	if err != nil {
		return err
	}
	defer func() {
		// Shutdown stores what waits, briefly; the spool keeps the rest.
		cctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := jw.Close(cctx); err != nil {
			log.Error("journal not drained", "err", err)
		}
	}()
	var redisClient *goredis.Client
	if cfg.RedisURL != "" {
		if redisClient, err = redis.Open(cfg.RedisURL); err != nil {
			return err
		}
		defer redisClient.Close()
	}
	limits, limitStore := newLimits(cfg, redisClient, log, m)
	// The LLM: settings staff stored in the database win over the
	// environment, and a change there swaps the ranker while serving.
	var ranker atomic.Pointer[llm.Ranker]
	var rankerModel atomic.Value // string
	useLLM := func(ctx context.Context) error {
		c := effective(ctx)
		r, err := newRanker(c, redisClient, log, m, func() []string {
			apps := live.current().eng.Apps()
			names := make([]string, len(apps))
			for i, a := range apps {
				names[i] = a.Name
			}
			return names
		})
		if err != nil {
			return err
		}
		ranker.Store(r)
		rankerModel.Store(c.LLMModel)
		if r == nil {
			svc.SetExplainer(nil)
		} else {
			svc.SetExplainer(r)
		}
		return nil
	}
	if err := useLLM(ctx); err != nil {
		return err
	}
	settingsChanged := func(ctx context.Context, keys []string) {
		for _, k := range keys {
			if strings.HasPrefix(k, "OPENROUTER_") || strings.HasPrefix(k, "LLM_") {
				if err := useLLM(ctx); err != nil {
					log.ErrorContext(ctx, "LLM settings not applied", "err", err)
				}
				return
			}
		}
	}

	// Data management: staff jobs write the store, then this instance
	// serves the result at once (others notice the new version).
	jobsCtx, stopJobs := context.WithCancel(ctx)
	runner := jobs.New(jobsCtx, db, jobs.Options{Done: m.JobDone, Log: log})
	defer runner.Wait() // jobs cut by the stop record "interrupted" before the database closes
	defer stopJobs()    // first: also when serve fails to start, jobs stop rather than block the exit
	// Jobs a crashed process left running (on any instance) stop beating and
	// are marked interrupted.
	go runner.SweepStale(jobsCtx, 10*time.Second)
	dataJobs := &jobs.Data{
		Store:   db,
		Current: func() *vrrec.Catalog { return live.current().cat },
		Reload: func(ctx context.Context, run *jobs.Run) error {
			run.Progress("rebuilding graph and vectors", 0, 1)
			start := time.Now()
			if _, err := live.reload(ctx, true, run.Progress); err != nil {
				return fmt.Errorf("rebuild: %w", err)
			}
			l := live.current()
			run.Progress("rebuilding graph and vectors", 1, 1)
			run.Logf("serving version %s (%s): %d apps, %d skills; rebuilt in %s", l.version, l.source, len(l.cat.Apps), len(l.cat.Skills),
				time.Since(start).Round(time.Millisecond))
			return graphs.buildJob(live)(ctx, run)
		},
		Extractor: func() skills.Extractor {
			ex, _, err := newExtractor(effective(ctx), live.current().cat, false)
			if err != nil {
				log.Warn("LLM extractor unavailable, using the vocabulary", "err", err)
				ex = skills.NewOfflineExtractor(live.current().cat.Skills)
			}
			return ex
		},
		Embedder:     emb,
		ExtractState: filepath.Join(cfg.DataDir, "extract-skills.jsonl"),
		Source: func() string {
			v, _ := settings.Effective(ctx, "CATALOG_SOURCE_URL")
			return v
		},
	}
	served := func() string { return live.current().version }
	// Neo4j is rebuilt by a job, so instances sharing it never build at once
	// and staff see the rebuild in the history.
	go graphs.watch(jobsCtx, graphWatchInterval, served, graphs.autoRebuild(runner, db, live))
	m.GaugeFunc("vrrec_journal_queue_depth", "Interactions not durable (spool full or failing), waiting in memory for the database.", func() float64 { return float64(jw.QueueDepth()) })
	m.GaugeFunc("vrrec_journal_spool_bytes", "Size of the interaction spool on disk (capped by JOURNAL_SPOOL_MAX).", func() float64 { return float64(jw.SpoolBytes()) })
	m.GaugeFunc("vrrec_journal_backlog_bytes", "Bytes of the spool not yet written to the database.", func() float64 { return float64(jw.BacklogBytes()) })
	m.CounterFunc("vrrec_journal_written_total", "Interactions written to the database.", func() float64 { return float64(jw.Written()) })
	m.CounterFunc("vrrec_journal_not_durable_total", "Answered chats whose interaction was not durable when the answer went out.", func() float64 { return float64(jw.NotDurable()) })
	m.CounterFunc("vrrec_journal_spool_full_total", "Interactions the full spool turned away (kept in memory instead).", func() float64 { return float64(jw.SpoolFull()) })
	m.CounterFunc("vrrec_journal_lost_total", "Interactions dropped: not durable and no room in memory, or not stored at shutdown.", func() float64 { return float64(jw.Lost()) })
	// Counts of the ranker in use (they restart when staff change the LLM).
	llmStat := func(pick func(*llm.Stats) *atomic.Int64) func() float64 {
		return func() float64 {
			if r := ranker.Load(); r != nil {
				return float64(pick(&r.Stats).Load())
			}
			return 0
		}
	}
	for name, pick := range map[string]func(*llm.Stats) *atomic.Int64{
		"calls": func(s *llm.Stats) *atomic.Int64 { return &s.Calls }, "errors": func(s *llm.Stats) *atomic.Int64 { return &s.Errors },
		"cache_hits":        func(s *llm.Stats) *atomic.Int64 { return &s.CacheHits },
		"prompt_tokens":     func(s *llm.Stats) *atomic.Int64 { return &s.PromptTokens },
		"completion_tokens": func(s *llm.Stats) *atomic.Int64 { return &s.OutputTokens },
		"breaker_rejects":   func(s *llm.Stats) *atomic.Int64 { return &s.BreakerRejects },
		"shared":            func(s *llm.Stats) *atomic.Int64 { return &s.Shared },
		"rejected":          func(s *llm.Stats) *atomic.Int64 { return &s.Rejected },
	} {
		help := map[string]string{
			"shared":   "LLM answers served by an identical question's call already in flight.",
			"rejected": "LLM sentences replaced by the deterministic reason: they named an app outside the candidates, linked or gave instructions.",
		}[name]
		if help == "" {
			help = "LLM " + strings.ReplaceAll(name, "_", " ") + "."
		}
		m.CounterFunc("vrrec_llm_"+name+"_total", help, llmStat(pick))
	}
	llmInfo := func() any {
		r := ranker.Load()
		if r == nil {
			return "off"
		}
		return map[string]any{"model": rankerModel.Load(), "calls": r.Stats.Calls.Load(), "errors": r.Stats.Errors.Load(),
			"cache_hits": r.Stats.CacheHits.Load(), "breaker_rejects": r.Stats.BreakerRejects.Load(),
			"shared": r.Stats.Shared.Load(), "rejected": r.Stats.Rejected.Load()}
	}
	srv, err := web.New(web.Config{
		Chat:            svc,
		Journal:         jw,
		Observer:        m,
		Admin:           auth,
		Interactions:    db,
		Settings:        settings,
		SettingsChanged: settingsChanged,
		Audit:           db,
		DataAdmin: &web.DataAdmin{Runner: runner, Data: dataJobs, Jobs: db, Info: func(ctx context.Context) map[string]any {
			l := live.current()
			info := graphs.describe(l.version)
			info["stats"] = graphs.stats(ctx, l.cat, l.version)
			return map[string]any{"graph": info}
		}},
		SecretKey:     keys.Derive(key, keys.CookieSigning),
		OldSecretKeys: [][]byte{keys.Legacy(key, keys.CookieSigning)},
		WidgetOrigins: cfg.WidgetOrigins,
		Checks: []web.Check{
			{Name: "recommender", Probe: func(context.Context) error {
				if len(live.current().eng.Apps()) == 0 {
					return errors.New("the catalog has no apps")
				}
				return nil
			}},
			// Chat answers without the database (the catalog is loaded);
			// its absence degrades history and logs, which the journal
			// keeps until it is back.
			{Name: "store", Optional: true, Probe: db.Ping},
			graphs.readiness(served),
		},
		Info: func() map[string]any {
			l := live.current()
			return map[string]any{"recommender": "ready", "catalog_version": l.version, "catalog_source": l.source,
				"apps": len(l.eng.Apps()), "database": describeDB(cfg), "graph": graphs.describe(l.version), "rate_limits": limitStore(), "llm": llmInfo(),
				"journal": map[string]any{"queue": jw.QueueDepth(), "spool_bytes": jw.SpoolBytes(), "backlog_bytes": jw.BacklogBytes(),
					"written": jw.Written(), "not_durable": jw.NotDurable(), "lost": jw.Lost()}}
		},
		Log:                log,
		TrustedProxies:     cfg.TrustedProxies,
		Limits:             limits,
		MaxConcurrentChats: cfg.MaxConcurrentChats,
		ChatQueueTimeout:   cfg.ChatQueueTimeout,
		CORSOrigins:        cfg.CORSOrigins,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", fmt.Sprintf(":%d", cfg.Port))
	if err != nil {
		return fmt.Errorf("listen on port %d: %w", cfg.Port, err)
	}
	if cfg.MetricsAddr != "" {
		if err := serveMetrics(ctx, cfg.MetricsAddr, m, log); err != nil {
			return err
		}
	}
	log.Info("serving", "addr", ln.Addr().String(), "catalog", src, "catalog_version", catalog.Version(cat), "apps", len(cat.Apps),
		"embedder", cfg.Embedder, "database", describeDB(cfg))
	return srv.Serve(ctx, ln)
}

// graphWatchInterval is how often serve checks that Neo4j answers and holds
// the served catalog.
var graphWatchInterval = 5 * time.Second

// openSettings returns the service's secret key and the managed settings
// stored in db, sealed with a key derived from it.
func openSettings(cfg config.Config, db vrrec.ConfigStore, log *slog.Logger) ([]byte, *admin.Settings, error) {
	secret, err := secretKey(cfg, log)
	if err != nil {
		return nil, nil, err
	}
	settings, err := admin.NewSettings(db, os.Getenv, secret)
	return secret, settings, err
}

// withStoredSettings is cfg with the managed settings staff stored in the
// database in place of the environment's.
func withStoredSettings(ctx context.Context, cfg config.Config, settings *admin.Settings, log *slog.Logger) config.Config {
	stored, err := settings.Values(ctx)
	if err != nil {
		log.Warn("stored settings unreadable, using the environment's", "err", err)
		return cfg
	}
	if len(stored) == 0 {
		return cfg
	}
	c, err := config.Load(func(k string) string {
		if v := stored[k]; v != "" {
			return v
		}
		return os.Getenv(k)
	})
	if err != nil {
		log.Warn("stored settings not applied", "err", err)
		return cfg
	}
	return c
}

// newLimits builds the rate limiter: counters in Redis when REDIS_URL is
// set, falling back to memory while Redis is down; in memory otherwise. The
// returned func describes the store in use, for /health.
func newLimits(cfg config.Config, client *goredis.Client, log *slog.Logger, m *metrics.Metrics) (*web.Limits, func() string) {
	memory := &ratelimit.Memory{}
	var store ratelimit.Store = memory
	describe := func() string { return "memory" }
	storeName := func() string { return "memory" }
	if client != nil {
		f := &ratelimit.Failover{Primary: &redis.RateLimitStore{Client: client}, Fallback: memory, Log: log, OnSwitch: m.StoreSwitched}
		storeName = func() string {
			if f.Mode() == ratelimit.ModeFallback {
				return "memory"
			}
			return "redis"
		}
		store = f
		describe = func() string {
			if f.Mode() == ratelimit.ModeFallback {
				return fmt.Sprintf("redis unreachable, counting in memory (%d switches)", f.Switches())
			}
			return fmt.Sprintf("redis (%d switches)", f.Switches())
		}
	}
	return &web.Limits{
		Limiter: &ratelimit.Limiter{Store: store},
		Default: cfg.RateLimitDefault, Chat: cfg.RateLimitChat, Login: cfg.RateLimitLogin,
		IPDefault: cfg.RateLimitIPDefault, IPChat: cfg.RateLimitIPChat, Pages: cfg.RateLimitIPPages,
		OnReject: func(route string) { m.RateLimited(route, storeName()) },
	}, describe
}

// serveMetrics serves /metrics on its own address until ctx ends.
func serveMetrics(ctx context.Context, addr string, m *metrics.Metrics, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics: listen on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server stopped", "err", err)
		}
	}()
	log.Info("metrics", "addr", ln.Addr().String())
	return nil
}

// newRanker returns the LLM ranker when a model is configured, caching its
// answers in Redis when there is one and in memory otherwise; nil without a
// model. appNames lists the served catalog's apps, so the model's free text
// naming one outside the candidates is caught.
func newRanker(cfg config.Config, client *goredis.Client, log *slog.Logger, m *metrics.Metrics, appNames func() []string) (*llm.Ranker, error) {
	if !cfg.LLMEnabled() {
		log.Info("no LLM configured: reasons come from the matched skills (set OPENROUTER_API_KEY or LLM_BASE_URL)")
		return nil, nil
	}
	model, err := openai.NewChat(openai.ChatConfig{BaseURL: cfg.LLMBaseURL, APIKey: cfg.LLMAPIKey, Model: cfg.LLMModel,
		Temperature: 0.3, AttemptTimeout: cfg.LLMTimeout})
	if err != nil {
		return nil, err
	}
	var cache llm.Cache = llm.NewMemoryCache(10000, cfg.LLMCacheTTL)
	if client != nil {
		cache = &redis.Cache{Client: client}
	}
	log.Info("LLM explains recommendations", "model", cfg.LLMModel, "base_url", cfg.LLMBaseURL)
	return llm.New(model, cache, llm.Options{Timeout: cfg.LLMTimeout, CacheTTL: cfg.LLMCacheTTL, OnCall: m.LLMCall, AppNames: appNames}, log), nil
}

// minSecretLength is the shortest SECRET_KEY accepted: anything shorter can
// be guessed, and with it every student's identity forged.
const minSecretLength = 16

// secretKey returns SECRET_KEY, or a key generated once and kept in
// DATA_DIR when none is configured. Every key the service uses is derived
// from it (package keys).
func secretKey(cfg config.Config, log *slog.Logger) ([]byte, error) {
	secret := cfg.SecretKey
	path := filepath.Join(cfg.DataDir, secretKeyFile)
	if secret == "" && cfg.Env == "production" {
		return nil, errors.New("VRREC_ENV=production needs SECRET_KEY: every instance must sign cookies with the same key")
	}
	if secret == "" {
		b, err := os.ReadFile(path)
		switch {
		case err == nil:
			secret = strings.TrimSpace(string(b))
			if len(secret) < minSecretLength {
				return nil, fmt.Errorf("secret key: %s holds %d characters, fewer than %d: delete it to generate a new one, or set SECRET_KEY", path, len(secret), minSecretLength)
			}
		case errors.Is(err, fs.ErrNotExist):
			var raw [32]byte
			_, _ = rand.Read(raw[:])
			secret = hex.EncodeToString(raw[:])
			if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
				return nil, fmt.Errorf("secret key: %w", err)
			}
			if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
				return nil, fmt.Errorf("secret key: %w", err)
			}
		default:
			return nil, fmt.Errorf("secret key: %w", err)
		}
	} else if len(secret) < minSecretLength {
		return nil, fmt.Errorf("SECRET_KEY has %d characters; use at least %d random ones (for example: openssl rand -hex 32)", len(secret), minSecretLength)
	}
	if cfg.SecretKey == "" {
		log.Warn("SECRET_KEY is not set: using a key generated in "+path+"; set SECRET_KEY in production, "+
			"and the same one on every instance", "path", path)
	}
	return []byte(secret), nil
}
