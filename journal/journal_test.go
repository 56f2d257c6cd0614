package journal_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/internal/testenv"
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

// hung is a store whose writes never finish before their context ends.
type hung struct{ vrrec.InteractionLog }

func (hung) Record(ctx context.Context, _ ...vrrec.Interaction) error {
	<-ctx.Done()
	return ctx.Err()
}

func interaction(i int) vrrec.Interaction {
	return vrrec.Interaction{ID: fmt.Sprintf("it-%05d", i), UserID: "u", SessionID: "s", Query: fmt.Sprint("q", i), Intent: "recommendation",
		Response: "some apps", Time: time.Now()}
}

func openDB(t *testing.T, dir string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "vrrec.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func start(t *testing.T, store journal.Store, dir string, opts journal.Options, log *slog.Logger) *journal.Writer {
	t.Helper()
	w, err := journal.Start(store, dir, opts, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close(context.Background()) })
	return w
}

// stored counts each stored interaction id.
func stored(t *testing.T, db *sqlite.DB) map[string]int {
	t.Helper()
	all, total, err := db.Interactions(context.Background(), vrrec.InteractionFilter{Limit: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != total {
		t.Fatalf("read %d of %d", len(all), total)
	}
	seen := map[string]int{}
	for _, it := range all {
		seen[it.ID]++
	}
	return seen
}

func count(t *testing.T, db *sqlite.DB) int {
	t.Helper()
	_, n, err := db.Interactions(context.Background(), vrrec.InteractionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// waitFor polls cond. The tests that call it run in synctest bubbles
// (except the one that kills a child process, whose timing is real), so the
// polling, the journal's backoff and flush timers and the durations the
// tests bound are on the bubble's clock: a loaded machine makes a test
// slower, never wrong.
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

func mustLog(t *testing.T, w *journal.Writer, it vrrec.Interaction) {
	t.Helper()
	if err := w.Log(context.Background(), it); err != nil {
		t.Fatalf("Log %s: %v", it.ID, err)
	}
}

// segments lists the spool's files.
func segments(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.jsonl*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestDatabaseDownNothingLostNothingTwice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		db := openDB(t, dir)
		store := &outage{}
		store.set(db)
		w := start(t, store, filepath.Join(dir, "spool"), journal.Options{MaxBackoff: 200 * time.Millisecond, SegmentBytes: 4 << 10}, quiet)
		for i := range 20 {
			mustLog(t, w, interaction(i))
		}
		waitFor(t, "the first 20 stored", func() bool { return count(t, db) == 20 })

		store.set(nil) // the database goes down: Log still returns at once
		began := time.Now()
		for i := 20; i < 220; i++ {
			mustLog(t, w, interaction(i))
		}
		if d := time.Since(began); d > 5*time.Second {
			t.Errorf("200 Logs took %s with the database down", d)
		}
		if w.BacklogBytes() == 0 || w.QueueDepth() != 0 {
			t.Errorf("during the outage: backlog %d bytes, %d in memory; want all in the spool", w.BacklogBytes(), w.QueueDepth())
		}
		if n := count(t, db); n != 20 {
			t.Fatalf("%d stored during the outage", n)
		}

		store.set(db) // back
		waitFor(t, "the spool stored", func() bool { return w.BacklogBytes() == 0 && count(t, db) == 220 })
		// Once idle and stored, the spool is empty: every segment is deleted.
		waitFor(t, "the spool emptied", func() bool { return w.SpoolBytes() == 0 && len(segments(t, filepath.Join(dir, "spool"))) == 0 })
		if err := w.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		seen := stored(t, db)
		for i := range 220 {
			if n := seen[interaction(i).ID]; n != 1 {
				t.Errorf("%s stored %d times", interaction(i).ID, n)
			}
		}
		if w.NotDurable() != 0 || w.Lost() != 0 {
			t.Errorf("not durable %d, lost %d; want 0", w.NotDurable(), w.Lost())
		}
	})
}

func TestCloseStoresWhatWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		db := openDB(t, dir)
		w := start(t, db, filepath.Join(dir, "spool"), journal.Options{}, quiet)
		for i := range 50 {
			mustLog(t, w, interaction(i))
		}
		if err := w.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db); n != 50 {
			t.Errorf("%d stored after Close, want all 50", n)
		}
		if files := segments(t, filepath.Join(dir, "spool")); len(files) != 0 || w.SpoolBytes() != 0 {
			t.Errorf("after a clean Close the spool holds %d bytes in %v; want it empty", w.SpoolBytes(), files)
		}
		err := w.Log(context.Background(), interaction(99))
		if !errors.Is(err, journal.ErrClosed) || !errors.Is(err, journal.ErrNotDurable) {
			t.Errorf("Log after Close: %v, want ErrNotDurable and ErrClosed", err)
		}
		if w.Lost() != 1 {
			t.Errorf("Lost %d after a Log past Close, want 1", w.Lost())
		}
	})
}

// TestHungStoreDoesNotSlowLog logs with a database that never answers:
// every Log is durable at once, Close gives up quickly, and the next start
// stores everything.
func TestHungStoreDoesNotSlowLog(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		spool := filepath.Join(dir, "spool")
		w, err := journal.Start(hung{}, spool, journal.Options{}, quiet)
		if err != nil {
			t.Fatal(err)
		}
		began := time.Now()
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				for i := range 25 {
					mustLog(t, w, interaction(g*100+i))
				}
			})
		}
		wg.Wait()
		if d := time.Since(began); d > 5*time.Second {
			t.Errorf("200 Logs took %s with a hung database", d)
		}
		began = time.Now()
		if err := w.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(began); d > 5*time.Second {
			t.Errorf("Close took %s with a hung database", d)
		}
		db := openDB(t, dir)
		again := start(t, db, spool, journal.Options{}, quiet)
		waitFor(t, "the spool stored", func() bool { return again.BacklogBytes() == 0 && count(t, db) == 200 })
	})
}

// TestKilledProcessLosesNothingAcknowledged runs a child process that logs
// from eight goroutines as fast as it can, with an unreachable database,
// and prints each id once Log returned nil. It is killed with SIGKILL at a
// random moment; a new writer on a working database must store every
// printed id exactly once.
func TestKilledProcessLosesNothingAcknowledged(t *testing.T) {
	if spool := os.Getenv("JOURNAL_CHILD_SPOOL"); spool != "" {
		child(spool)
		return
	}
	for round := range 3 {
		dir := t.TempDir()
		spool := filepath.Join(dir, "spool")
		cmd := exec.Command(os.Args[0], "-test.run=^TestKilledProcessLosesNothingAcknowledged$")
		cmd.Env = append(os.Environ(), "JOURNAL_CHILD_SPOOL="+spool)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill() }) // when the test fails before it kills
		acked := map[string]bool{}
		sc := bufio.NewScanner(stdout)
		killAt := 200 + rand.IntN(1000)
		for sc.Scan() {
			if id, ok := strings.CutPrefix(sc.Text(), "ok "); ok {
				acked[id] = true
				if len(acked) == killAt {
					cmd.Process.Signal(syscall.SIGKILL)
				}
			}
		}
		cmd.Wait()
		if len(acked) < killAt {
			t.Fatalf("round %d: the child acknowledged %d before it ended, want %d", round, len(acked), killAt)
		}

		db := openDB(t, dir)
		w := start(t, db, spool, journal.Options{}, quiet)
		waitFor(t, "the dead process's spool stored", func() bool { return w.BacklogBytes() == 0 })
		seen := stored(t, db)
		lost := 0
		for id := range acked {
			if seen[id] != 1 {
				lost++
			}
		}
		t.Logf("round %d: killed after %d acknowledged; %d stored, %d acknowledged not stored exactly once", round, len(acked), len(seen), lost)
		if lost > 0 {
			t.Errorf("round %d: %d of %d acknowledged interactions not stored exactly once", round, lost, len(acked))
		}
	}
}

// down is an interaction store that cannot be reached.
type down struct{ vrrec.InteractionLog }

func (down) Record(context.Context, ...vrrec.Interaction) error { return errDown }

func child(spool string) {
	w, err := journal.Start(down{}, spool, journal.Options{MaxBackoff: time.Hour, SegmentBytes: 64 << 10}, quiet)
	if err != nil {
		os.Exit(1)
	}
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				it := interaction(g*1_000_000 + i)
				if w.Log(context.Background(), it) == nil {
					mu.Lock()
					fmt.Fprintf(out, "ok %s\n", it.ID)
					if out.Flush() != nil {
						os.Exit(1) // the test is gone
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait() // killed while logging
}

func TestLogRacingCloseLosesNothingAcknowledged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		spool := filepath.Join(dir, "spool")
		db := openDB(t, dir)
		w, err := journal.Start(db, spool, journal.Options{}, quiet)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		acked := map[string]bool{}
		for g := range 8 {
			wg.Go(func() {
				for i := range 50 {
					it := interaction(g*1000 + i)
					err := w.Log(context.Background(), it)
					if err == nil {
						mu.Lock()
						acked[it.ID] = true
						mu.Unlock()
					} else if !errors.Is(err, journal.ErrClosed) {
						t.Errorf("Log: %v, want nil or ErrClosed", err)
					}
				}
			})
		}
		// Close while Logs are in flight: on the bubble's clock this sleep
		// ends once every logger waits on the spool, so some Logs are
		// acknowledged before Close and the rest race it.
		time.Sleep(time.Millisecond)
		if err := w.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		again := start(t, db, spool, journal.Options{}, quiet)
		waitFor(t, "the spool stored", func() bool { return again.BacklogBytes() == 0 })
		seen := stored(t, db)
		for id := range acked {
			if seen[id] != 1 {
				t.Errorf("%s acknowledged, stored %d times", id, seen[id])
			}
		}
		if int(w.Lost()) != 400-len(acked) {
			t.Errorf("%d acknowledged and %d counted lost; want 400 in all", len(acked), w.Lost())
		}
	})
}

// TestContextEndedBeforeDurable logs with contexts that have ended: Log
// may not promise durability, says so with ErrNotDurable and counts it, and
// the interactions still reach the database.
func TestContextEndedBeforeDurable(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		db := openDB(t, dir)
		w := start(t, db, filepath.Join(dir, "spool"), journal.Options{}, quiet)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		failed := 0
		for i := range 100 {
			if err := w.Log(ctx, interaction(i)); err != nil {
				failed++
				if !errors.Is(err, journal.ErrNotDurable) || !errors.Is(err, context.Canceled) {
					t.Errorf("Log with an ended context: %v", err)
				}
			}
		}
		if failed == 0 {
			t.Error("no Log with an ended context reported it")
		}
		if int(w.NotDurable()) != failed {
			t.Errorf("NotDurable %d, want %d", w.NotDurable(), failed)
		}
		waitFor(t, "all 100 stored", func() bool { return count(t, db) == 100 })
	})
}

// TestFullSpool fills a small spool while the database is down: Log keeps
// answering at once, says the interaction is not durable, logs the full
// spool once, keeps what it can in memory and counts what it drops; when
// the database is back everything kept is stored, and the spool takes
// appends again.
func TestFullSpool(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		db := openDB(t, dir)
		store := &outage{}
		var logs testenv.LogBuffer
		log := slog.New(slog.NewTextHandler(&logs, nil))
		const max = 8 << 10
		w := start(t, store, filepath.Join(dir, "spool"), journal.Options{MaxBytes: max, SegmentBytes: 2 << 10, QueueSize: 50, MaxBackoff: 100 * time.Millisecond}, log)
		durable, full := 0, 0
		began := time.Now()
		for i := range 200 {
			switch err := w.Log(context.Background(), interaction(i)); {
			case err == nil:
				durable++
			case errors.Is(err, journal.ErrSpoolFull) && errors.Is(err, journal.ErrNotDurable):
				full++
			default:
				t.Fatalf("Log %d: %v", i, err)
			}
		}
		if d := time.Since(began); d > 5*time.Second {
			t.Errorf("200 Logs took %s against a full spool", d)
		}
		if durable == 0 || full == 0 || durable+full != 200 {
			t.Fatalf("%d durable, %d refused by the full spool", durable, full)
		}
		if b := w.SpoolBytes(); b > max || b < max/2 {
			t.Errorf("spool %d bytes, want at most the cap %d and near it", b, max)
		}
		if w.SpoolFull() != int64(full) || w.NotDurable() != int64(full) || w.QueueDepth() != 50 || w.Lost() != int64(full-50) {
			t.Errorf("spool full %d, not durable %d, in memory %d, lost %d; want %d, %d, 50, %d",
				w.SpoolFull(), w.NotDurable(), w.QueueDepth(), w.Lost(), full, full, full-50)
		}
		if n := strings.Count(logs.String(), "interaction spool full"); n != 1 {
			t.Errorf("the full spool logged %d times, want once per episode:\n%s", n, logs.String())
		}

		store.set(db) // back: the spool and the memory queue drain
		waitFor(t, "the spool and memory stored", func() bool { return w.BacklogBytes() == 0 && w.QueueDepth() == 0 })
		if n := count(t, db); n != durable+50 {
			t.Errorf("%d stored, want the %d durable and the 50 kept in memory", n, durable)
		}
		if err := w.Log(context.Background(), interaction(1000)); err != nil {
			t.Errorf("Log once the spool has room: %v", err)
		}
		if !strings.Contains(logs.String(), "interaction spool has room again") {
			t.Errorf("the end of the episode was not logged:\n%s", logs.String())
		}
	})
}

// TestSpoolOfEarlierProcesses starts on what earlier processes left: a
// segment whose last line a crash cut short, and the single-file spool of
// earlier versions (its live file and one being replayed). Everything whole
// is stored, the cut line is skipped without swallowing what follows, and
// the files are deleted.
func TestSpoolOfEarlierProcesses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		spool := filepath.Join(dir, "spool")
		os.MkdirAll(spool, 0o700)
		line := func(id string) string {
			return `{"id":"` + id + `","user_id":"u","timestamp":"2026-11-25T10:00:00Z"}` + "\n"
		}
		files := map[string]string{
			"interactions.jsonl.replaying":           line("old-replaying"),
			"interactions.jsonl":                     line("old-live") + `{"id":"old-cut","us`,
			"segment-00000000000000000007.jsonl":     line("seg-7a") + `{"id":"seg-7-cut","user`,
			"segment-00000000000000000008.jsonl":     line("seg-8a") + line("seg-8b"),
			"not-a-segment.txt":                      "ignored",
			"segment-00000000000000000003.jsonl.tmp": "ignored",
		}
		for name, body := range files {
			if err := os.WriteFile(filepath.Join(spool, name), []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		db := openDB(t, dir)
		w := start(t, db, spool, journal.Options{}, quiet)
		mustLog(t, w, vrrec.Interaction{ID: "new", UserID: "u", Time: time.Now()})
		if _, err := os.Stat(filepath.Join(spool, "segment-00000000000000000009.jsonl")); err != nil {
			t.Errorf("the new segment does not follow the last one found: %v", err)
		}
		waitFor(t, "everything stored and the spool emptied", func() bool { return w.BacklogBytes() == 0 && w.SpoolBytes() == 0 })
		seen := stored(t, db)
		for _, id := range []string{"old-replaying", "old-live", "seg-7a", "seg-8a", "seg-8b", "new"} {
			if seen[id] != 1 {
				t.Errorf("%s stored %d times, want once", id, seen[id])
			}
		}
		if len(seen) != 6 {
			t.Errorf("stored %v", seen)
		}
		if left := segments(t, spool); len(left) != 1 || !strings.HasSuffix(left[0], ".tmp") {
			t.Errorf("spool files left: %v; want only the .tmp file, which is not the spool's", left)
		}
	})
}

// BenchmarkLogParallel measures a durable Log with concurrent callers:
// group commit shares each fsync among everyone waiting.
func BenchmarkLogParallel(b *testing.B) {
	dir := b.TempDir()
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "vrrec.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	w, err := journal.Start(db, filepath.Join(dir, "spool"), journal.Options{}, quiet)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close(context.Background())
	var n sync.Mutex
	next := 0
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n.Lock()
			next++
			i := next
			n.Unlock()
			it := interaction(i)
			it.ID = strconv.Itoa(i)
			if err := w.Log(context.Background(), it); err != nil {
				b.Error(err)
			}
		}
	})
}

// TestForgottenStudentStaysForgotten: a student forgets their history while
// some of their interactions wait in the spool (the database was down);
// the spool replayed by the next start stores everyone else's and none of
// theirs.
func TestForgottenStudentStaysForgotten(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir, spool := t.TempDir(), filepath.Join(t.TempDir(), "spool")
		db := openDB(t, dir)
		store := &outage{}
		store.set(db)
		of := func(user string, i int) vrrec.Interaction {
			it := interaction(i)
			it.UserID = user
			return it
		}
		w := start(t, store, spool, journal.Options{MaxBackoff: 200 * time.Millisecond}, quiet)
		for i := range 10 {
			mustLog(t, w, of([]string{"alice", "bob"}[i%2], i))
		}
		waitFor(t, "the first 10 stored", func() bool { return count(t, db) == 10 })
		store.set(nil)
		for i := 10; i < 20; i++ {
			mustLog(t, w, of([]string{"alice", "bob"}[i%2], i))
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		if err := w.Close(ctx); err == nil {
			t.Fatal("Close stored the spool while the database was down")
		}
		cancel()

		time.Sleep(time.Millisecond) // the forget comes after every answer
		if n, err := db.ForgetInteractions(context.Background(), "alice", time.Now()); err != nil || n != 5 {
			t.Fatalf("forgot %d, %v; want alice's 5 stored interactions", n, err)
		}
		w = start(t, db, spool, journal.Options{}, quiet)
		waitFor(t, "the spool replayed", func() bool { return w.BacklogBytes() == 0 })
		if err := w.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		for user, want := range map[string]int{"alice": 0, "bob": 10} {
			if _, n, err := db.Interactions(context.Background(), vrrec.InteractionFilter{UserID: user}); err != nil || n != want {
				t.Errorf("%s: %d interactions stored, %v; want %d", user, n, err, want)
			}
		}
		if st, err := db.Stats(context.Background(), time.Time{}); err != nil || st.Total != 15 {
			t.Errorf("statistics count %d interactions, %v; want alice's 5 stored ones and bob's 10", st.Total, err)
		}
	})
}
