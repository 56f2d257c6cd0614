package web_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/chat"
	"github.com/vrrec/vrrec/embedding"
	"github.com/vrrec/vrrec/graph"
	"github.com/vrrec/vrrec/internal/fakeopenai"
	"github.com/vrrec/vrrec/internal/inmem"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/llm"
	"github.com/vrrec/vrrec/neo4j"
	"github.com/vrrec/vrrec/openai"
	"github.com/vrrec/vrrec/rag"
	"github.com/vrrec/vrrec/web"
)

// deadlineServer serves the embedded catalog with the given embedder and
// a Neo4j graph at neo4jAddr (taken for up), chats bounded by timeout,
// one chat at a time.
func deadlineServer(t *testing.T, emb vrrec.Embedder, neo4jAddr string, timeout time.Duration) string {
	t.Helper()
	ctx := context.Background()
	cat := testenv.DefaultCatalog(t)
	version := catalog.Version(cat)
	// The catalog's vectors are stored under the embedder's name, as an
	// import with it would have left them: only questions reach it.
	model, vecs, err := catalog.DefaultVectors()
	if err != nil {
		t.Fatal(err)
	}
	cache := embedding.NewCache()
	cache.Preload(model, vecs)
	cache.Preload(emb.Name(), vecs)
	neo, err := neo4j.New(neo4j.Config{URI: "bolt://" + neo4jAddr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = neo.Close(context.Background()) })
	// The engine is built while the database counts as down (the
	// in-memory graph answers), then it is taken for up: from then on
	// every graph question goes to a server that never answers. Its
	// QueryTimeout is far beyond the chat's: the chat's deadline governs.
	health := &graph.Health{}
	g := &graph.Failover{Primary: neo, Fallback: graph.New(cat), Health: health, Version: version, QueryTimeout: time.Minute}
	eng, _, err := rag.New(ctx, cat, version, g, emb, cache, rag.Options{})
	if err != nil {
		t.Fatal(err)
	}
	health.Up(version)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := chat.New(func() chat.Engine { return eng }, inmem.NewSessions(), log)
	svc.SetTimeout(timeout)
	srv, err := web.New(web.Config{Chat: svc, SecretKey: testKey, Log: log, MaxConcurrentChats: 1, ChatQueueTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return start(t, srv)
}

// A chat has one deadline that every stage honours: with an embeddings
// server or a graph database that never answers, the student gets a 503
// saying to try again soon after it, not when the dependency's own
// timeouts (30 s per attempt, a minute per query) run out, and the chat's
// slot is free again at once.
func TestChatDeadlineWithDependenciesThatNeverAnswer(t *testing.T) {
	stop := make(chan struct{})
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // so the server notices the client leave
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	t.Cleanup(hanging.Close)
	t.Cleanup(func() { close(stop) }) // runs first
	remote, err := openai.NewEmbedder(openai.EmbedderConfig{BaseURL: hanging.URL, Model: "m", Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	neverAnswers := testenv.SilentListener(t)
	for name, emb := range map[string]vrrec.Embedder{
		"embeddings server": remote,
		"graph":             testenv.Embedder(t), // answers; the graph does not
	} {
		t.Run(name, func(t *testing.T) {
			base := deadlineServer(t, emb, neverAnswers, 1500*time.Millisecond)
			start := time.Now()
			res := postChat(t, nil, base, "I want to practice public speaking")
			took := time.Since(start)
			if res.status != http.StatusServiceUnavailable || res.header.Get("Retry-After") == "" {
				t.Fatalf("status %d (Retry-After %q): %s", res.status, res.header.Get("Retry-After"), res.body)
			}
			if msg, _ := res.json(t)["error"].(string); !strings.Contains(msg, "try again") {
				t.Errorf("error %q does not say to try again", msg)
			}
			if took > 10*time.Second {
				t.Errorf("answered after %s with a 1.5 s chat deadline", took)
			}
			// The one slot is free: a greeting needs neither dependency.
			if res := postChat(t, nil, base, "hi"); res.status != http.StatusOK {
				t.Errorf("next chat: %d %s", res.status, res.body)
			}
		})
	}
}

// A chat's body is read before the chat takes a slot, within its own
// deadline: clients sending a byte now and then hold no slot, and are
// refused with 408 when the deadline passes.
func TestSlowBodiesHoldNoChatSlot(t *testing.T) {
	srv := newServer(t, nil, func(c *web.Config) {
		c.MaxConcurrentChats = 2
		c.ChatQueueTimeout = 200 * time.Millisecond
		c.ChatBodyTimeout = 2 * time.Second
	})
	base := start(t, srv)
	addr := strings.TrimPrefix(base, "http://")
	const body = `{"message": "public speaking practice"}`
	type slow struct {
		conn net.Conn
		stop chan struct{}
	}
	var slows []slow
	for range 10 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		fmt.Fprintf(c, "POST /chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body))
		s := slow{c, make(chan struct{})}
		go func() { // one byte every 300 ms, until told to stop
			for i := 0; i < len(body); i++ {
				select {
				case <-s.stop:
					return
				case <-time.After(300 * time.Millisecond):
				}
				if _, err := c.Write([]byte{body[i]}); err != nil {
					return
				}
			}
		}()
		slows = append(slows, s)
	}
	time.Sleep(300 * time.Millisecond) // every slow client is sending
	for i := range 5 {
		if res := postChat(t, nil, base, "I want to practice public speaking"); res.status != http.StatusOK {
			t.Fatalf("chat %d beside slow senders: %d %s", i, res.status, res.body)
		}
	}
	// Each slow client is refused when its body's deadline passes.
	for i, s := range slows[:3] {
		_ = s.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		line, err := bufio.NewReader(s.conn).ReadString('\n')
		close(s.stop)
		if err != nil || !strings.Contains(line, "408") {
			t.Errorf("slow sender %d got %q (%v), want 408", i, line, err)
		}
	}
	for _, s := range slows[3:] {
		close(s.stop)
	}
}

// A language model slower than the chat's deadline does not cost the
// answer: it gets the chat's time less a reserve, and the student gets the
// retrieval's own picks and reasons in time, the conversation saved.
func TestChatDeadlineLeavesTimeForRetrieval(t *testing.T) {
	f := fakeopenai.Start(func(int, fakeopenai.Request) fakeopenai.Answer {
		return fakeopenai.Answer{Delay: time.Minute}
	})
	t.Cleanup(f.Close)
	model, err := openai.NewChat(openai.ChatConfig{BaseURL: f.URL, Model: "m", Retries: -1, AttemptTimeout: 8 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := chat.New(func() chat.Engine { return engine() }, inmem.NewSessions(), log)
	// The model's own timeout is beyond the chat's (and its call outlives
	// the chat, serving identical questions): the chat's deadline governs.
	svc.SetExplainer(llm.New(model, nil, llm.Options{Timeout: 8 * time.Second}, log))
	svc.SetTimeout(2 * time.Second)
	srv, err := web.New(web.Config{Chat: svc, SecretKey: testKey, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	base := start(t, srv)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	begin := time.Now()
	res := postChat(t, client, base, "I want to practice public speaking")
	took := time.Since(begin)
	m := res.json(t)
	if res.status != http.StatusOK || m["llm_fallback"] != true || m["explained_by"] != "deterministic" || len(m["apps"].([]any)) == 0 {
		t.Fatalf("with a model slower than the deadline: %d %v", res.status, m)
	}
	if took > 5*time.Second { // the model alone would take 8 s
		t.Errorf("answered after %s with a 2 s chat deadline", took)
	}
	hist := do(t, client, "GET", base+"/api/history", "", "", nil).json(t)
	if msgs, _ := hist["messages"].([]any); len(msgs) != 2 {
		t.Errorf("conversation not saved after the deadline: %v", hist)
	}
}
