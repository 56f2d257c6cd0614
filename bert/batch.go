package bert

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Questions (Embed calls with one text, as a chat request makes) are
// micro-batched: they wait in a queue that up to GOMAXPROCS worker
// goroutines drain, each taking every question waiting (up to a batch's
// limits) into one forward pass. A short question's forward pass is bound by
// reading the weights, so a batch reads them once for all its questions
// instead of once each.
//
// A worker starts when a question arrives and fewer than GOMAXPROCS are
// running, and ends when it finds the queue empty: an idle encoder has no
// goroutines and a lone question starts at once. Questions that arrive while
// the workers are busy are the ones batched. A worker that starts while
// another is running (the encoder is busy) waits up to Batching.Wait after
// its oldest question arrived for more to join, unless its batch is already
// full.
//
// Sequences are packed without padding (see scratch), so a question's
// vector is the same in a batch as alone.

// Batching bounds the batches of questions.
type Batching struct {
	// MaxQuestions is the most questions in one forward pass.
	MaxQuestions int
	// MaxTokens is the most tokens in one forward pass, which bounds its
	// activation memory (about 15 KB a token for MiniLM); a question longer
	// than this runs alone.
	MaxTokens int
	// Wait is the longest a busy encoder's worker waits for more questions
	// to join a batch that is not full, counted from its oldest question's
	// arrival; 0 never waits.
	Wait time.Duration
}

// DefaultBatching is the encoder's batching unless WithBatching says
// otherwise.
var DefaultBatching = Batching{MaxQuestions: 32, MaxTokens: 512, Wait: time.Millisecond}

// WithBatching returns an encoder sharing e's model whose questions are
// batched within b; limits below 1 become 1, a negative wait 0.
func (e *Encoder) WithBatching(b Batching) *Encoder {
	b.MaxQuestions, b.MaxTokens, b.Wait = max(b.MaxQuestions, 1), max(b.MaxTokens, 1), max(b.Wait, 0)
	return &Encoder{
		m: e.m, tok: e.tok, cls: e.cls, sep: e.sep, maxTokens: e.maxTokens,
		lowerText: e.lowerText, pooling: e.pooling, name: e.name,
		batch: batcher{limits: b},
	}
}

// question is one text waiting for its vector.
type question struct {
	ids     []int32   // [CLS] wordpieces [SEP]
	out     []float32 // [H] the vector, once done is closed
	arrived time.Time
	done    chan struct{}
	dropped bool // under batcher.mu: the caller gave up before a worker took it
}

// batcher is the queue of questions and the count of its workers.
type batcher struct {
	limits Batching

	mu      sync.Mutex
	queue   []*question
	workers int

	passes, questions atomic.Int64 // forward passes run and questions answered
}

// BatchStats returns how many forward passes the batched questions took and
// how many questions they answered since the encoder was loaded: their ratio
// is the mean batch size.
func (e *Encoder) BatchStats() (passes, questions int64) {
	return e.batch.passes.Load(), e.batch.questions.Load()
}

// ask returns the vector of one text, computed in a batch with the questions
// of concurrent calls.
func (e *Encoder) ask(ctx context.Context, text string) ([]float32, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	q := &question{ids: e.tokens(text, nil), out: make([]float32, e.Dim()), done: make(chan struct{})}
	b := &e.batch
	b.mu.Lock()
	q.arrived = time.Now()
	b.queue = append(b.queue, q)
	if b.workers < runtime.GOMAXPROCS(0) {
		b.workers++
		go e.work()
	}
	b.mu.Unlock()
	select {
	case <-q.done:
		return q.out, nil
	case <-ctx.Done():
		b.mu.Lock()
		q.dropped = true
		b.mu.Unlock()
		return nil, ctx.Err()
	}
}

// work runs batches of questions until the queue is empty.
func (e *Encoder) work() {
	s := e.scratch.get()
	defer e.scratch.put(s)
	var batch []*question
	var out [][]float32
	for {
		batch = e.batch.take(batch[:0])
		if len(batch) == 0 {
			return
		}
		s.ids, s.starts, out = s.ids[:0], append(s.starts[:0], 0), out[:0]
		for _, q := range batch {
			s.ids = append(s.ids, q.ids...)
			s.starts = append(s.starts, len(s.ids))
			out = append(out, q.out)
		}
		e.encode(s, out)
		e.batch.passes.Add(1)
		e.batch.questions.Add(int64(len(batch)))
		for _, q := range batch {
			close(q.done)
		}
		clear(batch)
	}
}

// take appends to batch the questions of the next forward pass, oldest
// first, and returns it; it returns it empty, and counts the calling worker
// as ended, when no question waits.
func (b *batcher) take(batch []*question) []*question {
	b.mu.Lock()
	defer b.mu.Unlock()
	tokens := 0
	batch, tokens = b.fill(batch, tokens)
	if len(batch) == 0 {
		b.workers--
		return batch
	}
	if b.workers > 1 && len(batch) < b.limits.MaxQuestions && b.limits.Wait > 0 {
		if left := b.limits.Wait - time.Since(batch[0].arrived); left > 0 {
			b.mu.Unlock()
			time.Sleep(left)
			b.mu.Lock()
			batch, _ = b.fill(batch, tokens)
		}
	}
	return batch
}

// fill moves questions from the head of the queue to batch while they fit
// its limits (the first always fits) and skips those dropped. b.mu is held.
func (b *batcher) fill(batch []*question, tokens int) ([]*question, int) {
	i := 0
	for ; i < len(b.queue) && len(batch) < b.limits.MaxQuestions; i++ {
		q := b.queue[i]
		if q.dropped {
			continue
		}
		if len(batch) > 0 && tokens+len(q.ids) > b.limits.MaxTokens {
			break
		}
		batch = append(batch, q)
		tokens += len(q.ids)
	}
	n := copy(b.queue, b.queue[i:])
	clear(b.queue[n:])
	b.queue = b.queue[:n]
	return batch, tokens
}

// scratchPool keeps the activation buffers of finished forward passes for
// the next ones: at most one set per goroutine that can run a pass at once
// (the batch workers and a bulk Embed's goroutines), so memory does not grow
// with the number of waiting questions.
type scratchPool struct {
	mu   sync.Mutex
	free []*scratch
}

func (p *scratchPool) get() *scratch {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 {
		s := p.free[n-1]
		p.free = p.free[:n-1]
		return s
	}
	return new(scratch)
}

func (p *scratchPool) put(s *scratch) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.free) < 2*runtime.GOMAXPROCS(0) {
		p.free = append(p.free, s)
	}
}
