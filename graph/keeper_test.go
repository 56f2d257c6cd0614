package graph_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/graph"
	"github.com/vrrec/vrrec/internal/fixture"
)

// database is the in-memory graph standing in for a graph database whose
// held version and reachability the test sets; Neo4j itself is tested in
// package neo4j and in cmd/vrrec's outage test.
type database struct {
	vrrec.Graph
	mu   sync.Mutex
	held string
	err  error
}

func (d *database) set(held string, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.held, d.err = held, err
}

func (d *database) BuiltVersion(context.Context) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.held, d.err
}

func (d *database) Stats(context.Context) (vrrec.GraphStats, error) {
	return vrrec.GraphStats{Apps: 12345}, nil
}

func TestKeeperFollowsTheDatabase(t *testing.T) {
	cat := fixture.Small()
	db := &database{Graph: graph.New(cat)}
	var changes []bool
	k := graph.NewKeeper(db, "Neo4j", func(up bool, _ error) { changes = append(changes, up) })
	ctx := context.Background()

	if err := k.Problem("v1"); err == nil || !strings.Contains(err.Error(), "Neo4j unavailable") {
		t.Errorf("before any check: %v, want unavailable", err)
	}
	db.set("v0", nil)
	if err := k.Check(ctx, "v1"); !errors.Is(err, graph.ErrStale) {
		t.Errorf("holding v0, serving v1: %v, want ErrStale", err)
	}
	if err := k.Problem("v1"); err == nil || !strings.Contains(err.Error(), "holds catalog v0, not the served v1") {
		t.Errorf("stale: %v", err)
	}
	if got := k.Stats(ctx, cat, "v1"); got.Apps == 12345 {
		t.Error("stats of a stale database, want the in-memory graph's")
	}
	db.set("v1", nil)
	if err := k.Check(ctx, "v1"); err != nil || k.Problem("v1") != nil {
		t.Errorf("holding the served version: %v, %v", err, k.Problem("v1"))
	}
	if got := k.Stats(ctx, cat, "v1"); got.Apps != 12345 {
		t.Errorf("stats %+v, want the database's own", got)
	}
	db.set("", errors.New("connection refused"))
	if err := k.Check(ctx, "v1"); err == nil || errors.Is(err, graph.ErrStale) {
		t.Errorf("unreachable: %v, want the connection error", err)
	}
	if err := k.Problem("v1"); err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("down: %v", err)
	}
	if len(changes) != 2 || !changes[0] || changes[1] {
		t.Errorf("health changes %v, want up then down", changes)
	}

	// A build holds no catalog while it runs, and leaves the database down
	// when it fails.
	db.set("v1", nil)
	k.Check(ctx, "v1")
	err := k.Build(ctx, "v2", func(context.Context) error {
		if p := k.Problem("v2"); p == nil || !strings.Contains(p.Error(), "no complete catalog") {
			t.Errorf("during a build: %v", p)
		}
		return nil
	})
	if err != nil || k.Problem("v2") != nil {
		t.Errorf("after a build: %v, %v", err, k.Problem("v2"))
	}
	if err := k.Build(ctx, "v3", func(context.Context) error { return errors.New("disk full") }); err == nil || k.Problem("v3") == nil {
		t.Errorf("a failed build: %v, problem %v", err, k.Problem("v3"))
	}
}

// Without a database the keeper is the in-memory graph and never has a
// problem.
func TestKeeperWithoutDatabase(t *testing.T) {
	cat := fixture.Small()
	k := &graph.Keeper{}
	if _, ok := k.For(cat, "v1").(*graph.Failover); ok {
		t.Error("a failover without a database")
	}
	if k.Problem("v1") != nil || k.Build(context.Background(), "v1", func(context.Context) error { return errors.New("called") }) != nil {
		t.Error("the in-memory backend reports a problem or builds")
	}
	done := make(chan struct{})
	go func() { defer close(done); k.Watch(context.Background(), nil, nil, nil) }()
	<-done // returns at once
}

// Watch checks at once and at every tick, and asks a rebuild only while
// the database answers with another version.
func TestKeeperWatchAsksRebuildWhenStale(t *testing.T) {
	db := &database{Graph: graph.New(fixture.Small())}
	k := graph.NewKeeper(db, "Neo4j", nil)
	ctx, cancel := context.WithCancel(context.Background())
	ticks := make(chan time.Time)
	rebuilds := make(chan string, 8)
	done := make(chan struct{})
	db.set("", nil) // empty: a fresh database
	go func() {
		defer close(done)
		k.Watch(ctx, ticks, func() string { return "v1" }, func(_ context.Context, reason string) { rebuilds <- reason })
	}()
	if reason := <-rebuilds; !strings.Contains(reason, `serving "v1"`) {
		t.Fatalf("an empty database asked a rebuild for %q", reason)
	}
	tick := func() { ticks <- time.Time{} } // taken only once the last check is over
	// From here on no state the checks can see is stale.
	db.set("", errors.New("connection refused"))
	tick()
	tick()
	db.set("v1", nil)
	tick()
	tick()
	if n := len(rebuilds); n != 0 {
		t.Errorf("%d rebuilds asked while down or current", n)
	}
	cancel()
	<-done
}

func TestBackoffSpacesFailedRebuilds(t *testing.T) {
	b := graph.Backoff{Gap: 30 * time.Second, Max: 30 * time.Minute}
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	job := func(state string, endedAgo time.Duration) vrrec.Job {
		return vrrec.Job{State: state, FinishedAt: now.Add(-endedAgo)}
	}
	for _, c := range []struct {
		name     string
		rebuilds []vrrec.Job // newest first
		due      bool
		failed   int
	}{
		{"none before", nil, true, 0},
		{"last completed", []vrrec.Job{job(vrrec.JobCompleted, time.Second)}, true, 0},
		{"one running", []vrrec.Job{{State: vrrec.JobRunning}}, false, 0},
		{"one failed 10 s ago", []vrrec.Job{job(vrrec.JobFailed, 10*time.Second)}, false, 1},
		{"one failed 30 s ago", []vrrec.Job{job(vrrec.JobFailed, 30*time.Second)}, true, 1},
		{"three failed, 1 min ago", []vrrec.Job{job(vrrec.JobFailed, time.Minute), job(vrrec.JobCancelled, 5*time.Minute), job(vrrec.JobInterrupted, 9*time.Minute)}, false, 3},
		{"three failed, 2 min ago", []vrrec.Job{job(vrrec.JobFailed, 2*time.Minute), job(vrrec.JobFailed, 5*time.Minute), job(vrrec.JobFailed, 9*time.Minute)}, true, 3},
		{"failures before a success do not count", []vrrec.Job{job(vrrec.JobFailed, 40*time.Second), job(vrrec.JobCompleted, time.Hour), job(vrrec.JobFailed, 2*time.Hour)}, true, 1},
		{"the gap stops growing at Max", repeat(job(vrrec.JobFailed, 31*time.Minute), 40), true, 40},
		{"under Max after many", repeat(job(vrrec.JobFailed, 29*time.Minute), 40), false, 40},
	} {
		due, failed := b.Due(c.rebuilds, now)
		if due != c.due || failed != c.failed {
			t.Errorf("%s: due %v after %d failed, want %v after %d", c.name, due, failed, c.due, c.failed)
		}
	}
}

func repeat(j vrrec.Job, n int) []vrrec.Job {
	out := make([]vrrec.Job, n)
	for i := range out {
		out[i] = j
	}
	return out
}
