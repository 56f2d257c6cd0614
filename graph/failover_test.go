package graph_test

import (
	"context"
	"errors"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vrrec/vrrec/internal/fixture"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/graph"
	"github.com/vrrec/vrrec/graph/graphtest"
)

// breakable is a graph whose calls can be made to fail, as a database's do
// when it goes away; the real outage is tested against Neo4j itself.
type breakable struct {
	vrrec.Graph
	broken atomic.Bool
	calls  atomic.Int32
}

var errGone = errors.New("connection refused")

func (b *breakable) AppsDeveloping(ctx context.Context, skills []string) ([]vrrec.Edge, error) {
	b.calls.Add(1)
	if b.broken.Load() {
		return nil, errGone
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return b.Graph.AppsDeveloping(ctx, skills)
}

// The failover passes the whole graph contract whether the primary is up
// or down.
func TestFailoverContract(t *testing.T) {
	for _, broken := range []bool{false, true} {
		graphtest.Run(t, func(t *testing.T, cat *vrrec.Catalog) vrrec.Graph {
			p := &breakable{Graph: graph.New(cat)}
			p.broken.Store(broken)
			h := graph.NewHealth(nil)
			h.Up("v1")
			return &graph.Failover{Primary: p, Fallback: graph.New(cat), Health: h, Version: "v1"}
		})
	}
}

func TestFailoverSwitchesAndComesBack(t *testing.T) {
	ctx := context.Background()
	cat := fixture.Small()
	primary := &breakable{Graph: graph.New(cat)}
	var changes []bool
	h := graph.NewHealth(func(up bool, err error) { changes = append(changes, up) })
	f := &graph.Failover{Primary: primary, Fallback: graph.New(cat), Health: h, Version: "v1"}

	// Down until someone says it is up: the fallback answers, the primary is not asked.
	want, _ := graph.New(cat).AppsDeveloping(ctx, []string{"Teamwork"})
	if got, err := f.AppsDeveloping(ctx, []string{"Teamwork"}); err != nil || !reflect.DeepEqual(got, want) || primary.calls.Load() != 0 {
		t.Fatalf("before Up: %v %v, primary asked %d times", got, err, primary.calls.Load())
	}
	// Up, but holding another catalog: still the fallback.
	h.Up("v0")
	if _, err := f.AppsDeveloping(ctx, []string{"Teamwork"}); err != nil || primary.calls.Load() != 0 {
		t.Fatalf("a database holding another catalog was asked: %v, %d calls", err, primary.calls.Load())
	}
	h.Up("v1")
	if _, err := f.AppsDeveloping(ctx, []string{"Teamwork"}); err != nil || primary.calls.Load() != 1 {
		t.Fatalf("after Up the primary must answer: %v, %d calls", err, primary.calls.Load())
	}
	primary.broken.Store(true)
	got, err := f.AppsDeveloping(ctx, []string{"Teamwork"})
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("the failing primary's answer: %v, %v; want the fallback's", got, err)
	}
	if up, _, err := h.State(); up || !errors.Is(err, errGone) {
		t.Errorf("health after a failure: %v, %v", up, err)
	}
	f.AppsDeveloping(ctx, []string{"Teamwork"})
	if primary.calls.Load() != 2 {
		t.Errorf("a down primary was asked again: %d calls", primary.calls.Load())
	}
	primary.broken.Store(false)
	h.Up("v1")
	f.AppsDeveloping(ctx, []string{"Teamwork"})
	if primary.calls.Load() != 3 {
		t.Errorf("the primary back up was not asked: %d calls", primary.calls.Load())
	}
	// A build rewriting the database: the fallback answers meanwhile.
	h.Hold("")
	f.AppsDeveloping(ctx, []string{"Teamwork"})
	if primary.calls.Load() != 3 {
		t.Errorf("the primary was asked while a build rewrote it: %d calls", primary.calls.Load())
	}
	h.Down(errGone)
	h.Hold("v1")
	if up, _, _ := h.State(); up {
		t.Error("Hold brought a database that is down back up")
	}
	if !reflect.DeepEqual(changes, []bool{true, false, true, false}) {
		t.Errorf("changes reported: %v", changes)
	}
}

// A student who leaves cancels the request: that is not an outage.
func TestFailoverIgnoresCancelledRequests(t *testing.T) {
	cat := fixture.Small()
	h := graph.NewHealth(nil)
	h.Up("v1")
	f := &graph.Failover{Primary: &breakable{Graph: graph.New(cat)}, Fallback: graph.New(cat), Health: h, Version: "v1"}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.AppsDeveloping(ctx, []string{"Teamwork"}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled request: %v", err)
	}
	if up, _, _ := h.State(); !up {
		t.Error("a cancelled request marked the database down")
	}
}

// hanging is a database graph that never answers: every question waits
// for its context.
type hanging struct{ vrrec.Graph }

func (hanging) AppsDeveloping(ctx context.Context, _ []string) ([]vrrec.Edge, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// A database that stops answering is taken for down after QueryTimeout, and
// the question is answered from the fallback, within the caller's time.
func TestFailoverAnswersWhenTheDatabaseHangs(t *testing.T) {
	cat := fixture.Small()
	h := graph.NewHealth(nil)
	h.Up("v1")
	f := &graph.Failover{Primary: hanging{graph.New(cat)}, Fallback: graph.New(cat), Health: h, Version: "v1", QueryTimeout: 50 * time.Millisecond}
	start := time.Now()
	edges, err := f.AppsDeveloping(context.Background(), []string{"Teamwork"})
	if err != nil || len(edges) == 0 {
		t.Fatalf("with the database hanging: %v, %v", edges, err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("answered after %s; the query timeout is 50 ms", took)
	}
	if up, _, _ := h.State(); up {
		t.Error("a database that does not answer is still taken for up")
	}
}
