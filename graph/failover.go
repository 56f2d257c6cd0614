package graph

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/vrrec/vrrec"
)

// Health is whether a database-backed graph answers. Every Failover over
// the same database shares one, so a failure seen by any request sends the
// others to the fallback at once, and whoever sees the database back (the
// server's recovery loop) returns them all.
type Health struct {
	mu       sync.Mutex
	up       bool
	version  string // the catalog version the database holds
	err      error
	onChange func(up bool, err error)
}

// NewHealth starts down: nothing is known to answer until Up is called.
// onChange, when set, is told about every change (for logs and metrics).
func NewHealth(onChange func(up bool, err error)) *Health {
	return &Health{err: errors.New("not connected yet"), onChange: onChange}
}

// Up records that the database answers and holds the catalog version.
func (h *Health) Up(version string) {
	h.mu.Lock()
	changed := !h.up
	h.up, h.version, h.err = true, version, nil
	h.mu.Unlock()
	if changed && h.onChange != nil {
		h.onChange(true, nil)
	}
}

// Hold records that the database, if up, holds version now (for example
// "" while a build rewrites it); a database that is down stays down.
func (h *Health) Hold(version string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.up {
		h.version = version
	}
}

// Down records that the database failed.
func (h *Health) Down(err error) {
	h.mu.Lock()
	changed := h.up
	h.up, h.err = false, err
	h.mu.Unlock()
	if changed && h.onChange != nil {
		h.onChange(false, err)
	}
}

// State returns whether the database is up, the catalog version it holds,
// and the last error when it is down.
func (h *Health) State() (up bool, version string, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.up, h.version, h.err
}

// Failover asks Primary while Health says it is up and holds Version (the
// catalog Fallback was built from), and answers from Fallback (the
// in-memory graph of that catalog) otherwise: a database outage, or a
// database still holding another catalog, changes nothing a student sees.
// A Primary error marks Health down; a request cancelled by its caller
// does not. Unlike the other fallbacks (the Redis cache, the rate-limit
// store, the LLM), which use sony/gobreaker, this one is not a per-call
// breaker: whether Neo4j is asked depends on Health, which a prober and
// the graph rebuilds keep, because a database that answers but still holds
// another catalog's graph must not be asked either.
type Failover struct {
	Primary  vrrec.Graph
	Fallback vrrec.Graph
	Health   *Health
	Version  string
	// QueryTimeout bounds each question to Primary (default 2 s): a
	// database that stops answering is taken for down, and the student is
	// answered from Fallback instead of waiting.
	QueryTimeout time.Duration
}

// DefaultQueryTimeout bounds a graph question to a database by default.
const DefaultQueryTimeout = 2 * time.Second

var _ vrrec.Graph = (*Failover)(nil)

func ask[T any](ctx context.Context, f *Failover, q func(context.Context, vrrec.Graph) (T, error)) (T, error) {
	if up, version, _ := f.Health.State(); up && version == f.Version {
		timeout := f.QueryTimeout
		if timeout <= 0 {
			timeout = DefaultQueryTimeout
		}
		qctx, cancel := context.WithTimeout(ctx, timeout)
		v, err := q(qctx, f.Primary)
		cancel()
		if err == nil {
			return v, nil
		}
		if ctx.Err() != nil {
			return v, err
		}
		f.Health.Down(err)
	}
	return q(ctx, f.Fallback)
}

// AppsDeveloping implements vrrec.Graph.
func (f *Failover) AppsDeveloping(ctx context.Context, skills []string) ([]vrrec.Edge, error) {
	return ask(ctx, f, func(ctx context.Context, g vrrec.Graph) ([]vrrec.Edge, error) { return g.AppsDeveloping(ctx, skills) })
}

// SkillsTaughtBy implements vrrec.Graph.
func (f *Failover) SkillsTaughtBy(ctx context.Context, courseIDs []string) ([]vrrec.Edge, error) {
	return ask(ctx, f, func(ctx context.Context, g vrrec.Graph) ([]vrrec.Edge, error) {
		return g.SkillsTaughtBy(ctx, courseIDs)
	})
}

// CoursesTeaching implements vrrec.Graph.
func (f *Failover) CoursesTeaching(ctx context.Context, skills []string) ([]vrrec.Edge, error) {
	return ask(ctx, f, func(ctx context.Context, g vrrec.Graph) ([]vrrec.Edge, error) { return g.CoursesTeaching(ctx, skills) })
}

// ActiveSkills implements vrrec.Graph.
func (f *Failover) ActiveSkills(ctx context.Context) ([]string, error) {
	return ask(ctx, f, func(ctx context.Context, g vrrec.Graph) ([]string, error) { return g.ActiveSkills(ctx) })
}
