package graph

import (
	"context"
	"errors"
	"sync"

	"github.com/vrrec/vrrec"
)

// Health is whether a database-backed graph answers. Every Failover over
// the same database shares one, so a failure seen by any request sends the
// others to the fallback at once, and whoever sees the database back (the
// server's recovery loop) returns them all.
type Health struct {
	mu       sync.Mutex
	up       bool
	err      error
	onChange func(up bool, err error)
}

// NewHealth starts down: nothing is known to answer until Up is called.
// onChange, when set, is told about every change (for logs and metrics).
func NewHealth(onChange func(up bool, err error)) *Health {
	return &Health{err: errors.New("not connected yet"), onChange: onChange}
}

// Up records that the database answers and holds the served catalog.
func (h *Health) Up() {
	h.mu.Lock()
	changed := !h.up
	h.up, h.err = true, nil
	h.mu.Unlock()
	if changed && h.onChange != nil {
		h.onChange(true, nil)
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

// State returns whether the database is up, and the last error when not.
func (h *Health) State() (bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.up, h.err
}

// Failover asks Primary while Health says it is up and answers from
// Fallback (the in-memory graph of the same catalog) otherwise, so a
// database outage degrades nothing a student sees. A Primary error marks
// Health down; a request cancelled by its caller does not.
type Failover struct {
	Primary  vrrec.Graph
	Fallback vrrec.Graph
	Health   *Health
}

var _ vrrec.Graph = (*Failover)(nil)

func ask[T any](ctx context.Context, f *Failover, q func(vrrec.Graph) (T, error)) (T, error) {
	if up, _ := f.Health.State(); up {
		v, err := q(f.Primary)
		if err == nil {
			return v, nil
		}
		if ctx.Err() != nil {
			return v, err
		}
		f.Health.Down(err)
	}
	return q(f.Fallback)
}

// AppsDeveloping implements vrrec.Graph.
func (f *Failover) AppsDeveloping(ctx context.Context, skills []string) ([]vrrec.Edge, error) {
	return ask(ctx, f, func(g vrrec.Graph) ([]vrrec.Edge, error) { return g.AppsDeveloping(ctx, skills) })
}

// SkillsTaughtBy implements vrrec.Graph.
func (f *Failover) SkillsTaughtBy(ctx context.Context, courseIDs []string) ([]vrrec.Edge, error) {
	return ask(ctx, f, func(g vrrec.Graph) ([]vrrec.Edge, error) { return g.SkillsTaughtBy(ctx, courseIDs) })
}

// CoursesTeaching implements vrrec.Graph.
func (f *Failover) CoursesTeaching(ctx context.Context, skills []string) ([]vrrec.Edge, error) {
	return ask(ctx, f, func(g vrrec.Graph) ([]vrrec.Edge, error) { return g.CoursesTeaching(ctx, skills) })
}

// ActiveSkills implements vrrec.Graph.
func (f *Failover) ActiveSkills(ctx context.Context) ([]string, error) {
	return ask(ctx, f, func(g vrrec.Graph) ([]string, error) { return g.ActiveSkills(ctx) })
}
