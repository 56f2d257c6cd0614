package web_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/chat"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/journal"
	"github.com/vrrec/vrrec/mongo"
	"github.com/vrrec/vrrec/web"
)

// TestMongoDownChatsServedNothingLost stops the MongoDB-wire server, serves
// 200 chats, restarts it, and finds every interaction stored exactly once.
func TestMongoDownChatsServedNothingLost(t *testing.T) {
	srv := testenv.StartMongo(t)
	if !srv.Embedded {
		t.Skip("stopping the server needs the embedded FerretDB (MONGODB_TEST_URI is set)")
	}
	ctx := context.Background()
	db, err := mongo.Open(ctx, srv.URI, srv.Database)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	jw, err := journal.Start(db, filepath.Join(t.TempDir(), "spool.jsonl"), journal.Options{MaxBackoff: 300 * time.Millisecond}, log)
	if err != nil {
		t.Fatal(err)
	}
	server, err := web.New(web.Config{
		Chat:      chat.New(func() chat.Engine { return engine() }, db, log),
		Journal:   jw,
		SecretKey: testKey,
		Checks:    []web.Check{{Name: "store", Optional: true, Probe: db.Ping}},
		Log:       log,
	})
	if err != nil {
		t.Fatal(err)
	}
	base := start(t, server)

	srv.Stop()
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := 0
	jobs := make(chan int)
	for w := 0; w < 25; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				if res := postChat(t, nil, base, "anatomy"); res.status != 200 {
					mu.Lock()
					failed++
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < 200; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if failed != 0 {
		t.Fatalf("%d of 200 chats failed with the database down", failed)
	}
	if res := do(t, nil, "GET", base+"/ready", "", "", nil); res.status != 200 || !strings.Contains(string(res.body), "degraded") {
		t.Errorf("/ready during the outage: %d %s", res.status, res.body)
	}

	srv.Start()
	deadline := time.Now().Add(60 * time.Second)
	for {
		all, total, err := db.Interactions(ctx, vrrec.InteractionFilter{Limit: 1000})
		if err == nil && total == 200 && jw.SpoolBytes() == 0 {
			seen := map[string]bool{}
			for _, it := range all {
				seen[it.ID] = true
			}
			if len(seen) != 200 {
				t.Errorf("%d distinct interactions of %d", len(seen), total)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the restart: %d stored (%v), spool %d bytes; want all 200", total, err, jw.SpoolBytes())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := jw.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, total, _ := db.Interactions(ctx, vrrec.InteractionFilter{}); total != 200 {
		t.Errorf("%d interactions after closing, want exactly 200", total)
	}
}
