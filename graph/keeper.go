package graph

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vrrec/vrrec"
)

// Database is a knowledge graph kept in a database (Neo4j) rather than
// built in memory: retrieval asks it, the service writes the catalog into
// it.
type Database interface {
	vrrec.Graph
	// BuiltVersion is the catalog version the database holds completely;
	// "" for none. An error means it cannot be reached.
	BuiltVersion(ctx context.Context) (string, error)
	Stats(ctx context.Context) (vrrec.GraphStats, error)
}

// Keeper keeps a Database in step with the served catalog: it checks the
// database, says when it needs a rebuild, keeps the shared Health, and
// explains why retrieval answers from memory when it does. With a nil DB
// (the in-memory backend) the graph is always the in-memory one.
type Keeper struct {
	DB     Database
	Name   string // the database's name in messages, such as "Neo4j"
	Health *Health
}

// NewKeeper returns a keeper of db, called name in messages; onChange is
// told when db goes up or down (for logs).
func NewKeeper(db Database, name string, onChange func(up bool, err error)) *Keeper {
	return &Keeper{DB: db, Name: name, Health: NewHealth(onChange)}
}

// For returns the graph an engine over cat (of version) asks: the database,
// with cat's in-memory graph answering whenever the database is down or
// holds another version.
func (k *Keeper) For(cat *vrrec.Catalog, version string) vrrec.Graph {
	mem := New(cat)
	if k.DB == nil {
		return mem
	}
	return &Failover{Primary: k.DB, Fallback: mem, Health: k.Health, Version: version}
}

// Build runs write, which writes version into the database; while it runs
// the database holds no whole catalog and retrieval answers from memory.
// Callers hold the job lock, so two builds never interleave.
func (k *Keeper) Build(ctx context.Context, version string, write func(context.Context) error) error {
	if k.DB == nil {
		return nil
	}
	k.Health.Hold("")
	if err := write(ctx); err != nil {
		k.Health.Down(err)
		return fmt.Errorf("build the %s graph: %w", k.Name, err)
	}
	k.Health.Up(version)
	return nil
}

// ErrStale says the database answers but holds another catalog version.
var ErrStale = errors.New("the graph database holds another catalog version")

// CheckTimeout bounds one Check.
const CheckTimeout = 5 * time.Second

// Check asks the database which catalog it holds: nil when it holds
// version (Health goes up), ErrStale when it needs a rebuild (Health goes
// up with what it holds, so engines of that version use it), another error
// when it cannot be reached (Health goes down).
func (k *Keeper) Check(ctx context.Context, version string) error {
	ctx, cancel := context.WithTimeout(ctx, CheckTimeout)
	defer cancel()
	held, err := k.DB.BuiltVersion(ctx)
	if err != nil {
		k.Health.Down(err)
		return err
	}
	k.Health.Up(held)
	if held != version {
		return fmt.Errorf("%w (%q, serving %q)", ErrStale, held, version)
	}
	return nil
}

// Watch checks the database at once and at every tick until ctx ends;
// when it answers but holds another version than served (it came back
// empty, or this instance loaded a newer catalog first) it asks rebuild,
// which should run as a job so instances never build at once.
func (k *Keeper) Watch(ctx context.Context, ticks <-chan time.Time, served func() string, rebuild func(ctx context.Context, reason string)) {
	if k.DB == nil {
		return
	}
	for {
		if err := k.Check(ctx, served()); errors.Is(err, ErrStale) {
			rebuild(ctx, err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-ticks:
		}
	}
}

// Problem says why retrieval answers from memory rather than the database
// for the served catalog version; nil when the database answers (or none
// is used).
func (k *Keeper) Problem(served string) error {
	if k.DB == nil {
		return nil
	}
	up, held, err := k.Health.State()
	switch {
	case up && held == served:
		return nil
	case up && held == "":
		return fmt.Errorf("%s holds no complete catalog yet (a build is running); answering from the in-memory graph", k.Name)
	case up:
		return fmt.Errorf("%s holds catalog %s, not the served %s; answering from the in-memory graph until it is rebuilt", k.Name, held, served)
	default:
		return fmt.Errorf("%s unavailable, answering from the in-memory graph: %w", k.Name, err)
	}
}

// Stats are the graph's statistics: the database's own while it serves
// the catalog, else those of cat's in-memory graph (the same numbers).
func (k *Keeper) Stats(ctx context.Context, cat *vrrec.Catalog, served string) vrrec.GraphStats {
	if k.DB != nil && k.Problem(served) == nil {
		if st, err := k.DB.Stats(ctx); err == nil {
			return st
		}
	}
	return StatsOf(cat)
}

// Backoff spaces automatic rebuilds, read from the job history so every
// instance agrees: after n automatic rebuilds in a row that failed or were
// cancelled, the next waits Gap·2ⁿ⁻¹ (at most Max) after the last one
// ended. A build that keeps failing neither fills the history nor undoes a
// staff cancel at once.
type Backoff struct {
	Gap, Max time.Duration
}

// Due reports whether another automatic rebuild may start at now, given
// the earlier automatic rebuilds newest first, and how many of them failed
// in a row since the last that completed. None starts while one runs.
func (b Backoff) Due(rebuilds []vrrec.Job, now time.Time) (due bool, failed int) {
	var lastEnd time.Time
	for _, j := range rebuilds {
		if j.State == vrrec.JobRunning {
			return false, failed
		}
		if lastEnd.IsZero() {
			lastEnd = j.FinishedAt
		}
		if j.State == vrrec.JobCompleted {
			break
		}
		failed++
	}
	if failed == 0 {
		return true, 0
	}
	gap := min(b.Gap<<min(failed-1, 16), b.Max)
	return now.Sub(lastEnd) >= gap, failed
}
