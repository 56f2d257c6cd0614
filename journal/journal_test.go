package journal_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/journal"
	"github.com/vrrec/vrrec/sqlite"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// outage points at a real SQLite database, or at nothing while the
// database is down.
type outage struct {
	mu sync.Mutex
	db *sqlite.DB
}

var errDown = errors.New("database unreachable")

func (o *outage) set(db *sqlite.DB) { o.mu.Lock(); o.db = db; o.mu.Unlock() }

func (o *outage) current() (*sqlite.DB, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.db == nil {
		return nil, errDown
	}
	return o.db, nil
}

func (o *outage) Record(ctx context.Context, items ...vrrec.Interaction) error {
	db, err := o.current()
	if err != nil {
		return err
	}
	return db.Record(ctx, items...)
}
func (o *outage) Interactions(ctx context.Context, f vrrec.InteractionFilter) ([]vrrec.Interaction, int, error) {
	db, err := o.current()
	if err != nil {
		return nil, 0, err
	}
	return db.Interactions(ctx, f)
}
func (o *outage) Stats(ctx context.Context, since time.Time) (vrrec.Stats, error) {
	db, err := o.current()
	if err != nil {
		return vrrec.Stats{}, err
	}
	return db.Stats(ctx, since)
}

func interaction(i int) vrrec.Interaction {
	return vrrec.Interaction{ID: fmt.Sprintf("it-%03d", i), UserID: "u", SessionID: "s", Query: fmt.Sprint("q", i), Intent: "recommendation", Time: time.Now()}
}

func count(t *testing.T, db *sqlite.DB) int {
	t.Helper()
	_, n, err := db.Interactions(context.Background(), vrrec.InteractionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestDatabaseDownNothingLostNothingTwice(t *testing.T) {
	dir := t.TempDir()
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "vrrec.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store := &outage{}
	store.set(db)
	w, err := journal.Start(store, filepath.Join(dir, "spool.jsonl"), journal.Options{MaxBackoff: 200 * time.Millisecond}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		w.Log(interaction(i))
	}
	waitFor(t, "the first 20 stored", func() bool { return count(t, db) == 20 })

	store.set(nil) // the database goes down
	for i := 20; i < 220; i++ {
		w.Log(interaction(i))
	}
	waitFor(t, "the outage spooled", func() bool { return w.SpoolBytes() > 0 && w.QueueDepth() == 0 })
	if n := count(t, db); n != 20 {
		t.Fatalf("%d stored during the outage", n)
	}

	store.set(db) // back
	waitFor(t, "the spool replayed", func() bool { return w.SpoolBytes() == 0 && count(t, db) == 220 })
	// A replay of what is already stored adds nothing.
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	all, total, _ := db.Interactions(context.Background(), vrrec.InteractionFilter{Limit: 1000})
	seen := map[string]bool{}
	for _, it := range all {
		if seen[it.ID] {
			t.Errorf("%s stored twice", it.ID)
		}
		seen[it.ID] = true
	}
	if total != 220 || len(seen) != 220 {
		t.Errorf("%d stored, %d distinct; want 220", total, len(seen))
	}
}

func TestCloseDrainsTheQueue(t *testing.T) {
	dir := t.TempDir()
	db, _ := sqlite.Open(context.Background(), filepath.Join(dir, "vrrec.db"))
	defer db.Close()
	w, _ := journal.Start(db, filepath.Join(dir, "spool.jsonl"), journal.Options{FlushEvery: time.Hour, BatchSize: 1000}, quiet)
	for i := 0; i < 50; i++ {
		w.Log(interaction(i))
	}
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db); n != 50 {
		t.Errorf("%d stored after Close, want all 50", n)
	}
	w.Log(interaction(99)) // after Close: spooled, not lost
	if w.SpoolBytes() == 0 {
		t.Error("an interaction logged after Close was dropped")
	}
}

// TestKilledProcessLosesNothing runs a child process that spools 50
// interactions (its database is unreachable) and kills it with SIGKILL;
// a new writer on a working database then stores all 50.
func TestKilledProcessLosesNothing(t *testing.T) {
	if os.Getenv("JOURNAL_CHILD_SPOOL") != "" {
		child()
		return
	}
	dir := t.TempDir()
	spool := filepath.Join(dir, "spool.jsonl")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledProcessLosesNothing$")
	cmd.Env = append(os.Environ(), "JOURNAL_CHILD_SPOOL="+spool)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(stdout, buf); err != nil || string(buf) != "ready" {
		t.Fatalf("child: %q, %v", buf, err)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "vrrec.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	w, err := journal.Start(db, spool, journal.Options{}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(context.Background())
	waitFor(t, "the dead process's spool replayed", func() bool { return count(t, db) == 50 && w.SpoolBytes() == 0 })
}

// down is an interaction store that cannot be reached.
type down struct{ vrrec.InteractionLog }

func (down) Record(context.Context, ...vrrec.Interaction) error { return errDown }

func child() {
	w, err := journal.Start(down{}, os.Getenv("JOURNAL_CHILD_SPOOL"), journal.Options{MaxBackoff: time.Hour}, quiet)
	if err != nil {
		os.Exit(1)
	}
	for i := 0; i < 50; i++ {
		w.Log(interaction(i))
	}
	for w.QueueDepth() > 0 || w.SpoolBytes() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // every batch flushed to the spool
	os.Stdout.WriteString("ready")
	time.Sleep(time.Hour) // killed here
}

func TestLogRacingCloseLosesNothing(t *testing.T) {
	dir := t.TempDir()
	spool := filepath.Join(dir, "spool.jsonl")
	db, _ := sqlite.Open(context.Background(), filepath.Join(dir, "vrrec.db"))
	defer db.Close()
	w, _ := journal.Start(db, spool, journal.Options{QueueSize: 8}, quiet)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				w.Log(interaction(g*1000 + i))
			}
		}()
	}
	time.Sleep(time.Millisecond)
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	wg.Wait() // Log after Close spools instead of panicking
	again, _ := journal.Start(db, spool, journal.Options{}, quiet)
	defer again.Close(context.Background())
	waitFor(t, "everything stored", func() bool { return count(t, db) == 400 })
}

func TestCutSpoolLineDoesNotSwallowTheNext(t *testing.T) {
	dir := t.TempDir()
	spool := filepath.Join(dir, "spool.jsonl")
	// A process died in the middle of writing its second line.
	os.WriteFile(spool, []byte(`{"id":"a","user_id":"u","timestamp":"2026-11-25T10:00:00Z"}`+"\n"+`{"id":"b","user`), 0o600)
	store := &outage{}
	w, err := journal.Start(store, spool, journal.Options{}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	w.Log(vrrec.Interaction{ID: "c", UserID: "u", Time: time.Now()})
	w.Log(vrrec.Interaction{ID: "d", UserID: "u", Time: time.Now()})
	waitFor(t, "c and d spooled", func() bool { return w.QueueDepth() == 0 && w.SpoolBytes() > 100 })
	time.Sleep(300 * time.Millisecond)
	db, _ := sqlite.Open(context.Background(), filepath.Join(dir, "vrrec.db"))
	defer db.Close()
	store.set(db)
	waitFor(t, "a, c and d stored", func() bool { return count(t, db) == 3 })
	w.Close(context.Background())
}
