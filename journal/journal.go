// Package journal records interactions off the request path without losing
// any: a bounded in-memory queue feeds one writer that stores them in
// batches; while the store fails, batches go to an append-only spool file
// (synced to disk) and the writer retries with backoff, replaying the spool
// once the store answers. Interaction ids make replays idempotent, so
// nothing is stored twice. A process killed after spooling replays the
// spool when it starts again.
//
// Order: the store receives the spool's interactions in the order they were
// spooled, before newer ones. When the queue overflows, overflow goes to the
// spool at once and may land ahead of a batch still in the writer; the
// stored timestamps keep the true order.
package journal

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vrrec/vrrec"
)

// Options tune a Writer; zero values select the defaults.
type Options struct {
	QueueSize  int           // default 10,000
	BatchSize  int           // default 100
	FlushEvery time.Duration // default 200 ms
	MinBackoff time.Duration // default 100 ms
	MaxBackoff time.Duration // default 5 s
}

// Writer is the journal. Log never blocks on the store.
type Writer struct {
	store vrrec.InteractionLog
	spool string // appended to by Log and the writer
	// replaying holds what one replay is storing; a replay that fails
	// leaves it for the next, which takes it before the spool.
	replaying string
	opts      Options
	log       *slog.Logger

	mu      sync.RWMutex // Log holds it shared while it may send; Close exclusively to close the queue
	closing bool
	queue   chan vrrec.Interaction
	done    chan struct{}

	spoolMu    sync.Mutex // guards appends to and the rename of the spool file
	written    atomic.Int64
	spoolBytes atomic.Int64
}

// Start replays what an earlier process left in the spool (as far as the
// store answers) and starts the writer.
func Start(store vrrec.InteractionLog, spoolPath string, opts Options, log *slog.Logger) (*Writer, error) {
	if opts.QueueSize <= 0 {
		opts.QueueSize = 10000
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 100
	}
	if opts.FlushEvery <= 0 {
		opts.FlushEvery = 200 * time.Millisecond
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = 100 * time.Millisecond
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 5 * time.Second
	}
	if log == nil {
		log = slog.Default()
	}
	if err := os.MkdirAll(filepath.Dir(spoolPath), 0o755); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	w := &Writer{store: store, spool: spoolPath, replaying: spoolPath + ".replaying", opts: opts, log: log,
		queue: make(chan vrrec.Interaction, opts.QueueSize), done: make(chan struct{})}
	// A process killed mid-append leaves a cut last line: end it, so the
	// next append starts a line of its own (replay skips the cut one).
	if err := endLine(spoolPath); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	w.refreshSize()
	go w.run()
	return w, nil
}

func endLine(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return err
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, st.Size()-1); err != nil {
		return err
	}
	if last[0] != '\n' {
		if _, err := f.Seek(0, io.SeekEnd); err != nil {
			return err
		}
		if _, err := f.Write([]byte{'\n'}); err != nil {
			return err
		}
		return f.Sync()
	}
	return nil
}

// Log queues an interaction for storing. When the queue is full, or the
// journal is closed, it goes straight to the spool: slower, never lost.
func (w *Writer) Log(it vrrec.Interaction) {
	w.mu.RLock()
	if !w.closing {
		select {
		case w.queue <- it:
			w.mu.RUnlock()
			return
		default:
		}
	}
	w.mu.RUnlock()
	if err := w.appendSpool([]vrrec.Interaction{it}); err != nil {
		w.log.Error("interaction lost: queue full and spool failed", "id", it.ID, "err", err)
	}
}

// QueueDepth is how many interactions wait in memory.
func (w *Writer) QueueDepth() int { return len(w.queue) }

// SpoolBytes is the size of the spool: interactions waiting for the store.
func (w *Writer) SpoolBytes() int64 { return w.spoolBytes.Load() }

// Written is how many interactions reached the store (replays included).
func (w *Writer) Written() int64 { return w.written.Load() }

// Close stops accepting, writes what is queued (once, briefly) or spools
// it, and waits for the writer, at most until ctx ends.
func (w *Writer) Close(ctx context.Context) error {
	w.mu.Lock()
	if w.closing {
		w.mu.Unlock()
		return nil
	}
	w.closing = true
	close(w.queue)
	w.mu.Unlock()
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("journal: close: %w", ctx.Err())
	}
}

// closingTimeout bounds the last write at Close: past it the batch is
// spooled, so shutdown never waits on a hung store.
const closingTimeout = 2 * time.Second

func (w *Writer) run() {
	defer close(w.done)
	backoff := time.Duration(0)
	retryAt := time.Time{}
	timer := time.NewTimer(w.opts.FlushEvery)
	defer timer.Stop()
	var batch []vrrec.Interaction
	fail := func(err error) {
		backoff = next(backoff, w.opts)
		retryAt = time.Now().Add(backoff)
		w.log.Warn("interaction store unavailable, spooling", "err", err, "retry_in", backoff)
	}
	for {
		closed := false
		select {
		case it, ok := <-w.queue:
			if !ok {
				closed = true
			} else {
				batch = append(batch, it)
				if len(batch) < w.opts.BatchSize {
					continue
				}
			}
		case <-timer.C:
			timer.Reset(w.opts.FlushEvery)
		}
		if closed {
			// Spool first if anything waits there, so order holds; else
			// one short try at the store.
			if len(batch) > 0 && (w.spoolBytes.Load() > 0 || w.record(batch, closingTimeout) != nil) {
				w.spoolOrLog(batch)
			}
			return
		}
		// The spool holds older interactions: they go first.
		if w.spoolBytes.Load() > 0 && time.Now().After(retryAt) {
			if err := w.replay(); err != nil {
				fail(err)
			} else {
				backoff = 0
			}
		}
		if len(batch) > 0 {
			if w.spoolBytes.Load() > 0 {
				w.spoolOrLog(batch)
			} else if err := w.record(batch, recordTimeout); err != nil {
				fail(err)
				w.spoolOrLog(batch)
			}
			batch = batch[:0]
		}
	}
}

// recordTimeout bounds one write, so a store that hangs counts as down.
const recordTimeout = 15 * time.Second

func (w *Writer) record(batch []vrrec.Interaction, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := w.store.Record(ctx, batch...); err != nil {
		return err
	}
	w.written.Add(int64(len(batch)))
	return nil
}

func next(b time.Duration, o Options) time.Duration {
	if b == 0 {
		return o.MinBackoff
	}
	return min(2*b, o.MaxBackoff)
}

func (w *Writer) spoolOrLog(batch []vrrec.Interaction) {
	if err := w.appendSpool(batch); err != nil {
		w.log.Error("interactions lost: store and spool both failed", "count", len(batch), "err", err)
	}
}

// appendSpool appends interactions as JSON lines and syncs the file, so a
// killed process loses nothing it spooled.
func (w *Writer) appendSpool(items []vrrec.Interaction) error {
	var buf []byte
	for _, it := range items {
		b, err := json.Marshal(it)
		if err != nil {
			return err
		}
		buf = append(append(buf, b...), '\n')
	}
	w.spoolMu.Lock()
	defer w.spoolMu.Unlock()
	f, err := os.OpenFile(w.spool, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(buf); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	w.spoolBytes.Add(int64(len(buf)))
	return f.Close()
}

// replay stores the spooled interactions in order. It moves the spool
// aside under the lock (Log keeps appending to a fresh spool meanwhile),
// then streams it to the store in batches without the lock. A failure
// leaves the moved file for the next replay; what was stored is skipped by
// id then.
func (w *Writer) replay() error {
	w.spoolMu.Lock()
	if _, err := os.Stat(w.replaying); errors.Is(err, fs.ErrNotExist) {
		if err := os.Rename(w.spool, w.replaying); err != nil && !errors.Is(err, fs.ErrNotExist) {
			w.spoolMu.Unlock()
			return err
		}
	}
	w.spoolMu.Unlock()
	defer w.refreshSize()

	f, err := os.Open(w.replaying)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	var batch []vrrec.Interaction
	count := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := w.record(batch, recordTimeout)
		count += len(batch)
		batch = batch[:0]
		return err
	}
	for sc.Scan() {
		var it vrrec.Interaction
		if json.Unmarshal(sc.Bytes(), &it) != nil {
			continue // a line cut by a crash
		}
		if batch = append(batch, it); len(batch) == w.opts.BatchSize {
			if err := flush(); err != nil {
				f.Close()
				return err
			}
		}
	}
	err = errors.Join(sc.Err(), flush())
	f.Close()
	if err != nil {
		return err
	}
	if err := os.Remove(w.replaying); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if count > 0 {
		w.log.Info("spooled interactions replayed", "count", count)
	}
	return nil
}

// refreshSize recomputes SpoolBytes from the files, under the lock that
// appends take, so no append is counted twice or lost.
func (w *Writer) refreshSize() {
	w.spoolMu.Lock()
	defer w.spoolMu.Unlock()
	var n int64
	for _, p := range []string{w.spool, w.replaying} {
		if st, err := os.Stat(p); err == nil {
			n += st.Size()
		}
	}
	w.spoolBytes.Store(n)
}
