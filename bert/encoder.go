// Package bert is a pure-Go sentence-embedding encoder for BERT-family
// models in the sentence-transformers layout (such as all-MiniLM-L6-v2): the
// WordPiece tokeniser, the transformer forward pass in float32, pooling and
// L2 normalisation, reproducing what sentence-transformers computes for the
// same directory.
//
// The forward pass is written one small function per operation (model.go);
// the matrix products, where the time goes, run on a blocked kernel that is
// written in assembly for amd64 CPUs with AVX2 and FMA and in Go elsewhere.
package bert

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
)

// pooling is how token vectors become one sentence vector.
type pooling int

const (
	poolMean pooling = iota // mean over all tokens, [CLS] and [SEP] included
	poolCLS                 // the vector of the first token
	poolMax                 // element-wise maximum over all tokens
)

// Encoder embeds texts with a loaded model. Its model is immutable after
// loading and it is safe for concurrent use; each forward pass borrows its
// activation buffers from a pool.
type Encoder struct {
	m         model
	tok       tokenizer
	cls, sep  int32 // ids that open and close every sequence
	maxTokens int   // sequence length limit, special tokens included
	lowerText bool  // sentence_bert_config.json do_lower_case: lower-case before tokenising
	pooling   pooling
	name      string

	scratch scratchPool // activations, one set per forward pass in progress
	batch   batcher     // questions waiting for a forward pass
}

// Name identifies the model and its exact weights, for example
// "bert:all-MiniLM-L6-v2:q8:3f2a9c01b4d7": the model's name (the "name" in
// the weights file's metadata, else the directory's base name), the storage
// type of its weights (f32, f16, bf16 or q8) and the first 12 hex digits of
// the SHA-256 of the weights file. Vectors from encoders with different names
// are not comparable.
func (e *Encoder) Name() string { return e.name }

// Dim is the length of the vectors Embed returns.
func (e *Encoder) Dim() int { return e.m.hidden }

// MaxTokens is the longest sequence the encoder reads, [CLS] and [SEP]
// included; the wordpieces of longer texts are truncated at the end.
func (e *Encoder) MaxTokens() int { return e.maxTokens }

// Tokenize returns the wordpieces of text as the model sees them, without the
// [CLS] and [SEP] that frame every sequence and before truncation.
func (e *Encoder) Tokenize(text string) []string {
	ids := e.tok.encode(e.prepare(text), nil)
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = e.tok.token(id)
	}
	return out
}

// IsWord reports whether w, lower-cased and stripped of accents, is a whole
// word of the vocabulary: a single entry, not a "##" continuation piece, not
// [UNK] or another special token. "tax" is a word; "pyhton" is not (it splits
// into pieces).
func (e *Encoder) IsWord(w string) bool { return e.tok.isWord(w) }

// Embed returns one unit-length vector of Dim() floats per text, in order.
// The vectors follow the model's pooling (mean, CLS or max) and are always
// L2-normalised, also when the model directory has no Normalize module,
// because callers compare them by dot product.
//
// A call with one text (a question) joins the questions of concurrent calls
// in one forward pass (batch.go); a call with several texts embeds them in
// parallel on up to GOMAXPROCS goroutines. Either way a text's vector is the
// same as when it is embedded alone. Embed checks ctx before each text and
// while a question waits; once ctx is done it stops and returns ctx's error
// and no vectors.
func (e *Encoder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if len(texts) == 1 {
		v, err := e.ask(ctx, texts[0])
		if err != nil {
			return nil, fmt.Errorf("bert: embed 1 text: %w", err)
		}
		return [][]float32{v}, nil
	}
	dim := e.Dim()
	flat := make([]float32, len(texts)*dim)
	out := make([][]float32, len(texts))
	for i := range out {
		out[i] = flat[i*dim : (i+1)*dim : (i+1)*dim]
	}
	workers := min(runtime.GOMAXPROCS(0), len(texts))
	var next, done atomic.Int64
	work := func() {
		s := e.scratch.get()
		defer e.scratch.put(s)
		for ctx.Err() == nil {
			i := int(next.Add(1) - 1)
			if i >= len(texts) {
				return
			}
			s.ids, s.starts = e.tokens(texts[i], s.ids[:0]), append(s.starts[:0], 0, 0)
			s.starts[1] = len(s.ids)
			e.encode(s, out[i:i+1])
			done.Add(1)
		}
	}
	if workers <= 1 {
		work()
	} else {
		var wg sync.WaitGroup
		for range workers {
			wg.Go(work)
		}
		wg.Wait()
	}
	if int(done.Load()) < len(texts) {
		return nil, fmt.Errorf("bert: embed %d texts: %w", len(texts), ctx.Err())
	}
	return out, nil
}

// tokens appends to ids the token ids of text as the model reads it:
// [CLS], its wordpieces cut to fit maxTokens, [SEP].
func (e *Encoder) tokens(text string, ids []int32) []int32 {
	start := len(ids)
	ids = append(ids, e.cls)
	ids = e.tok.encode(e.prepare(text), ids)
	if len(ids)-start > e.maxTokens-1 {
		ids = ids[:start+e.maxTokens-1]
	}
	return append(ids, e.sep)
}

// encode runs the model on the sequences in s.ids and s.starts and writes
// the vector of sequence b to out[b].
func (e *Encoder) encode(s *scratch, out [][]float32) {
	x := e.m.forward(s)
	H := e.m.hidden
	for b := range len(s.starts) - 1 {
		lo, hi := s.starts[b], s.starts[b+1]
		pool(out[b], x[lo*H:hi*H], hi-lo, H, e.pooling)
		normalize(out[b])
	}
}

// prepare does what sentence-transformers does to a text before its
// tokenizer sees it: strip leading and trailing whitespace (as Python's
// str.strip, which also counts U+001C..U+001F) and, when
// sentence_bert_config.json says do_lower_case, lower-case it.
func (e *Encoder) prepare(text string) string {
	text = strings.TrimFunc(text, func(r rune) bool { return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f })
	if e.lowerText {
		text = strings.ToLower(text)
	}
	return text
}
