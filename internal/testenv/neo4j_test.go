package testenv_test

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/vrrec/vrrec/internal/testenv"
)

func TestNeo4jStopAndRestartOnTheSamePort(t *testing.T) {
	n := testenv.StartNeo4j(t)
	if !strings.HasPrefix(n.URI, "bolt://127.0.0.1:") {
		t.Fatalf("URI %q", n.URI)
	}
	addr := strings.TrimPrefix(n.URI, "bolt://")
	if !listening(addr) {
		t.Fatal("Bolt port not open after start")
	}
	uri := n.URI
	n.Stop()
	if listening(addr) {
		t.Fatal("Bolt port still open after Stop")
	}
	n.Restart()
	if n.URI != uri || !listening(addr) {
		t.Fatalf("after Restart URI %q (was %q), listening %v", n.URI, uri, listening(addr))
	}
}

func TestSharedNeo4jCannotBeStopped(t *testing.T) {
	n := testenv.SharedNeo4j(t)
	if again := testenv.SharedNeo4j(t); again != n {
		t.Fatal("SharedNeo4j started a second server")
	}
	defer func() {
		if recover() == nil {
			t.Error("Stop on the shared server did not panic")
		}
		if !listening(strings.TrimPrefix(n.URI, "bolt://")) {
			t.Error("the shared server stopped")
		}
	}()
	n.Stop()
}

func listening(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
