package rag

import (
	"math"

	"github.com/vrrec/vrrec/text"
)

// BM25 parameters: Anserini's defaults, which suit short documents.
const (
	bm25K1 = 0.9
	bm25B  = 0.4
)

// lexicalIndex is a BM25 index over documents (one per app). Terms are word
// stems and adjacent words joined ("cyber security" meets "cybersecurity",
// "machine learning" becomes one term too).
type lexicalIndex struct {
	tf   []map[string]float64 // per document: term -> frequency
	lens []float64
	avg  float64
	df   map[string]int
	// known holds every term of the catalog at large (apps, courses,
	// skills): a phrase courses use ("machine learning") counts as one
	// concept in a query even when no app has it.
	known map[string]bool
}

// newLexicalIndex indexes documents, each given as its phrases (a name, a
// sentence, a skill): words form pairs only inside a phrase. other are the
// catalog's other texts, whose terms are known but not searched.
func newLexicalIndex(docs [][]string, other []string) *lexicalIndex {
	x := &lexicalIndex{df: map[string]int{}, known: map[string]bool{}}
	for _, p := range other {
		for _, t := range phraseTerms(text.Tokens(p)) {
			x.known[t] = true
		}
	}
	total := 0.0
	for _, phrases := range docs {
		tf := map[string]float64{}
		n := 0.0
		for _, p := range phrases {
			for _, t := range phraseTerms(text.Tokens(p)) {
				tf[t]++
				n++
			}
		}
		for t := range tf {
			x.df[t]++
			x.known[t] = true
		}
		x.tf = append(x.tf, tf)
		x.lens = append(x.lens, n)
		total += n
	}
	if len(docs) > 0 {
		x.avg = total / float64(len(docs))
	}
	return x
}

// phraseTerms returns the terms of a token sequence (text.Tokens: an empty
// token ends a phrase): the stem of every topic word, and the stem of every
// two adjacent words joined.
func phraseTerms(toks []string) []string {
	var out []string
	prev := ""
	for _, w := range toks {
		if w == "" || text.IsFunctionWord(w) {
			prev = ""
			continue
		}
		if text.IsTopicWord(w) {
			out = append(out, text.Stem(w))
		}
		if prev != "" {
			out = append(out, text.Stem(prev+w))
		}
		prev = w
	}
	return out
}

// queryTerms returns the distinct terms of query words: the stems of its
// topic words, and each adjacent pair the index knows as one term.
func (x *lexicalIndex) queryTerms(words []string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for i, w := range words {
		if text.IsTopicWord(w) && len(w) > 1 {
			add(text.Stem(w))
		}
		if i > 0 && !text.IsFunctionWord(w) && !text.IsFunctionWord(words[i-1]) {
			if pair := text.Stem(words[i-1] + w); x.known[pair] {
				add(pair)
			}
		}
	}
	return out
}

// idf is BM25's inverse document frequency (Lucene's form, never negative).
// A term no document has gets the highest value: it is what the query is
// about, and the catalog does not cover it.
func (x *lexicalIndex) idf(t string) float64 {
	n := float64(len(x.tf))
	df := float64(x.df[t])
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// scores returns, per document, the BM25 score of the terms divided by the
// score of a document of average length holding each term once, so 1 means
// "every query term, as a typical document has it" and a query whose main
// word the catalog never uses cannot reach it. It also returns, per
// document, the query terms it holds.
func (x *lexicalIndex) scores(terms []string) ([]float64, [][]string) {
	out := make([]float64, len(x.tf))
	matched := make([][]string, len(x.tf))
	norm := 0.0
	for _, t := range terms {
		idf := x.idf(t)
		norm += idf
		if x.df[t] == 0 {
			continue
		}
		for d, tf := range x.tf {
			f := tf[t]
			if f == 0 {
				continue
			}
			out[d] += idf * f * (bm25K1 + 1) / (f + bm25K1*(1-bm25B+bm25B*x.lens[d]/x.avg))
			matched[d] = append(matched[d], t)
		}
	}
	if norm > 0 {
		for d := range out {
			out[d] /= norm
		}
	}
	return out, matched
}

// modifiers returns the query's words that the catalog never uses and that
// qualify a word it does use: "sign" in "sign language", "tax" in "tax
// law" when the catalog knows "law". Such a word changes what the query
// asks for, and no app's text says it. Only real words count (isWord), so a
// typo is not taken for a new concept.
func (x *lexicalIndex) modifiers(words []string, isWord func(string) bool) []string {
	var out []string
	for i := 0; i+1 < len(words); i++ {
		w, head := words[i], words[i+1]
		if !text.IsTopicWord(w) || len(w) < 3 || !isWord(w) || x.known[text.Stem(w)] {
			continue
		}
		if text.IsTopicWord(head) && x.known[text.Stem(head)] {
			out = append(out, w)
		}
	}
	return out
}

// share returns the part of the query's information (idf) that words hold.
func (x *lexicalIndex) share(words, of []string) float64 {
	total, part := 0.0, 0.0
	for _, w := range of {
		if !text.IsTopicWord(w) || len(w) < 2 {
			continue
		}
		idf := x.idf(text.Stem(w))
		total += idf
		for _, m := range words {
			if m == w {
				part += idf
				break
			}
		}
	}
	if total == 0 {
		return 0
	}
	return part / total
}
