package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/sqlite"
)

// TestSIGKILLLosesNoAnsweredChat builds the real `vrrec serve`, runs it on
// one DATA_DIR with the default SQLite database, has eight clients chat with
// it as fast as they can, and kills it with SIGKILL at 20 random moments,
// restarting it each time. Every request carries a session id of its own,
// so a 200 answer names exactly one interaction. After a last start and a
// graceful stop, the database must hold every interaction whose answer a
// client received, exactly once.
func TestSIGKILLLosesNoAnsweredChat(t *testing.T) {
	if testing.Short() {
		t.Skip("builds vrrec, then kills and restarts `vrrec serve` 20 times")
	}
	bin := vrrecBinary(t)
	dataDir := t.TempDir()
	var (
		mu       sync.Mutex
		answered = map[string]bool{} // session ids of chats answered 200
		logs     bytes.Buffer        // the children's stderr, shown on failure
	)
	start := func() (*exec.Cmd, string) {
		t.Helper()
		port := freePort(t)
		cmd := exec.Command(bin, "serve")
		cmd.Env = append(os.Environ(), "DATA_DIR="+dataDir, "PORT="+port,
			// Limits out of the way (the per-IP ones, too, where they exist).
			"RATE_LIMIT_DEFAULT=1000000000/day", "RATE_LIMIT_CHAT=1000000000/minute", "MAX_CONCURRENT_CHATS=64",
			"RATE_LIMIT_IP_DEFAULT=1000000000/day", "RATE_LIMIT_IP_CHAT=1000000000/minute",
			"SECRET_KEY=kill-test-secret-key-0123456789abcdef", "LOG_LEVEL=warn", "METRICS_ADDR=",
			"MONGODB_URI=", "REDIS_URL=", "OPENROUTER_API_KEY=", "LLM_API_KEY=", "LLM_BASE_URL=", "GRAPH_BACKEND=memory", "EMBEDDER=local", "MODEL_DIR=")
		cmd.Stdout = io.Discard
		cmd.Stderr = &lockedWriter{mu: &mu, w: &logs}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill() }) // when the test fails before it stops it
		base := "http://127.0.0.1:" + port
		deadline := time.Now().Add(30 * time.Second)
		for {
			res, err := http.Get(base + "/ready")
			if err == nil {
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					return cmd, base
				}
			}
			if time.Now().After(deadline) {
				mu.Lock()
				defer mu.Unlock()
				t.Fatalf("vrrec serve did not become ready; logs:\n%s", logs.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	began := time.Now()
	sent := 0
	for round := range 20 {
		cmd, base := start()
		ctx, cancel := context.WithCancel(context.Background())
		first := make(chan struct{})
		var once sync.Once
		var wg sync.WaitGroup
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}, Timeout: 10 * time.Second}
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ctx.Err() == nil; i++ {
					session := fmt.Sprintf("kill-r%02d-g%d-%05d", round, g, i)
					body := fmt.Sprintf(`{"message":"%s question %d","session_id":%q}`, topicsForKillTest[(g+i)%len(topicsForKillTest)], i, session)
					if answeredChat(ctx, client, base, body, session) {
						mu.Lock()
						answered[session] = true
						mu.Unlock()
						once.Do(func() { close(first) })
					}
				}
			}()
		}
		// Kill at a random moment while chats are being answered.
		select {
		case <-first:
		case <-time.After(20 * time.Second):
			t.Fatalf("round %d: no chat answered", round)
		}
		time.Sleep(time.Duration(20+rand.IntN(400)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		cancel()
		wg.Wait()
		client.CloseIdleConnections()
		sent++
	}

	// A last start replays what the killed processes left; a graceful stop
	// lets it finish.
	cmd, _ := start()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("graceful stop: %v", err)
	}

	db, err := sqlite.Open(context.Background(), filepath.Join(dataDir, "vrrec.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stored, total, err := db.Interactions(context.Background(), vrrec.InteractionFilter{Limit: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != total {
		t.Fatalf("read %d of %d interactions", len(stored), total)
	}
	times := map[string]int{}
	for _, it := range stored {
		times[it.SessionID]++
	}
	lost, twice := 0, 0
	for s := range answered {
		switch n := times[s]; {
		case n == 0:
			lost++
			if lost <= 5 {
				t.Errorf("answered chat %s is not stored", s)
			}
		case n > 1:
			twice++
			t.Errorf("answered chat %s stored %d times", s, n)
		}
	}
	t.Logf("%d kills in %s: %d chats answered, %d interactions stored, %d answered ones lost, %d stored twice",
		sent, time.Since(began).Round(time.Millisecond), len(answered), total, lost, twice)
	if lost > 0 {
		t.Errorf("%d of %d answered chats lost", lost, len(answered))
	}
	if len(answered) < 100 {
		t.Errorf("only %d chats answered: too few to tell", len(answered))
	}
	if t.Failed() {
		mu.Lock()
		defer mu.Unlock()
		t.Logf("children's logs (tail):\n%s", tail(logs.String(), 4000))
	}
}

var topicsForKillTest = []string{"anatomy", "public speaking", "astronomy", "learn Spanish", "cybersecurity", "chemistry", "history", "teamwork"}

// answeredChat posts one chat and reports whether a complete 200 answer
// for this session came back.
func answeredChat(ctx context.Context, client *http.Client, base, body, session string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/chat", bytes.NewReader([]byte(body)))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			time.Sleep(5 * time.Millisecond) // the server is gone; the round is ending
		}
		return false
	}
	defer res.Body.Close()
	var reply struct {
		SessionID string `json:"session_id"`
		Response  string `json:"response"`
	}
	if res.StatusCode != http.StatusOK || json.NewDecoder(res.Body).Decode(&reply) != nil {
		return false
	}
	return reply.SessionID == session && reply.Response != ""
}

func freePort(t *testing.T) string {
	t.Helper()
	_, port, err := net.SplitHostPort(freeAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// lockedWriter serialises writes to w under mu.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
