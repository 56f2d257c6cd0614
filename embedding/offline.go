// Package embedding turns text into vectors for similarity search: a built-in
// offline embedder that learns from the catalog's own texts, and a cache that
// embeds each text once per model.
package embedding

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strings"

	"github.com/vrrec/vrrec"
)

// Options tune the offline embedder. The zero value selects the defaults.
type Options struct {
	Dim       int     // vector size; default 1024
	Hashes    int     // vector positions per term; default 8
	Neighbors int     // related terms kept per term; default 6
	Spread    float64 // weight of related terms relative to the term itself; default 0.5
	MinPMI    float64 // weakest association kept, as log(observed/expected); default 1.0
}

func (o Options) withDefaults() Options {
	if o.Dim <= 0 {
		o.Dim = 1024
	}
	if o.Hashes <= 0 {
		o.Hashes = 8
	}
	if o.Neighbors <= 0 {
		o.Neighbors = 6
	}
	if o.Spread <= 0 {
		o.Spread = 0.5
	}
	if o.MinPMI <= 0 {
		o.MinPMI = 1.0
	}
	return o
}

// Offline is an embedder that needs no downloaded weights. A text becomes a
// bag of weighted terms (word stems, and adjacent words joined so "cyber
// security" meets "cybersecurity"), abbreviations expand to what they stand
// for ("ML" to "machine learning"), misspelled words are corrected against the
// corpus vocabulary, and each term spreads some weight to the terms it
// co-occurs with in the corpus (so "brain" reaches "neuroscience" when course
// descriptions use them together). The bag is hashed into a fixed-size vector.
// Offline is immutable after Train and safe for concurrent use.
type Offline struct {
	opts    Options
	name    string
	docs    int
	idf     map[string]float64 // term -> inverse document frequency
	maxIDF  float64
	related map[string][]related
	abbrev  map[string][]string // word -> terms of its expansion
	speller *speller
}

type related struct {
	term   string
	weight float64 // (0, 1], relative to the term's strongest association
}

var _ vrrec.Embedder = (*Offline)(nil)

// Corpus is what the offline embedder learns from.
type Corpus struct {
	// Docs are texts whose words relate to each other: a course description
	// with the names of the skills it teaches, an app with its features.
	Docs []string
	// Abbreviations maps a short form ("ML") to what it stands for ("Machine
	// Learning"); they add to the built-in table and win over it.
	Abbreviations map[string]string
}

// Train learns vocabulary, term weights and associations from the corpus.
// It is deterministic: the same corpus and options give the same embedder,
// with the same Name.
func Train(c Corpus, opts Options) *Offline {
	opts = opts.withDefaults()
	e := &Offline{opts: opts, docs: len(c.Docs), idf: map[string]float64{}, abbrev: map[string][]string{}}

	abbrevText := make(map[string]string, len(builtinAbbreviations)+len(c.Abbreviations))
	for k, v := range builtinAbbreviations {
		abbrevText[k] = v
	}
	for k, v := range c.Abbreviations {
		abbrevText[strings.ToLower(k)] = v
	}

	// First pass: document frequency of terms, and the surface words the
	// speller may correct towards.
	wordFreq := map[string]int{}
	docTerms := make([][]string, len(c.Docs))
	df := map[string]int{}
	for i, d := range c.Docs {
		words := tokens(d)
		for _, w := range words {
			if w != "" {
				wordFreq[w]++
			}
		}
		terms := uniqueTerms(words, nil, nil)
		docTerms[i] = terms
		for _, t := range terms {
			df[t]++
		}
	}
	n := float64(len(c.Docs))
	e.maxIDF = math.Log(n+1) + 1
	for t, f := range df {
		e.idf[t] = math.Log((n+1)/(float64(f)+1)) + 1
	}
	for k, v := range abbrevText {
		e.abbrev[k] = uniqueTerms(tokens(v), nil, nil)
	}
	e.speller = newSpeller(wordFreq, e.abbrev)
	e.related = associations(docTerms, df, opts)
	e.name = e.fingerprint(c, abbrevText)
	return e
}

// maxPhraseWords is the longest phrase (a skill name, a feature, a title)
// whose adjacent words training joins into pair terms; in longer prose most
// neighbours are not phrases.
const maxPhraseWords = 4

// uniqueTerms returns the distinct terms of a token sequence: stems of topic
// words, and the stem of adjacent words joined into one word. Without a
// vocabulary (training) pairs come from short phrases only; with one, every
// pair the vocabulary knows, as a pair or as a single word, is kept.
func uniqueTerms(toks []string, vocab map[string]float64, seen map[string]bool) []string {
	if seen == nil {
		seen = map[string]bool{}
	}
	var terms []string
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			terms = append(terms, t)
		}
	}
	for start := 0; start < len(toks); {
		end := start
		for end < len(toks) && toks[end] != "" {
			end++
		}
		phrase := toks[start:end]
		pairs := vocab != nil || topicCount(phrase) <= maxPhraseWords
		prev := ""
		for _, w := range phrase {
			if functionWords[w] {
				prev = ""
				continue
			}
			if !fillerWords[w] {
				add(stem(w))
			}
			if prev != "" && pairs {
				pair := stem(prev + w)
				if _, known := vocab[pair]; vocab == nil || known {
					add(pair)
				}
			}
			prev = w
		}
		start = end + 1
	}
	return terms
}

func topicCount(words []string) int {
	n := 0
	for _, w := range words {
		if !functionWords[w] {
			n++
		}
	}
	return n
}

// maxDocTerms bounds the terms of one document that co-occurrence counts.
const maxDocTerms = 40

// associations keeps, for each term, its strongest co-occurring terms by
// discounted pointwise mutual information over documents.
func associations(docTerms [][]string, df map[string]int, opts Options) map[string][]related {
	n := len(docTerms)
	maxDF := max(2, n/4) // terms in a quarter of all documents say little
	ids := map[string]int32{}
	var names []string
	for t, f := range df {
		// Numbers (course ids, years) co-occur by accident, not meaning.
		if f >= 2 && f <= maxDF && !isNumber(t) {
			ids[t] = 0
			names = append(names, t)
		}
	}
	slices.Sort(names)
	for i, t := range names {
		ids[t] = int32(i)
	}
	co := map[uint64]int32{}
	for _, terms := range docTerms {
		var idx []int32
		for _, t := range terms {
			if id, ok := ids[t]; ok {
				idx = append(idx, id)
			}
		}
		// A long document pairs every term with every other; its rarest
		// terms carry its topic, and keeping only those bounds the work
		// (and the memory) at maxDocTerms² pairs per document.
		if len(idx) > maxDocTerms {
			slices.SortFunc(idx, func(a, b int32) int {
				if c := cmp.Compare(df[names[a]], df[names[b]]); c != 0 {
					return c
				}
				return cmp.Compare(a, b)
			})
			idx = idx[:maxDocTerms]
		}
		for i := range idx {
			for j := i + 1; j < len(idx); j++ {
				a, b := idx[i], idx[j]
				if a > b {
					a, b = b, a
				}
				co[uint64(a)<<32|uint64(b)]++
			}
		}
	}
	cand := make([][]related, len(names))
	for k, c := range co {
		if c < 2 {
			continue
		}
		a, b := names[k>>32], names[k&0xffffffff]
		pmi := math.Log(float64(c)*float64(n)/(float64(df[a])*float64(df[b]))) * float64(c) / float64(c+1)
		if pmi < opts.MinPMI {
			continue
		}
		cand[k>>32] = append(cand[k>>32], related{b, pmi})
		cand[k&0xffffffff] = append(cand[k&0xffffffff], related{a, pmi})
	}
	out := make(map[string][]related, len(names))
	for i, rs := range cand {
		if len(rs) == 0 {
			continue
		}
		slices.SortFunc(rs, func(x, y related) int {
			if c := cmp.Compare(y.weight, x.weight); c != 0 {
				return c
			}
			return cmp.Compare(x.term, y.term)
		})
		rs = rs[:min(len(rs), opts.Neighbors)]
		top := rs[0].weight
		for j := range rs {
			rs[j].weight /= top
		}
		out[names[i]] = slices.Clip(rs)
	}
	return out
}

func (e *Offline) fingerprint(c Corpus, abbrev map[string]string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%+v\n", e.opts)
	for _, d := range c.Docs {
		h.Write([]byte(d))
		h.Write([]byte{0})
	}
	keys := make([]string, 0, len(abbrev))
	for k := range abbrev {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "%s=%s\n", k, abbrev[k])
	}
	return "offline-v1-" + hex.EncodeToString(h.Sum(nil)[:6])
}

// Name implements vrrec.Embedder; it changes whenever the corpus or options do.
func (e *Offline) Name() string { return e.name }

// Embed implements vrrec.Embedder. It never fails.
func (e *Offline) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = e.Vector(t)
	}
	return out, nil
}

// Terms returns the weighted terms of a text before hashing: its own terms at
// their inverse document frequency, plus related terms at a share of it.
func (e *Offline) Terms(text string) map[string]float64 {
	words := e.correct(tokens(text))
	direct := map[string]float64{}
	seen := map[string]bool{}
	for _, t := range uniqueTerms(words, e.idf, seen) {
		direct[t] = e.weight(t)
	}
	for _, w := range words {
		for _, t := range e.abbrev[w] {
			if _, ok := direct[t]; !ok {
				direct[t] = e.weight(t)
			}
		}
	}
	bag := make(map[string]float64, len(direct)*(1+e.opts.Neighbors))
	for t, w := range direct {
		bag[t] += w
		for _, r := range e.related[t] {
			bag[r.term] += w * e.opts.Spread * r.weight
		}
	}
	return bag
}

func (e *Offline) weight(term string) float64 {
	if w, ok := e.idf[term]; ok {
		return w
	}
	return e.maxIDF
}

// correct replaces words the corpus has never seen by their closest known
// spelling, keeping words that are abbreviations or too short to judge.
func (e *Offline) correct(words []string) []string {
	for i, w := range words {
		if functionWords[w] || fillerWords[w] || e.abbrev[w] != nil || e.speller.known(w) {
			continue
		}
		if fix, ok := e.speller.suggest(w); ok {
			words[i] = fix
		}
	}
	return words
}

// Vector returns the L2-normalised vector of text; the zero vector when the
// text has no topic words.
func (e *Offline) Vector(text string) []float32 {
	v := make([]float64, e.opts.Dim)
	for t, w := range e.Terms(text) {
		h := fnv.New64a()
		h.Write([]byte(t))
		x := h.Sum64()
		// Several signed positions per term: two terms that collide share
		// one position of many, so no single collision makes unrelated
		// texts look alike.
		share := w / math.Sqrt(float64(e.opts.Hashes))
		for k := 0; k < e.opts.Hashes; k++ {
			pos := int(x % uint64(e.opts.Dim))
			if x&(1<<63) != 0 {
				v[pos] -= share
			} else {
				v[pos] += share
			}
			x = mix(x)
		}
	}
	return Normalize(v)
}

// mix is the MurmurHash3 finaliser: a second, independent position per term.
func mix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// Normalize returns v scaled to unit length as float32; the zero vector stays zero.
func Normalize(v []float64) []float32 {
	var sum float64
	for _, x := range v {
		sum += x * x
	}
	out := make([]float32, len(v))
	if sum == 0 {
		return out
	}
	inv := 1 / math.Sqrt(sum)
	for i, x := range v {
		out[i] = float32(x * inv)
	}
	return out
}

func isNumber(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
