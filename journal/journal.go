// Package journal makes every answered chat durable before its answer is
// sent, and copies it to the interaction store off the request path.
//
// Durability. Log hands an interaction to one committer goroutine, which
// takes every interaction waiting at that moment, appends them as JSON lines
// to the current segment of a write-ahead spool (a directory of files named
// segment-NNNNNNNNNNNNNNNNNNNN.jsonl) in one write, fsyncs once, and then
// wakes all their callers: group commit, so concurrent chats share an fsync.
// When Log returns nil the interaction is on disk; a process killed a moment
// later loses nothing it acknowledged.
//
// Storing. A second goroutine, the storer, reads the spool in order and
// writes it to the store in batches. A segment is sealed once it holds
// Options.SegmentBytes, or when it has had no append for a second and
// everything in it is stored; a sealed segment is deleted once everything
// in it is stored. So an idle spool is empty once the store has caught up. A process that starts stores first what an earlier one left
// (including the spool files of earlier versions, interactions.jsonl and
// interactions.jsonl.replaying); the store's Record is idempotent by
// interaction id, so what was stored before a crash is not stored twice. A
// store that is down or slow never slows Log: interactions wait in the
// spool, and the storer retries with backoff.
//
// Full spool. The spool is capped at Options.MaxBytes (what is on disk,
// stored or not). Interactions that do not fit, or whose append fails (disk
// full, I/O error), are not durable: they wait in a bounded in-memory queue
// (Options.QueueSize) that the storer writes to the store when it answers,
// Log returns at once with an error wrapping ErrNotDurable, and they are
// counted (NotDurable, SpoolFull). A full spool is logged once per episode.
// Beyond the queue they are dropped, logged and counted (Lost).
//
// Order: the store receives the spool's interactions in the order they were
// appended; interactions kept in memory are stored alongside, so while the
// spool is full the store's order may differ from the answers' order. The
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
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vrrec/vrrec"
)

// Options tune a Writer; zero values select the defaults.
type Options struct {
	// MaxBytes caps the spool on disk; default 1 GiB.
	MaxBytes int64
	// SegmentBytes is the size at which a segment is sealed and a new one
	// begun; default 1 MiB. A start after a crash under load stores again
	// (harmlessly) at most one segment of interactions stored already.
	SegmentBytes int64
	// QueueSize bounds the interactions kept in memory because they could
	// not be made durable; default 10,000.
	QueueSize int
	BatchSize int // interactions per Record; default 100
	// FlushEvery is how long the storer lets new interactions gather
	// once it has caught up, so the database gets batches rather than a
	// transaction per group commit; default 200 ms. They are durable
	// meanwhile; only the staff pages see them that much later.
	FlushEvery time.Duration
	MinBackoff time.Duration // default 100 ms
	MaxBackoff time.Duration // default 5 s
}

// ErrNotDurable is wrapped by every error Log returns: the interaction was
// not known to be on disk when Log returned.
var ErrNotDurable = errors.New("journal: interaction not durable")

// ErrSpoolFull is the cause of a Log error when the spool had no room.
var ErrSpoolFull = errors.New("journal: spool full")

// ErrClosed is the cause of a Log error after Close.
var ErrClosed = errors.New("journal: closed")

// Store is where the journal copies interactions: vrrec.InteractionLog's
// Record, idempotent by interaction id.
type Store interface {
	Record(ctx context.Context, items ...vrrec.Interaction) error
}

// Writer is the journal: a write-ahead spool and the storer that empties it.
type Writer struct {
	store Store
	dir   string
	opts  Options
	log   *slog.Logger

	mu      sync.RWMutex // Log holds it shared while it may send; Close exclusively to close reqs
	closing bool
	reqs    chan *pending

	// The committer's own state.
	active   *segment
	activeF  *os.File
	nextSeq  uint64
	full     bool   // in a spool-full episode
	groupBuf []byte // the bytes of one group commit, reused by commit's goroutine
	failing  bool   // in an episode of failing appends
	segMu    sync.Mutex
	segs     []*segment // oldest first; guarded by segMu
	disk     int64      // bytes of every segment on disk; guarded by segMu
	memMu    sync.Mutex
	memory   []vrrec.Interaction // not durable, waiting for the store; guarded by memMu
	dropping bool                // in an episode of a full memory queue; guarded by memMu

	wake       chan struct{} // tells the storer there is something new
	finishing  chan struct{} // closed when the committer is done
	committed  chan struct{} // closed by the committer at exit
	stored     chan struct{} // closed by the storer at exit
	storeCtx   context.Context
	stopStorer context.CancelFunc

	written    atomic.Int64
	notDurable atomic.Int64
	spoolFull  atomic.Int64
	lost       atomic.Int64
}

// segment is one spool file. size counts the bytes known to be on disk
// (fsynced by this process, or found at start); done the bytes stored.
type segment struct {
	path   string
	size   int64
	done   int64
	sealed bool
}

type pending struct {
	it   vrrec.Interaction
	line []byte     // JSON and a newline
	done chan error // buffered: the committer never waits on a caller
}

const segmentPrefix, segmentSuffix = "segment-", ".jsonl"

// Start opens the spool in dir (creating it), queues for storing whatever an
// earlier process left there, and starts the committer and the storer.
func Start(store Store, dir string, opts Options, log *slog.Logger) (*Writer, error) {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 1 << 30
	}
	if opts.SegmentBytes <= 0 {
		opts.SegmentBytes = 1 << 20
	}
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
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("journal: create spool: %w", err)
	}
	w := &Writer{store: store, dir: dir, opts: opts, log: log,
		reqs: make(chan *pending, 1024), wake: make(chan struct{}, 1),
		finishing: make(chan struct{}), committed: make(chan struct{}), stored: make(chan struct{})}
	if err := w.openSpool(); err != nil {
		return nil, err
	}
	if len(w.segs) > 0 {
		log.Info("replaying the interaction spool", "files", len(w.segs), "bytes", w.disk)
	}
	w.storeCtx, w.stopStorer = context.WithCancel(context.Background())
	go w.commit()
	go w.storeLoop()
	return w, nil
}

// openSpool lists what earlier processes left: the files of earlier
// versions first (the one being replayed, then the live one), then the
// segments in order. All of them are sealed; this process appends to new
// segments only.
func (w *Writer) openSpool() error {
	entries, err := os.ReadDir(w.dir)
	if err != nil {
		return fmt.Errorf("journal: read spool: %w", err)
	}
	type found struct {
		rank int
		seq  uint64
		name string
	}
	var files []found
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() {
			continue
		}
		if seq, ok := segmentSeq(name); ok {
			files = append(files, found{2, seq, name})
			w.nextSeq = max(w.nextSeq, seq+1)
		} else if strings.HasSuffix(name, ".jsonl.replaying") {
			files = append(files, found{0, 0, name})
		} else if strings.HasSuffix(name, ".jsonl") {
			files = append(files, found{1, 0, name})
		}
	}
	slices.SortFunc(files, func(a, b found) int {
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		if a.seq != b.seq {
			if a.seq < b.seq {
				return -1
			}
			return 1
		}
		return strings.Compare(a.name, b.name)
	})
	for _, f := range files {
		path := filepath.Join(w.dir, f.name)
		st, err := os.Stat(path)
		if err != nil {
			return fmt.Errorf("journal: read spool: %w", err)
		}
		w.segs = append(w.segs, &segment{path: path, size: st.Size(), sealed: true})
		w.disk += st.Size()
	}
	return nil
}

func segmentSeq(name string) (uint64, bool) {
	digits, ok := strings.CutPrefix(name, segmentPrefix)
	if !ok {
		return 0, false
	}
	if digits, ok = strings.CutSuffix(digits, segmentSuffix); !ok {
		return 0, false
	}
	seq, err := strconv.ParseUint(digits, 10, 64)
	return seq, err == nil
}

// Log makes an interaction durable: it returns nil once the interaction's
// line is in the spool and fsynced, typically after one group commit (a
// write and an fsync shared with every Log waiting at the same time). It
// never waits on the store.
//
// Otherwise it returns an error wrapping ErrNotDurable and the cause, and
// counts it in NotDurable:
//   - ctx ended first: the interaction is still appended (or, if it never
//     reached the committer, kept in memory for the store), but the caller
//     answers without the guarantee;
//   - ErrSpoolFull, or the append failed: it waits in memory for the store
//     (dropped, and counted in Lost, when that queue is full too);
//   - ErrClosed: Log was called after Close; it is dropped and counted in
//     Lost.
//
// The caller decides what an error means; the web layer answers the chat
// anyway (a student is not refused for the staff log's sake).
func (w *Writer) Log(ctx context.Context, it vrrec.Interaction) error {
	line, err := json.Marshal(it)
	if err != nil {
		w.notDurable.Add(1)
		w.keep(it)
		return fmt.Errorf("%w: encode interaction %s: %w", ErrNotDurable, it.ID, err)
	}
	p := &pending{it: it, line: append(line, '\n'), done: make(chan error, 1)}
	w.mu.RLock()
	if w.closing {
		w.mu.RUnlock()
		w.notDurable.Add(1)
		w.lost.Add(1)
		w.log.Error("interaction lost: logged after the journal closed", "id", it.ID)
		return fmt.Errorf("%w: %w", ErrNotDurable, ErrClosed)
	}
	select {
	case w.reqs <- p:
	case <-ctx.Done():
		w.keep(it) // under the lock, so Close's storer still sees it
		w.mu.RUnlock()
		w.notDurable.Add(1)
		return fmt.Errorf("%w: %w", ErrNotDurable, ctx.Err())
	}
	w.mu.RUnlock()
	select {
	case err := <-p.done:
		if err != nil {
			w.notDurable.Add(1)
			return fmt.Errorf("%w: %w", ErrNotDurable, err)
		}
		return nil
	case <-ctx.Done():
		w.notDurable.Add(1)
		return fmt.Errorf("%w: append still pending: %w", ErrNotDurable, ctx.Err())
	}
}

// QueueDepth is how many interactions wait in memory for the store because
// they could not be made durable.
func (w *Writer) QueueDepth() int {
	w.memMu.Lock()
	defer w.memMu.Unlock()
	return len(w.memory)
}

// SpoolBytes is the size of the spool on disk, which MaxBytes caps: what
// waits for the store, and what was stored but is in a segment not yet
// deleted (the active one, until it fills or idles).
func (w *Writer) SpoolBytes() int64 {
	w.segMu.Lock()
	defer w.segMu.Unlock()
	return w.disk
}

// BacklogBytes is the part of the spool not yet stored.
func (w *Writer) BacklogBytes() int64 {
	w.segMu.Lock()
	defer w.segMu.Unlock()
	if len(w.segs) == 0 {
		return 0
	}
	return w.disk - w.segs[0].done
}

// Written is how many interactions reached the store (replays included).
func (w *Writer) Written() int64 { return w.written.Load() }

// NotDurable is how many Log calls returned before their interaction was
// durable (see Log).
func (w *Writer) NotDurable() int64 { return w.notDurable.Load() }

// SpoolFull is how many interactions the full spool turned away.
func (w *Writer) SpoolFull() int64 { return w.spoolFull.Load() }

// Lost is how many interactions were dropped: not durable and no room in
// memory, logged after Close, or still in memory when Close gave up.
func (w *Writer) Lost() int64 { return w.lost.Load() }

// Close stops accepting, waits for the appends in progress, then gives the
// storer a short while (closingTimeout) to store what waits; what the spool
// holds then is stored by the next start, and what only memory holds is
// lost (logged and counted). It returns early, with an error, when ctx
// ends.
func (w *Writer) Close(ctx context.Context) error {
	w.mu.Lock()
	if w.closing {
		w.mu.Unlock()
		return nil
	}
	w.closing = true
	close(w.reqs)
	w.mu.Unlock()
	select {
	case <-w.committed:
	case <-ctx.Done():
		w.stopStorer()
		return fmt.Errorf("journal: close: %w", ctx.Err())
	}
	close(w.finishing)
	timer := time.AfterFunc(closingTimeout, w.stopStorer)
	defer timer.Stop()
	select {
	case <-w.stored:
		return nil
	case <-ctx.Done():
		w.stopStorer()
		return fmt.Errorf("journal: close: %w", ctx.Err())
	}
}

// closingTimeout bounds the storing at Close, so shutdown never waits long
// on a hung store; the spool keeps what is left.
const closingTimeout = 2 * time.Second

// recordTimeout bounds one Record, so a store that hangs counts as down.
const recordTimeout = 15 * time.Second

// maxGroup bounds the interactions of one group commit.
const maxGroup = 4096

// commit is the committer: it gathers what waits and appends it as one
// group until Close.
func (w *Writer) commit() {
	defer close(w.committed)
	defer func() {
		if w.activeF != nil {
			if err := w.activeF.Close(); err != nil {
				w.log.Error("closing the spool segment", "err", err)
			}
		}
	}()
	idle := time.NewTicker(idleSeal)
	defer idle.Stop()
	appended := false
	group := make([]*pending, 0, 64)
	for {
		var p *pending
		select {
		case q, ok := <-w.reqs:
			if !ok {
				return
			}
			p = q
		case <-idle.C:
			if !appended {
				w.sealIfStored()
			}
			appended = false
			continue
		}
		group = append(group[:0], p)
		for more := true; more && len(group) < maxGroup; {
			select {
			case q, ok := <-w.reqs:
				if ok {
					group = append(group, q)
				} else {
					more = false
				}
			default:
				more = false
			}
		}
		w.appendGroup(group)
		clear(group)
		appended = true
	}
}

// idleSeal is how long the active segment must go without appends before
// it is sealed (and so deleted) once everything in it is stored: an idle
// spool empties, and a start replays nothing stored already.
const idleSeal = time.Second

func (w *Writer) sealIfStored() {
	if w.active == nil {
		return
	}
	w.segMu.Lock()
	stored := w.active.done >= w.active.size
	w.segMu.Unlock()
	if stored {
		w.seal()
	}
}

// appendGroup writes what fits under the cap in one write and one fsync,
// then answers every caller; the rest is kept in memory.
func (w *Writer) appendGroup(group []*pending) {
	w.segMu.Lock()
	room := w.opts.MaxBytes - w.disk
	w.segMu.Unlock()
	buf := w.groupBuf[:0]
	defer func() {
		if cap(buf) <= 1<<20 { // an outsized group's buffer goes
			w.groupBuf = buf[:0]
		}
	}()
	fit := 0
	for _, p := range group {
		if int64(len(buf)+len(p.line)) > room {
			break
		}
		buf = append(buf, p.line...)
		fit++
	}
	if rest := group[fit:]; len(rest) > 0 {
		if !w.full {
			w.full = true
			w.log.Warn("interaction spool full: chats still answer, interactions wait in memory for the database (not durable)",
				"max_bytes", w.opts.MaxBytes, "queue_size", w.opts.QueueSize)
		}
		w.spoolFull.Add(int64(len(rest)))
		w.refuse(rest, ErrSpoolFull)
	}
	if fit == 0 {
		return
	}
	if err := w.write(buf); err != nil {
		if !w.failing {
			w.failing = true
			w.log.Error("interaction spool append failed: interactions wait in memory for the database (not durable)", "err", err)
		}
		w.refuse(group[:fit], err)
		return
	}
	if w.failing {
		w.failing = false
		w.log.Info("interaction spool appends work again")
	}
	if w.full && fit == len(group) {
		w.full = false
		w.log.Info("interaction spool has room again")
	}
	w.notify()
	for _, p := range group[:fit] {
		p.done <- nil
	}
}

// refuse keeps interactions that could not be made durable in memory and
// tells their callers why.
func (w *Writer) refuse(group []*pending, cause error) {
	items := make([]vrrec.Interaction, len(group))
	for i, p := range group {
		items[i] = p.it
	}
	w.keep(items...)
	for _, p := range group {
		p.done <- cause
	}
}

// write appends buf to the active segment and fsyncs it, beginning a new
// segment when there is none or the active one is full. After a failure
// the segment is sealed at what is known to be on disk, and the next write
// begins a new one.
func (w *Writer) write(buf []byte) error {
	if w.active == nil || w.active.size >= w.opts.SegmentBytes {
		if err := w.rotate(); err != nil {
			return err
		}
	}
	_, err := w.activeF.Write(buf)
	if err == nil {
		err = w.activeF.Sync()
	}
	if err != nil {
		name := filepath.Base(w.active.path)
		w.seal()
		return fmt.Errorf("append to %s: %w", name, err)
	}
	w.segMu.Lock()
	w.active.size += int64(len(buf))
	w.disk += int64(len(buf))
	w.segMu.Unlock()
	return nil
}

// rotate seals the active segment and creates the next, making its name
// durable (the directory is fsynced) before anything is written to it.
func (w *Writer) rotate() error {
	w.seal()
	path := filepath.Join(w.dir, fmt.Sprintf("%s%020d%s", segmentPrefix, w.nextSeq, segmentSuffix))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("create spool segment: %w", err)
	}
	w.nextSeq++
	if err := syncDir(w.dir); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("create spool segment: %w", err)
	}
	seg := &segment{path: path}
	w.segMu.Lock()
	w.segs = append(w.segs, seg)
	w.segMu.Unlock()
	w.active, w.activeF = seg, f
	return nil
}

// seal ends appends to the active segment; the storer deletes it once
// everything in it is stored.
func (w *Writer) seal() {
	if w.active == nil {
		return
	}
	if err := w.activeF.Close(); err != nil {
		w.log.Warn("closing a spool segment", "path", w.active.path, "err", err)
	}
	w.segMu.Lock()
	w.active.sealed = true
	w.segMu.Unlock()
	w.notify() // a sealed, stored segment can go
	w.active, w.activeF = nil, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// keep queues interactions in memory for the store, dropping what does not
// fit in QueueSize.
func (w *Writer) keep(items ...vrrec.Interaction) {
	w.memMu.Lock()
	room := max(w.opts.QueueSize-len(w.memory), 0)
	n := min(room, len(items))
	w.memory = append(w.memory, items[:n]...)
	dropped := len(items) - n
	first := dropped > 0 && !w.dropping
	if dropped > 0 {
		w.dropping = true
	}
	w.memMu.Unlock()
	if dropped > 0 {
		w.lost.Add(int64(dropped))
		if first {
			w.log.Error("interactions lost: not durable and the in-memory queue is full", "queue_size", w.opts.QueueSize)
		}
	}
	w.notify()
}

func (w *Writer) notify() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// storeLoop is the storer: it copies the spool, then what waits in memory,
// to the store, retrying with backoff while the store fails, until Close.
func (w *Writer) storeLoop() {
	defer close(w.stored)
	var cur cursor
	defer cur.close()
	backoff := time.Duration(0)
	for {
		progress, err := w.storeSpool(&cur)
		if err == nil {
			var more bool
			more, err = w.storeMemory()
			progress = progress || more
		}
		if err != nil {
			if w.storeCtx.Err() != nil {
				break // Close gave up
			}
			backoff = next(backoff, w.opts)
			w.log.Warn("interaction store unavailable: interactions wait in the spool", "err", err, "retry_in", backoff)
			select {
			case <-time.After(backoff):
			case <-w.storeCtx.Done():
			}
			continue
		}
		backoff = 0
		if progress {
			continue
		}
		select {
		case <-w.finishing:
			// The committer is done and everything is stored.
			cur.close()
			w.dropStored()
			return
		default:
		}
		select {
		case <-w.wake:
			// Let a batch gather, unless Close is waiting.
			select {
			case <-time.After(w.opts.FlushEvery):
			case <-w.finishing:
			case <-w.storeCtx.Done():
			}
		case <-w.finishing:
		case <-w.storeCtx.Done():
		}
		if w.storeCtx.Err() != nil {
			break
		}
	}
	// Close gave up: the spool keeps its part for the next start.
	if n := w.QueueDepth(); n > 0 {
		w.lost.Add(int64(n))
		w.log.Error("interactions lost: kept in memory (not durable) and not stored before the journal closed", "count", n)
	}
}

// dropStored deletes the segments left once everything is stored and the
// committer is done (the last one was never sealed), so a clean stop
// leaves an empty spool.
func (w *Writer) dropStored() {
	w.segMu.Lock()
	defer w.segMu.Unlock()
	for len(w.segs) > 0 && w.segs[0].done >= w.segs[0].size {
		if err := os.Remove(w.segs[0].path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			w.log.Warn("stored spool segment not deleted", "path", w.segs[0].path, "err", err)
		}
		w.disk -= w.segs[0].size
		w.segs = w.segs[1:]
	}
}

func next(b time.Duration, o Options) time.Duration {
	if b == 0 {
		return o.MinBackoff
	}
	return min(2*b, o.MaxBackoff)
}

// cursor is the storer's place in the oldest segment.
type cursor struct {
	seg *segment
	f   *os.File
}

func (c *cursor) close() {
	if c.f != nil {
		c.f.Close()
	}
	*c = cursor{}
}

// storeSpool stores one batch from the oldest segment, or deletes that
// segment when it is sealed and stored. It reports whether it did either.
func (w *Writer) storeSpool(cur *cursor) (bool, error) {
	w.segMu.Lock()
	if len(w.segs) == 0 {
		w.segMu.Unlock()
		return false, nil
	}
	seg := w.segs[0]
	size, done, sealed := seg.size, seg.done, seg.sealed
	w.segMu.Unlock()
	if done >= size {
		if !sealed {
			return false, nil // caught up with the appends
		}
		cur.close()
		if err := os.Remove(seg.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			// It stays on disk and is stored again, harmlessly, at the next start.
			w.log.Warn("stored spool segment not deleted", "path", seg.path, "err", err)
		}
		w.segMu.Lock()
		w.segs = w.segs[1:]
		w.disk -= seg.size
		w.segMu.Unlock()
		return true, nil
	}
	if cur.seg != seg {
		cur.close()
		f, err := os.Open(seg.path)
		if err != nil {
			return false, fmt.Errorf("read spool: %w", err)
		}
		cur.seg, cur.f = seg, f
	}
	batch, used, err := w.readBatch(cur.f, done, size)
	if err != nil {
		return false, fmt.Errorf("read spool %s: %w", filepath.Base(seg.path), err)
	}
	if err := w.record(batch); err != nil {
		return false, err
	}
	w.segMu.Lock()
	seg.done += used
	w.segMu.Unlock()
	return true, nil
}

// readBatch reads up to BatchSize interactions from f between from and to,
// and how many bytes they took. A line a crash cut short (or garbled) is
// skipped.
func (w *Writer) readBatch(f *os.File, from, to int64) ([]vrrec.Interaction, int64, error) {
	r := bufio.NewReaderSize(io.NewSectionReader(f, from, to-from), 64<<10)
	var batch []vrrec.Interaction
	var used int64
	for len(batch) < w.opts.BatchSize {
		line, err := r.ReadBytes('\n')
		used += int64(len(line))
		if len(line) > 0 {
			var it vrrec.Interaction
			if json.Unmarshal(line, &it) == nil && it.ID != "" {
				batch = append(batch, it)
			} else {
				w.log.Warn("spool line skipped: cut short or garbled", "bytes", len(line))
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, 0, err
		}
	}
	return batch, used, nil
}

// storeMemory stores one batch of the interactions kept in memory.
func (w *Writer) storeMemory() (bool, error) {
	w.memMu.Lock()
	batch := slices.Clone(w.memory[:min(len(w.memory), w.opts.BatchSize)])
	w.memMu.Unlock()
	if len(batch) == 0 {
		return false, nil
	}
	if err := w.record(batch); err != nil {
		return false, err
	}
	w.memMu.Lock()
	w.memory = slices.Delete(w.memory, 0, len(batch)) // only the storer removes, from the front
	if len(w.memory) == 0 {
		w.dropping = false
	}
	w.memMu.Unlock()
	return true, nil
}

func (w *Writer) record(batch []vrrec.Interaction) error {
	if len(batch) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(w.storeCtx, recordTimeout)
	defer cancel()
	if err := w.store.Record(ctx, batch...); err != nil {
		return fmt.Errorf("store %d interactions: %w", len(batch), err)
	}
	w.written.Add(int64(len(batch)))
	return nil
}
