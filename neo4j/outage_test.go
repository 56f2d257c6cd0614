package neo4j_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/vrrec/vrrec/internal/fixture"

	"github.com/vrrec/vrrec/graph"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/neo4j"
)

// A Graph outlives an outage of its server: queries fail promptly while
// Neo4j is down, and the same Graph answers again, from the same data, once
// it is back.
func TestOutageAndRecovery(t *testing.T) {
	ctx := context.Background()
	srv := testenv.StartNeo4j(t)
	g, err := neo4j.Open(ctx, neo4j.Config{URI: srv.URI, RetryTime: -1, ConnectTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close(ctx)
	cat := fixture.Small()
	if err := g.Build(ctx, cat, neo4j.BuildOptions{Version: "before the outage"}); err != nil {
		t.Fatal(err)
	}
	want, _ := graph.New(cat).AppsDeveloping(ctx, []string{"Teamwork", "python"})

	srv.Stop()
	start := time.Now()
	if _, err := g.AppsDeveloping(ctx, []string{"Teamwork"}); err == nil {
		t.Fatal("a query succeeded with Neo4j stopped")
	}
	if err := g.Ping(ctx); err == nil {
		t.Fatal("Ping succeeded with Neo4j stopped")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("failing while Neo4j was down took %s", took)
	}

	srv.Restart()
	if err := g.Ping(ctx); err != nil {
		t.Fatalf("Ping after the restart: %v", err)
	}
	got, err := g.AppsDeveloping(ctx, []string{"Teamwork", "python"})
	if err != nil {
		t.Fatalf("query after the restart: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after the restart got %+v, want %+v", got, want)
	}
	if v, err := g.BuiltVersion(ctx); err != nil || v != "before the outage" {
		t.Errorf("BuiltVersion after the restart = %q, %v; the data should have survived", v, err)
	}
}
