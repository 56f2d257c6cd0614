package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/admin"
	"github.com/vrrec/vrrec/bert/minilm"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/chat"
	"github.com/vrrec/vrrec/config"
	"github.com/vrrec/vrrec/embedding"
	"github.com/vrrec/vrrec/eval"
	"github.com/vrrec/vrrec/graph"
	"github.com/vrrec/vrrec/jobs"
	"github.com/vrrec/vrrec/journal"
	"github.com/vrrec/vrrec/keys"
	"github.com/vrrec/vrrec/live"
	"github.com/vrrec/vrrec/llm"
	"github.com/vrrec/vrrec/metrics"
	"github.com/vrrec/vrrec/neo4j"
	"github.com/vrrec/vrrec/privacy"
	"github.com/vrrec/vrrec/rag"
	"github.com/vrrec/vrrec/redis"
	"github.com/vrrec/vrrec/skills"
	"github.com/vrrec/vrrec/sources"
	reports "github.com/vrrec/vrrec/usage" // main.go has a usage text
	"github.com/vrrec/vrrec/web"
)

// cmdServe runs the service until ctx ends, then stops it in order.
func cmdServe(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	setMemoryLimit(cfg.MemoryLimit)
	m := NewMain(cfg, log)
	if err := m.Run(ctx); err != nil {
		return errors.Join(err, m.Close())
	}
	// Starting (decoding the model, building the catalog's indexes) leaves
	// garbage of about its own size: give those pages back now rather than
	// when the heap next reaches its limit.
	go debug.FreeOSMemory()
	select {
	case <-ctx.Done():
	case <-m.Done(): // the server failed
	}
	return m.Close()
}

// setMemoryLimit sets the runtime's soft memory limit (GOMEMLIMIT, which
// the runtime has read already when set; config gives the default), 0 for
// none.
func setMemoryLimit(limit int64) {
	if limit == 0 {
		limit = math.MaxInt64
	}
	debug.SetMemoryLimit(limit)
}

// Main is `vrrec serve`: Run opens the database, the catalog, the graph
// and the outside services, starts the background work and serves HTTP;
// Close stops serving and drains in order (jobs, journal, graph, database).
// Tests run it in-process on port 0.
type Main struct {
	Config config.Config
	Log    *slog.Logger
	// How often serve looks for a newly imported catalog, and checks that
	// Neo4j answers and holds the served catalog (NewMain: 5 s each).
	CatalogPoll, GraphCheck time.Duration
	// RetentionCheck is how often serve looks whether the daily retention
	// job is due (NewMain: an hour).
	RetentionCheck time.Duration
	// WaitLog is how often a start that waits for the catalog's vectors
	// says so in the log (NewMain: 5 s).
	WaitLog time.Duration

	db       database
	secret   []byte
	settings *admin.Settings
	metrics  *metrics.Metrics
	neo      *neo4j.Graph // nil: GRAPH_BACKEND=memory
	graph    *graph.Keeper
	emb      vrrec.Embedder
	live     *live.Catalog[*rag.Engine]
	chat     *chat.Service
	journal  *journal.Writer
	redis    *goredis.Client // nil: no REDIS_URL
	runner   *jobs.Runner
	privacy  *privacy.Service

	ranker      atomic.Pointer[llm.Ranker]
	rankerModel atomic.Value     // string
	budget      *llm.DailyBudget // llmBudget
	budgetOnce  sync.Once

	// background ends with Close: the watchers, the jobs, /metrics; loops
	// are the watchers, which Close waits for.
	background context.Context
	stop       context.CancelFunc
	loops      sync.WaitGroup

	ln          net.Listener
	metricsLn   net.Listener
	stopServing context.CancelFunc
	served      chan struct{} // closed when the HTTP server returns
	serveErr    error
}

// NewMain returns the service for cfg, logging to log; Run starts it.
func NewMain(cfg config.Config, log *slog.Logger) *Main {
	bg, stop := context.WithCancel(context.Background())
	return &Main{Config: cfg, Log: log, CatalogPoll: 5 * time.Second, GraphCheck: 5 * time.Second, RetentionCheck: time.Hour, WaitLog: 5 * time.Second,
		metrics: metrics.New(), background: bg, stop: stop}
}

// Run opens everything and starts serving on PORT (0: any free port, see
// Addr); it returns once the server listens. After an error, Close
// releases what was opened.
func (m *Main) Run(ctx context.Context) error {
	// ctx ending while Run opens (a signal during a long first embedding)
	// stops the start; afterwards only Close stops the service.
	defer context.AfterFunc(ctx, m.stop)()
	for _, step := range []func(context.Context) error{
		m.openDB,
		m.openSettings,
		m.openGraph, // after the settings: NEO4J_URI may be stored
		m.startCatalog,
		m.openJournal,
		m.openRedis,
		m.useLLM,
		m.startJobs,
		m.startServer,
	} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (m *Main) openDB(ctx context.Context) (err error) {
	if m.db, err = openDB(ctx, m.Config); err == nil {
		m.privacy = studentData(m.Config, m.db)
	}
	return err
}

// startCatalog serves the stored catalog (the embedded one while the
// database is down or the stored one's vectors are computed) and watches
// for new ones.
func (m *Main) startCatalog(ctx context.Context) (err error) {
	if m.emb, err = newEmbedder(m.Config); err != nil {
		return err
	}
	cat, src, stored, err := live.Stored(ctx, m.db)
	if err != nil {
		// The watcher loads the stored catalog when the database answers.
		m.Log.Error("catalog unavailable, serving the embedded default until the database answers", "err", err)
		if cat, err = catalog.Default(); err != nil {
			return err
		}
		src = live.SourceEmbedded
	}
	m.live = &live.Catalog[*rag.Engine]{Store: m.db, Log: m.Log, Build: m.buildEngine, Interim: m.interimEngine, WaitLog: m.WaitLog}
	ready := func(cat *vrrec.Catalog) bool { return vectorsStored(ctx, m.db, m.emb, cat) }
	if err := m.live.Start(m.background, cat, stored, src, ready); err != nil {
		return err
	}
	m.every(m.CatalogPoll, m.live.Watch)
	m.chat = chat.New(func() chat.Engine { return m.live.Current().Engine }, m.db, m.Log)
	m.chat.SetTimeout(m.Config.ChatTimeout)
	m.chat.SetVotes(m.db)
	m.chat.SetProfiles(m.db)
	return nil
}

// openJournal starts the interaction journal: every answered chat is
// fsynced into the spool before its answer goes out, and copied from there
// to the database.
func (m *Main) openJournal(context.Context) (err error) {
	m.journal, err = journal.Start(m.db, filepath.Join(m.Config.DataDir, "spool"), journal.Options{MaxBytes: m.Config.JournalSpoolMax}, m.Log)
	return err
}

// openRedis connects to REDIS_URL, when set, for rate limits and the LLM
// cache.
func (m *Main) openRedis(context.Context) (err error) {
	if m.Config.RedisURL != "" {
		m.redis, err = redis.Open(m.Config.RedisURL)
	}
	return err
}

// startServer listens on PORT (and METRICS_ADDR) and serves until Close.
func (m *Main) startServer(ctx context.Context) error {
	m.registerMetrics()
	srv, err := m.newServer(ctx)
	if err != nil {
		return err
	}
	if m.ln, err = net.Listen("tcp", fmt.Sprintf(":%d", m.Config.Port)); err != nil {
		return fmt.Errorf("listen on port %d: %w", m.Config.Port, err)
	}
	if m.Config.MetricsAddr != "" {
		if m.metricsLn, err = serveMetrics(m.background, m.Config.MetricsAddr, m.metrics, m.Log); err != nil {
			return err
		}
	}
	l := m.live.Current()
	m.Log.Info("serving", "addr", m.ln.Addr().String(), "catalog", l.Source, "catalog_version", l.Version, "apps", len(l.Catalog.Apps),
		"embedder", m.Config.Embedder, "database", describeDB(m.Config))
	serving, stop := context.WithCancel(context.Background())
	m.stopServing = stop
	m.served = make(chan struct{})
	go func() {
		defer close(m.served)
		m.serveErr = srv.Serve(serving, m.ln)
	}()
	return nil
}

// Addr is where Run serves HTTP.
func (m *Main) Addr() net.Addr { return m.ln.Addr() }

// MetricsAddr is where /metrics is served; nil without METRICS_ADDR.
func (m *Main) MetricsAddr() net.Addr {
	if m.metricsLn == nil {
		return nil
	}
	return m.metricsLn.Addr()
}

// Done is closed when the HTTP server stops, after Close or on a failure.
func (m *Main) Done() <-chan struct{} { return m.served }

// Close stops serving (finishing requests in flight), then the jobs and
// watchers, then stores what the journal holds, then closes the graph,
// Redis and the database. It returns the server's error, if any.
func (m *Main) Close() error {
	var errs []error
	if m.stopServing != nil {
		m.stopServing()
		<-m.served
		errs = append(errs, m.serveErr)
	}
	// Jobs cut by the stop record "interrupted" before the database closes.
	m.stop()
	m.loops.Wait()
	if m.runner != nil {
		m.runner.Wait()
	}
	if m.live != nil {
		m.live.Wait()
	}
	if m.journal != nil {
		// Shutdown stores what waits, briefly; the spool keeps the rest.
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		if err := m.journal.Close(ctx); err != nil {
			m.Log.Error("journal not drained", "err", err)
		}
		cancel()
	}
	if m.neo != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = m.neo.Close(ctx)
		cancel()
	}
	if m.redis != nil {
		_ = m.redis.Close()
	}
	if m.db != nil {
		errs = append(errs, m.db.Close())
	}
	return errors.Join(errs...)
}

// every runs loop with a ticker of the given period in the background,
// until Close.
func (m *Main) every(period time.Duration, loop func(context.Context, <-chan time.Time)) {
	m.loops.Go(func() {
		t := time.NewTicker(period)
		defer t.Stop()
		loop(m.background, t.C)
	})
}

// openSettings reads the secret key and the managed settings sealed with
// a key derived from it, and reseals what the legacy derivation sealed.
func (m *Main) openSettings(ctx context.Context) error {
	var err error
	if m.secret, m.settings, err = openSettings(m.Config, m.db, m.Log); err != nil {
		return err
	}
	if n, err := m.settings.Reseal(ctx); err != nil {
		m.Log.Warn("stored secrets not resealed with the current key; they are read either way", "err", err)
	} else if n > 0 {
		m.Log.Info("stored secrets resealed with the HKDF-derived key", "settings", n)
	}
	return nil
}

// effective is the configuration with the settings staff stored in the
// database in place of the environment's.
func (m *Main) effective(ctx context.Context) config.Config {
	return withStoredSettings(ctx, m.Config, m.settings, m.Log)
}

// buildEngine builds the recommender for cat over the configured graph,
// with vectors read from (and new ones written to) the database.
func (m *Main) buildEngine(ctx context.Context, cat *vrrec.Catalog, progress live.Progress) (*rag.Engine, error) {
	opts := rag.Options{Observe: m.metrics.Stage, Progress: func(done, total int) {
		if progress != nil {
			progress("embedding the catalog", done, total)
		}
		if done == total || done%(8*embedding.BatchSize) == 0 {
			m.Log.Info("embedding the catalog", "done", done, "of", total, "model", m.emb.Name())
		}
	}}
	// A cache per build: vectors come from the database, and those of
	// earlier catalogs are not kept in memory.
	return newEngine(ctx, m.Log, cat, m.graph.For(cat, catalog.Version(cat)), m.emb, newVectorCache(m.emb, m.db, m.Log), opts)
}

// interimEngine is the engine on the embedded catalog with the built-in
// model, whose vectors of it ship in the binary: served at once while the
// configured model (an embeddings server, MODEL_DIR) computes the
// catalog's vectors.
func (m *Main) interimEngine(ctx context.Context, cat *vrrec.Catalog) (*rag.Engine, error) {
	emb, err := minilm.Load()
	if err != nil {
		return nil, err
	}
	return newEngine(ctx, m.Log, cat, m.graph.For(cat, catalog.Version(cat)), emb, newVectorCache(emb, nil, m.Log), rag.Options{Observe: m.metrics.Stage})
}

// startJobs starts the job runner, the sweep of jobs a crashed process
// left running, and the graph watcher, whose rebuilds run as jobs so
// instances sharing Neo4j never build at once and staff see them.
func (m *Main) startJobs(context.Context) error {
	m.runner = jobs.New(m.background, m.db, jobs.Options{Done: m.metrics.JobDone, Log: m.Log})
	m.loops.Go(func() { m.runner.SweepStale(m.background, 10*time.Second) })
	served := func() string { return m.live.Current().Version }
	m.every(m.GraphCheck, func(ctx context.Context, ticks <-chan time.Time) {
		m.graph.Watch(ctx, ticks, served, m.autoRebuild)
	})
	m.every(m.RetentionCheck, m.retain)
	return nil
}

// dataJobs are the staff's data-management jobs: every change a draft;
// publishing one writes the store, then this instance serves it at once
// (others notice the new version).
func (m *Main) dataJobs() (*jobs.Data, error) {
	data, err := newDataJobs(m.Config, m.db, m.emb, m.Log, rag.Options{Observe: m.metrics.Stage}, func(ctx context.Context, run *jobs.Run) error {
		run.Progress("rebuilding graph and vectors", 0, 1)
		start := time.Now()
		if _, err := m.live.Reload(ctx, true, run.Progress); err != nil {
			return fmt.Errorf("rebuild: %w", err)
		}
		l := m.live.Current()
		run.Progress("rebuilding graph and vectors", 1, 1)
		run.Logf("serving version %s (%s): %d apps, %d skills; rebuilt in %s", l.Version, l.Source, len(l.Catalog.Apps), len(l.Catalog.Skills),
			time.Since(start).Round(time.Millisecond))
		return m.buildGraphJob(ctx, run)
	})
	if err != nil {
		return nil, err
	}
	data.Current = func() *vrrec.Catalog { return m.live.Current().Catalog }
	data.Extractor = func() skills.Extractor {
		cat := m.live.Current().Catalog
		ex, _, err := newExtractor(m.effective(m.background), cat, false)
		if err != nil {
			m.Log.Warn("LLM extractor unavailable, using the vocabulary", "err", err)
			ex = skills.NewOfflineExtractor(cat.Skills)
		}
		return ex
	}
	data.Embedder = m.emb
	data.ExtractState = filepath.Join(m.Config.DataDir, "extract-skills.jsonl")
	data.Sources = func(jobType string) (sources.Source, error) { return newSource(m.effective(m.background), jobType) }
	return data, nil
}

// settingsChanged applies settings staff changed: a new LLM swaps the
// ranker while serving.
func (m *Main) settingsChanged(ctx context.Context, keys []string) {
	for _, k := range keys {
		if strings.HasPrefix(k, "OPENROUTER_") || strings.HasPrefix(k, "LLM_") {
			if err := m.useLLM(ctx); err != nil {
				m.Log.ErrorContext(ctx, "LLM settings not applied", "err", err)
			}
			return
		}
	}
}

// newServer is the HTTP server over everything Run opened.
func (m *Main) newServer(ctx context.Context) (*web.Server, error) {
	cfg := m.Config
	auth, err := admin.New(cfg.AdminPasswordHash, cfg.AdminPassword, m.secret, m.db)
	if err != nil {
		return nil, err
	}
	if staff, err := m.db.StaffMembers(ctx); !auth.BootstrapConfigured() && cfg.OIDC.Issuer == "" && err == nil && len(staff) == 0 {
		m.Log.Warn("no staff account: staff sign-in answers 503 until one is added (vrrec staff add) or ADMIN_PASSWORD_HASH (vrrec hash-password) is set")
	}
	signOn, err := newSSO(cfg.OIDC, m.secret)
	if err != nil {
		return nil, err
	}
	accounts := admin.NewAccounts(m.db)
	limits, limitStore := newLimits(cfg, m.redis, m.Log, m.metrics)
	data, err := m.dataJobs()
	if err != nil {
		return nil, err
	}
	useReports := &reports.Reports{Log: m.db, Votes: m.db, Embedder: m.emb, AppName: m.appName,
		Vectors: embedding.NewCache().WithStore(m.db, m.Log)}
	return web.New(web.Config{
		Chat:            m.chat,
		Courses:         m.chat,
		CourseLog:       m.db,
		Journal:         m.journal,
		Observer:        m.metrics,
		Admin:           auth,
		Staff:           accounts,
		SSO:             signOn,
		SSOAccounts:     accounts,
		Interactions:    m.db,
		Feedback:        m.db,
		Usage:           useReports,
		AppName:         m.appName,
		LLMSpend:        m.llmReport,
		Labels:          eval.Stored{LabeledQueryStore: m.db, Catalog: func() *vrrec.Catalog { return m.live.Current().Catalog }},
		Settings:        m.settings,
		SettingsChanged: m.settingsChanged,
		Audit:           m.db,
		Privacy:         m.privacy,
		Profiles:        m.db,
		Welcome:         m.chat,
		DataAdmin: &web.DataAdmin{Jobs: jobs.Control{Runner: m.runner, Data: data}, History: m.db, Info: func(ctx context.Context) map[string]any {
			l := m.live.Current()
			info := m.describeGraph(l.Version)
			info["stats"] = m.graph.Stats(ctx, l.Catalog, l.Version)
			return map[string]any{"graph": info}
		}},
		SecretKey:     keys.Derive(m.secret, keys.CookieSigning),
		OldSecretKeys: [][]byte{keys.Legacy(m.secret, keys.CookieSigning)},
		WidgetOrigins: cfg.WidgetOrigins,
		Checks:        m.checks(),
		Info: func() map[string]any {
			info := m.health()
			info["rate_limits"] = limitStore()
			return info
		},
		Log:                m.Log,
		TrustedProxies:     cfg.TrustedProxies,
		Limits:             limits,
		MaxConcurrentChats: cfg.MaxConcurrentChats,
		ChatQueueTimeout:   cfg.ChatQueueTimeout,
		LLMWait:            cfg.LLMWait,
		CORSOrigins:        cfg.CORSOrigins,
	})
}

// appName names an app of the served catalog, "" when it has none of that id.
func (m *Main) appName(id string) string {
	for _, a := range m.live.Current().Catalog.Apps {
		if a.AppID == id {
			return a.Name
		}
	}
	return ""
}

// checks decide /ready.
func (m *Main) checks() []web.Check {
	return []web.Check{
		{Name: "recommender", Probe: func(context.Context) error {
			if len(m.live.Current().Engine.Apps()) == 0 {
				return errors.New("the catalog has no apps")
			}
			return nil
		}},
		// Chat answers without the database (the catalog is loaded); its
		// absence degrades history and logs, which the journal keeps until
		// it is back.
		{Name: "store", Optional: true, Probe: m.db.Ping},
		// Neo4j down is degraded, never unready: the in-memory graph
		// answers the same.
		{Name: "graph", Optional: true, Probe: func(context.Context) error { return m.graph.Problem(m.live.Current().Version) }},
	}
}

// health is what /health reports beyond the checks.
func (m *Main) health() map[string]any {
	l := m.live.Current()
	jw := m.journal
	return map[string]any{"recommender": "ready", "catalog_version": l.Version, "catalog_source": l.Source,
		"apps": len(l.Engine.Apps()), "database": describeDB(m.Config), "graph": m.describeGraph(l.Version), "llm": m.llmInfo(),
		"journal": map[string]any{"queue": jw.QueueDepth(), "spool_bytes": jw.SpoolBytes(), "backlog_bytes": jw.BacklogBytes(),
			"written": jw.Written(), "not_durable": jw.NotDurable(), "lost": jw.Lost()}}
}
