// Package journal records interactions off the request path without losing
// any: a bounded in-memory queue feeds one writer that stores them in
// batches; while the store fails, batches go to an append-only spool file
// (synced to disk) and the writer retries with backoff, replaying the spool
// in order once the store answers. Interaction ids make replays idempotent,
// so nothing is stored twice. A process killed after spooling replays the
// spool when it starts again.
package journal

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	spool string
	opts  Options
	log   *slog.Logger

	queue   chan vrrec.Interaction
	closing atomic.Bool
	done    chan struct{}

	spoolMu    sync.Mutex // guards the spool file
	spooled    atomic.Int64
	written    atomic.Int64
	spoolBytes atomic.Int64
}

// Start replays what an earlier process left in the spool file at
// spoolPath (as far as the store answers) and starts the writer.
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
	w := &Writer{store: store, spool: spoolPath, opts: opts, log: log,
		queue: make(chan vrrec.Interaction, opts.QueueSize), done: make(chan struct{})}
	if st, err := os.Stat(spoolPath); err == nil {
		w.spoolBytes.Store(st.Size())
	}
	go w.run()
	return w, nil
}

// Log queues an interaction for storing. When the queue is full it goes
// straight to the spool: slower, never lost. After Close it is spooled too.
func (w *Writer) Log(it vrrec.Interaction) {
	if !w.closing.Load() {
		select {
		case w.queue <- it:
			return
		default:
		}
	}
	if err := w.appendSpool([]vrrec.Interaction{it}); err != nil {
		w.log.Error("interaction lost: queue full and spool failed", "id", it.ID, "err", err)
	}
}

// QueueDepth is how many interactions wait in memory.
func (w *Writer) QueueDepth() int { return len(w.queue) }

// SpoolBytes is the size of the spool file: interactions waiting for the store.
func (w *Writer) SpoolBytes() int64 { return w.spoolBytes.Load() }

// Written is how many interactions reached the store.
func (w *Writer) Written() int64 { return w.written.Load() }

// Close stops accepting, writes or spools everything queued, and waits for
// the writer, at most until ctx ends.
func (w *Writer) Close(ctx context.Context) error {
	if w.closing.Swap(true) {
		return nil
	}
	close(w.queue)
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("journal: close: %w", ctx.Err())
	}
}

func (w *Writer) run() {
	defer close(w.done)
	backoff := time.Duration(0)
	retryAt := time.Time{}
	timer := time.NewTimer(w.opts.FlushEvery)
	defer timer.Stop()
	var batch []vrrec.Interaction
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
		// The spool holds older interactions: they go first, so the store
		// sees everything in order.
		if w.spoolBytes.Load() > 0 && (closed || time.Now().After(retryAt)) {
			if err := w.replay(); err != nil {
				backoff = next(backoff, w.opts)
				retryAt = time.Now().Add(backoff)
				w.log.Warn("interaction store unavailable, spooling", "err", err, "retry_in", backoff)
			} else {
				backoff = 0
			}
		}
		if len(batch) > 0 {
			if w.spoolBytes.Load() > 0 {
				w.spoolOrLog(batch)
			} else if err := w.record(batch); err != nil {
				backoff = next(backoff, w.opts)
				retryAt = time.Now().Add(backoff)
				w.log.Warn("interaction store unavailable, spooling", "err", err, "retry_in", backoff)
				w.spoolOrLog(batch)
			}
			batch = batch[:0]
		}
		if closed {
			return
		}
	}
}

// recordTimeout bounds one write, so a store that hangs counts as down.
const recordTimeout = 15 * time.Second

func (w *Writer) record(batch []vrrec.Interaction) error {
	ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
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
	w.spoolMu.Lock()
	defer w.spoolMu.Unlock()
	f, err := os.OpenFile(w.spool, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	var buf []byte
	for _, it := range items {
		b, err := json.Marshal(it)
		if err != nil {
			f.Close()
			return err
		}
		buf = append(append(buf, b...), '\n')
	}
	if _, err := f.Write(buf); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	w.spooled.Add(int64(len(items)))
	w.spoolBytes.Add(int64(len(buf)))
	return f.Close()
}

// replay stores the spool's interactions in order and empties it. On
// failure the spool stays as it is; what was stored is skipped next time by
// id.
func (w *Writer) replay() error {
	w.spoolMu.Lock()
	defer w.spoolMu.Unlock()
	f, err := os.Open(w.spool)
	if errors.Is(err, fs.ErrNotExist) {
		w.spoolBytes.Store(0)
		return nil
	}
	if err != nil {
		return err
	}
	var items []vrrec.Interaction
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var it vrrec.Interaction
		if json.Unmarshal(sc.Bytes(), &it) == nil {
			items = append(items, it) // a line cut by a crash is skipped
		}
	}
	f.Close()
	if err := sc.Err(); err != nil {
		return err
	}
	for start := 0; start < len(items); start += w.opts.BatchSize {
		batch := items[start:min(start+w.opts.BatchSize, len(items))]
		if err := w.record(batch); err != nil {
			return err
		}
	}
	if err := os.Remove(w.spool); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	w.spoolBytes.Store(0)
	if len(items) > 0 {
		w.log.Info("spooled interactions replayed", "count", len(items))
	}
	return nil
}
