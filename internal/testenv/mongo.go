package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Mongo is a MongoDB-wire server for one test: the real MongoDB named by
// MONGODB_TEST_URI when set, otherwise FerretDB (SQLite backend) running
// inside the test process. Each test gets its own database name.
type Mongo struct {
	URI      string
	Database string
	Embedded bool // FerretDB in process: Stop and Start work

	t      testing.TB
	addr   string
	dir    string
	cancel context.CancelFunc
	done   chan error
}

// StartMongo returns a running server.
func StartMongo(t testing.TB) *Mongo {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	m := &Mongo{t: t, Database: "vrrec_test_" + hex.EncodeToString(b[:])}
	if uri := os.Getenv("MONGODB_TEST_URI"); uri != "" {
		m.URI = uri
		return m
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m.addr = ln.Addr().String()
	ln.Close()
	m.dir = t.TempDir()
	m.URI = "mongodb://" + m.addr + "/"
	m.Embedded = true
	m.Start()
	t.Cleanup(m.Stop)
	return m
}

// Start (re)starts the embedded server on its address and data directory.
func (m *Mongo) Start() {
	m.t.Helper()
	if !m.Embedded {
		m.t.Fatal("cannot start a server this test did not start")
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: m.addr},
		Handler:   "sqlite",
		SQLiteURL: "file:" + m.dir + "/",
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		m.t.Fatalf("start FerretDB: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel, m.done = cancel, make(chan error, 1)
	go func() { m.done <- f.Run(ctx) }()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", m.addr, 100*time.Millisecond); err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	m.t.Fatalf("FerretDB did not listen on %s", m.addr)
}

// Stop stops the embedded server, as an outage would.
func (m *Mongo) Stop() {
	if m.cancel == nil {
		return
	}
	m.cancel()
	select {
	case <-m.done:
	case <-time.After(15 * time.Second):
		m.t.Errorf("FerretDB did not stop")
	}
	m.cancel = nil
	// Wait until the port is free for a restart.
	for i := 0; i < 100; i++ {
		c, err := net.DialTimeout("tcp", m.addr, 50*time.Millisecond)
		if err != nil {
			return
		}
		c.Close()
		time.Sleep(20 * time.Millisecond)
	}
	fmt.Fprintln(os.Stderr, "FerretDB port still answering after stop")
}
