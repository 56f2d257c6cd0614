package main

import (
	"context"
	"fmt"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/config"
	"github.com/vrrec/vrrec/graph"
	"github.com/vrrec/vrrec/jobs"
	"github.com/vrrec/vrrec/neo4j"
)

// openGraph prepares the configured graph backend without waiting for it:
// the service starts on the in-memory graph and moves to Neo4j once it
// answers and holds the served catalog.
func (m *Main) openGraph(ctx context.Context) error {
	cfg := m.effective(ctx)
	if cfg.GraphBackend != config.GraphNeo4j {
		m.graph = &graph.Keeper{}
		return nil
	}
	neo, err := neo4j.New(neo4j.Config{URI: cfg.Neo4jURI, User: cfg.Neo4jUser, Password: cfg.Neo4jPassword, Database: cfg.Neo4jDatabase,
		ConnectTimeout: 3 * time.Second, RetryTime: -1}) // fail at once: the fallback answers
	if err != nil {
		return fmt.Errorf("GRAPH_BACKEND=neo4j: %w", err)
	}
	m.neo = neo
	m.graph = graph.NewKeeper(neo, "Neo4j", func(up bool, err error) {
		if up {
			m.Log.Info("knowledge graph: answering from Neo4j")
		} else {
			m.Log.Warn("knowledge graph: Neo4j unavailable, answering from the in-memory graph", "err", err)
		}
	})
	return nil
}

// describeGraph is the graph's entry in /health and the data page.
func (m *Main) describeGraph(served string) map[string]any {
	backend, state := config.GraphMemory, "ok"
	if m.neo != nil {
		backend = config.GraphNeo4j
	}
	if err := m.graph.Problem(served); err != nil {
		state = "degraded: " + err.Error()
	}
	return map[string]any{"backend": backend, "state": state}
}

// buildGraphJob writes the stored catalog into Neo4j, as a job's step. It
// first serves what is stored, so an instance that has not loaded the
// latest import yet never writes an older catalog over a newer one.
func (m *Main) buildGraphJob(ctx context.Context, run *jobs.Run) error {
	if m.neo == nil {
		return nil
	}
	if _, err := m.live.Reload(ctx, false, nil); err != nil {
		return fmt.Errorf("load the stored catalog first: %w", err)
	}
	l := m.live.Current()
	start := time.Now()
	err := m.graph.Build(ctx, l.Version, func(ctx context.Context) error {
		return m.neo.Build(ctx, l.Catalog, neo4j.BuildOptions{Version: l.Version, Progress: func(done, total int, stage string) {
			run.Progress("writing the Neo4j graph: "+stage, done, total)
		}})
	})
	if err != nil {
		return err
	}
	st := m.graph.Stats(ctx, l.Catalog, l.Version)
	run.Logf("Neo4j holds version %s: %d nodes, %d edges; written in %s", l.Version, st.Nodes(), st.Edges(), time.Since(start).Round(time.Millisecond))
	return nil
}

// rebuildBackoff spaces automatic Neo4j rebuilds that keep failing.
var rebuildBackoff = graph.Backoff{Gap: 30 * time.Second, Max: 30 * time.Minute}

// autoRebuild starts, as a job, the Neo4j rebuild the graph watcher asks
// for, unless one runs or rebuildBackoff says to wait.
func (m *Main) autoRebuild(ctx context.Context, reason string) {
	recent, err := m.db.Jobs(ctx, 50)
	if err != nil {
		return
	}
	var rebuilds []vrrec.Job // automatic ones, newest first
	for _, j := range recent {
		if j.Type == jobs.TypeRebuild && j.Params["by"] == "automatic" {
			rebuilds = append(rebuilds, j)
		}
	}
	due, failed := rebuildBackoff.Due(rebuilds, time.Now())
	if !due {
		return
	}
	job, err := m.runner.Start(ctx, jobs.TypeRebuild, map[string]string{"reason": reason, "by": "automatic"}, m.buildGraphJob)
	switch {
	case vrrec.ErrorCode(err) == vrrec.ECONFLICT:
		m.Log.Debug("Neo4j rebuild waits for the running job", "err", err)
	case err != nil:
		m.Log.Warn("Neo4j rebuild not started", "err", err)
	default:
		m.Log.Info("rebuilding the Neo4j graph", "job", job.ID, "reason", reason, "failed_before", failed)
	}
}
