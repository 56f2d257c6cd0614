// Package neo4j keeps the knowledge graph in Neo4j 5, through the official Go
// driver: (Course)-[:TEACHES]->(Skill)<-[:DEVELOPS]-(VRApp), built from a
// catalog (Build) and queried in Cypher behind vrrec.Graph with the same
// answers, in the same order, as the in-memory graph.Memory. Staff can
// explore the same graph in the Neo4j Browser.
//
// Skill names are resolved as graph.Memory resolves them: every
// vrrec.SkillKey of a canonical name or alias is a (:SkillKey {key}) node
// with a RESOLVES_TO relationship to its canonical (:Skill), written from
// vrrec.SkillKeys, and queries look keys up there.
package neo4j

import (
	"context"
	"errors"
	"fmt"
	"time"

	neo4jdriver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/config"

	"github.com/vrrec/vrrec"
)

// Config says where the graph lives. The zero value of a field selects its
// default.
type Config struct {
	URI      string // bolt://host:7687 or neo4j://host:7687 (routing)
	User     string // empty: no authentication
	Password string
	Database string // empty: the server's default database
	// ConnectTimeout bounds opening one connection, so an unreachable server
	// is reported instead of waited for; default 5 s.
	ConnectTimeout time.Duration
	// RetryTime bounds how long a failed transaction is retried, for
	// transient errors such as a leader switch; default 5 s. Negative: no
	// retries, so a caller that falls back to another graph learns of an
	// outage at once. A context deadline also ends retries.
	RetryTime time.Duration
}

const (
	defaultConnectTimeout = 5 * time.Second
	defaultRetryTime      = 5 * time.Second
)

// Graph is the knowledge graph in Neo4j. It is safe for concurrent use; its
// methods fail (wrapped driver errors) when the server cannot be reached.
type Graph struct {
	driver   neo4jdriver.DriverWithContext
	database string
}

var _ vrrec.Graph = (*Graph)(nil)

// New prepares a Graph without contacting the server, so a service can
// start while Neo4j is down and use it once Ping succeeds. The error is
// non-nil only for an invalid URI or configuration.
func New(cfg Config) (*Graph, error) {
	auth := neo4jdriver.NoAuth()
	if cfg.User != "" {
		auth = neo4jdriver.BasicAuth(cfg.User, cfg.Password, "")
	}
	connect, retry := cfg.ConnectTimeout, cfg.RetryTime
	if connect <= 0 {
		connect = defaultConnectTimeout
	}
	switch {
	case retry == 0:
		retry = defaultRetryTime
	case retry < 0:
		retry = 0 // the driver's "try once"
	}
	d, err := neo4jdriver.NewDriverWithContext(cfg.URI, auth, func(c *config.Config) {
		c.SocketConnectTimeout = connect
		// A full pool or a server that accepts but never answers the
		// handshake must not hang a caller without a deadline either.
		c.ConnectionAcquisitionTimeout = 2 * connect
		c.MaxTransactionRetryTime = retry
		c.MaxConnectionPoolSize = 50
		c.TelemetryDisabled = true
	})
	if err != nil {
		return nil, fmt.Errorf("neo4j: %w", err)
	}
	return &Graph{driver: d, database: cfg.Database}, nil
}

// Open is New followed by Ping: it fails, within about ConnectTimeout, when
// the server cannot be reached or the database cannot be queried.
func Open(ctx context.Context, cfg Config) (*Graph, error) {
	g, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if err := g.Ping(ctx); err != nil {
		return nil, errors.Join(err, g.Close(ctx))
	}
	return g, nil
}

// Close releases the driver's connections.
func (g *Graph) Close(ctx context.Context) error {
	if err := g.driver.Close(ctx); err != nil {
		return fmt.Errorf("neo4j: close: %w", err)
	}
	return nil
}

// Ping runs a trivial query on the database, once and without retries, for
// health checks: nil means the graph can be queried now.
func (g *Graph) Ping(ctx context.Context) error {
	s := g.driver.NewSession(ctx, neo4jdriver.SessionConfig{DatabaseName: g.database, AccessMode: neo4jdriver.AccessModeRead})
	defer s.Close(ctx)
	res, err := s.Run(ctx, "RETURN 1", nil)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	if err != nil {
		return fmt.Errorf("neo4j: ping %s: %w", g.target(), err)
	}
	return nil
}

func (g *Graph) target() string {
	if g.database == "" {
		return "default database"
	}
	return "database " + g.database
}

// read runs one read-only query in a managed transaction (retried as
// Config.RetryTime allows) and returns all its records.
func (g *Graph) read(ctx context.Context, cypher string, params map[string]any) ([]*neo4jdriver.Record, error) {
	res, err := neo4jdriver.ExecuteQuery(ctx, g.driver, cypher, params, neo4jdriver.EagerResultTransformer,
		neo4jdriver.ExecuteQueryWithDatabase(g.database), neo4jdriver.ExecuteQueryWithReadersRouting())
	if err != nil {
		return nil, err
	}
	return res.Records, nil
}

// write runs one statement in its own write transaction and returns its
// records.
func (g *Graph) write(ctx context.Context, cypher string, params map[string]any) ([]*neo4jdriver.Record, error) {
	res, err := neo4jdriver.ExecuteQuery(ctx, g.driver, cypher, params, neo4jdriver.EagerResultTransformer,
		neo4jdriver.ExecuteQueryWithDatabase(g.database), neo4jdriver.ExecuteQueryWithWritersRouting())
	if err != nil {
		return nil, err
	}
	return res.Records, nil
}
