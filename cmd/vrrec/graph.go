package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/config"
	"github.com/vrrec/vrrec/graph"
	"github.com/vrrec/vrrec/jobs"
	"github.com/vrrec/vrrec/neo4j"
	"github.com/vrrec/vrrec/web"
)

// graphs is the knowledge graph retrieval asks: in memory, or in Neo4j with
// the in-memory graph of the same catalog answering whenever Neo4j is down
// or does not hold the served catalog yet.
type graphs struct {
	neo    *neo4j.Graph // nil: GRAPH_BACKEND=memory
	health *graph.Health
	log    *slog.Logger
}

// openGraphs prepares the configured backend without waiting for it: the
// service starts on the in-memory graph and moves to Neo4j once it answers.
func openGraphs(cfg config.Config, log *slog.Logger) (*graphs, error) {
	g := &graphs{log: log}
	if cfg.GraphBackend != config.GraphNeo4j {
		return g, nil
	}
	neo, err := neo4j.New(neo4j.Config{URI: cfg.Neo4jURI, User: cfg.Neo4jUser, Password: cfg.Neo4jPassword, Database: cfg.Neo4jDatabase,
		ConnectTimeout: 3 * time.Second, RetryTime: -1}) // fail at once: the fallback answers
	if err != nil {
		return nil, fmt.Errorf("GRAPH_BACKEND=neo4j: %w", err)
	}
	g.neo = neo
	g.health = graph.NewHealth(func(up bool, err error) {
		if up {
			log.Info("knowledge graph: answering from Neo4j")
		} else {
			log.Warn("knowledge graph: Neo4j unavailable, answering from the in-memory graph", "err", err)
		}
	})
	return g, nil
}

func (g *graphs) close() {
	if g.neo != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = g.neo.Close(ctx)
	}
}

// forCatalog returns the graph an engine over cat asks.
func (g *graphs) forCatalog(cat *vrrec.Catalog, version string) vrrec.Graph {
	mem := graph.New(cat)
	if g.neo == nil {
		return mem
	}
	return &graph.Failover{Primary: g.neo, Fallback: mem, Health: g.health, Version: version}
}

// build writes cat into Neo4j and starts answering from it. Callers hold
// the job lock (a job, or build-graph), so two builds never interleave.
func (g *graphs) build(ctx context.Context, cat *vrrec.Catalog, version string, clear bool, progress func(done, total int, stage string)) error {
	if g.neo == nil {
		return nil
	}
	// While the build rewrites Neo4j it holds no whole catalog: answer
	// from memory until it is done.
	g.health.Hold("")
	if err := g.neo.Build(ctx, cat, neo4j.BuildOptions{Clear: clear, Version: version, Progress: progress}); err != nil {
		g.health.Down(err)
		return fmt.Errorf("build the Neo4j graph: %w", err)
	}
	g.health.Up(version)
	return nil
}

// buildJob writes the stored catalog into Neo4j, as a job's step. It
// first serves what is stored, so an instance that has not loaded the
// latest import yet never writes an older catalog over a newer one.
func (g *graphs) buildJob(live *liveCatalog) jobs.Func {
	return func(ctx context.Context, run *jobs.Run) error {
		if g.neo == nil {
			return nil
		}
		if _, err := live.reload(ctx, false, nil); err != nil {
			return fmt.Errorf("load the stored catalog first: %w", err)
		}
		l := live.current()
		start := time.Now()
		err := g.build(ctx, l.cat, l.version, false, func(done, total int, stage string) {
			run.Progress("writing the Neo4j graph: "+stage, done, total)
		})
		if err != nil {
			return err
		}
		st := g.stats(ctx, l.cat, l.version)
		run.Logf("Neo4j holds version %s: %d nodes, %d edges; written in %s", l.version, st.Nodes(), st.Edges(), time.Since(start).Round(time.Millisecond))
		return nil
	}
}

// Spacing of automatic rebuilds, read from the job history so every
// instance agrees: after n automatic rebuilds in a row that failed or were
// cancelled, the next waits graphRebuildGap·2ⁿ⁻¹ (at most
// graphRebuildMaxGap) after the last one ended. A build that keeps failing
// neither fills the history nor undoes a staff cancel at once.
const (
	graphRebuildGap    = 30 * time.Second
	graphRebuildMaxGap = 30 * time.Minute
)

// autoRebuild starts, as a job, the Neo4j build watch asks for.
func (g *graphs) autoRebuild(runner *jobs.Runner, store vrrec.JobStore, live *liveCatalog) func(ctx context.Context, reason string) {
	return func(ctx context.Context, reason string) {
		recent, err := store.Jobs(ctx, 50)
		if err != nil {
			return
		}
		failed, lastEnd := 0, time.Time{}
		for _, j := range recent { // newest first
			if j.Type != jobs.TypeRebuild || j.Params["by"] != "automatic" {
				continue
			}
			if j.State == vrrec.JobRunning {
				return
			}
			if lastEnd.IsZero() {
				lastEnd = j.FinishedAt
			}
			if j.State == vrrec.JobCompleted {
				break
			}
			failed++
		}
		if failed > 0 {
			gap := min(graphRebuildGap<<min(failed-1, 16), graphRebuildMaxGap)
			if time.Since(lastEnd) < gap {
				return
			}
		}
		job, err := runner.Start(ctx, jobs.TypeRebuild, map[string]string{"reason": reason, "by": "automatic"}, g.buildJob(live))
		switch {
		case vrrec.ErrorCode(err) == vrrec.ECONFLICT:
			g.log.Debug("Neo4j rebuild waits for the running job", "err", err)
		case err != nil:
			g.log.Warn("Neo4j rebuild not started", "err", err)
		default:
			g.log.Info("rebuilding the Neo4j graph", "job", job.ID, "reason", reason, "failed_before", failed)
		}
	}
}

// errStale says Neo4j answers but holds another catalog.
var errStale = errors.New("Neo4j holds another catalog version")

// check pings Neo4j and reads which catalog it holds: nil when it serves
// version (Health goes up), errStale when it needs a rebuild, another
// error when it cannot be reached (Health goes down).
func (g *graphs) check(ctx context.Context, version string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	held, err := g.neo.BuiltVersion(ctx)
	if err != nil {
		g.health.Down(err)
		return err
	}
	// Up with what it holds: the engines of another version (or of none,
	// while a build runs elsewhere) answer from memory.
	g.health.Up(held)
	if held != version {
		return fmt.Errorf("%w (%q, serving %q)", errStale, held, version)
	}
	return nil
}

// watch keeps Neo4j in step with the served catalog until ctx ends: every
// interval it checks Neo4j; when Neo4j answers but holds another version
// (it came back empty, or this instance loaded a newer catalog first) it
// asks rebuild, which runs as a job so instances never build at once.
func (g *graphs) watch(ctx context.Context, every time.Duration, served func() string, rebuild func(ctx context.Context, reason string)) {
	if g.neo == nil {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		err := g.check(ctx, served())
		if errors.Is(err, errStale) {
			rebuild(ctx, err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// problem says why retrieval answers from memory rather than Neo4j for
// the served catalog version; nil when Neo4j answers (or is not used).
func (g *graphs) problem(served string) error {
	if g.neo == nil {
		return nil
	}
	up, held, err := g.health.State()
	switch {
	case up && held == served:
		return nil
	case up && held == "":
		return errors.New("Neo4j holds no complete catalog yet (a build is running); answering from the in-memory graph")
	case up:
		return fmt.Errorf("Neo4j holds catalog %s, not the served %s; answering from the in-memory graph until it is rebuilt", held, served)
	default:
		return fmt.Errorf("Neo4j unavailable, answering from the in-memory graph: %w", err)
	}
}

// describe is the graph's entry in /health and the data page.
func (g *graphs) describe(served string) map[string]any {
	backend, state := config.GraphMemory, "ok"
	if g.neo != nil {
		backend = config.GraphNeo4j
	}
	if err := g.problem(served); err != nil {
		state = "degraded: " + err.Error()
	}
	return map[string]any{"backend": backend, "state": state}
}

// stats are the graph's statistics: Neo4j's own while it serves the
// catalog, else those of the in-memory graph of cat (the same numbers).
func (g *graphs) stats(ctx context.Context, cat *vrrec.Catalog, served string) vrrec.GraphStats {
	if g.neo != nil && g.problem(served) == nil {
		if st, err := g.neo.Stats(ctx); err == nil {
			return st
		}
	}
	return graph.StatsOf(cat)
}

// readiness is the graph's optional /ready check: Neo4j down is degraded,
// never unready, since the in-memory graph answers the same.
func (g *graphs) readiness(served func() string) web.Check {
	return web.Check{Name: "graph", Optional: true, Probe: func(context.Context) error { return g.problem(served()) }}
}
