package neo4j_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/graph/graphtest"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/neo4j"
)

// Tests in this package share one Neo4j server and its one database
// (Community edition has no other), so none of them runs in parallel.

// openShared connects to the test binary's shared server.
func openShared(t testing.TB) *neo4j.Graph {
	t.Helper()
	srv := testenv.SharedNeo4j(t)
	ctx := context.Background()
	g, err := neo4j.Open(ctx, neo4j.Config{URI: srv.URI})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := g.Close(ctx); err != nil {
			t.Error(err)
		}
	})
	return g
}

// buildShared replaces whatever the shared server holds with cat's graph.
func buildShared(t testing.TB, cat *vrrec.Catalog) *neo4j.Graph {
	t.Helper()
	g := openShared(t)
	if err := g.Build(context.Background(), cat, neo4j.BuildOptions{Clear: true}); err != nil {
		t.Fatal(err)
	}
	return g
}

func TestContract(t *testing.T) {
	graphtest.Run(t, func(t *testing.T, cat *vrrec.Catalog) vrrec.Graph { return buildShared(t, cat) })
}

func TestPing(t *testing.T) {
	if err := openShared(t).Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestUnreachableFailsFast(t *testing.T) {
	// A port nothing listens on: refused at once.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "bolt://" + ln.Addr().String()
	ln.Close()
	// A listener that accepts but never answers the Bolt handshake: only a
	// timeout ends the wait.
	silent := silentListener(t)
	for _, uri := range []string{refused, silent} {
		start := time.Now()
		g, err := neo4j.Open(context.Background(), neo4j.Config{URI: uri, ConnectTimeout: 500 * time.Millisecond})
		took := time.Since(start)
		if err == nil {
			g.Close(context.Background())
			t.Fatalf("Open(%s) succeeded", uri)
		}
		if !strings.HasPrefix(err.Error(), "neo4j: ping") {
			t.Errorf("Open(%s) error %q does not say what failed", uri, err)
		}
		if took > 5*time.Second {
			t.Errorf("Open(%s) took %s to fail", uri, took)
		}
	}
}

func TestOpenHonoursContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	silent := silentListener(t)
	start := time.Now()
	_, err := neo4j.Open(ctx, neo4j.Config{URI: silent, ConnectTimeout: time.Minute})
	if err == nil {
		t.Fatal("Open succeeded against a silent listener")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Open ignored its context: failed after %s", took)
	}
}

func TestNewRejectsBadURI(t *testing.T) {
	if _, err := neo4j.New(neo4j.Config{URI: "http://localhost:7474"}); err == nil {
		t.Error("an http:// URI was accepted")
	}
}

// silentListener returns the bolt:// URI of a listener that accepts
// connections and never says a word, as a hung server would.
func silentListener(t *testing.T) string { return "bolt://" + testenv.SilentListener(t) }
