package bert

import (
	"slices"
	"strings"
	"unicode"
)

// multilingualVocab is the vocabulary size from which a model is taken to
// read many languages: English BERT vocabularies hold about 30,000 pieces,
// multilingual ones (mBERT 119,547, XLM-R 250,002) far more.
const multilingualVocab = 100_000

// Multilingual reports whether the model reads many languages, judged by
// the size of its vocabulary.
func (e *Encoder) Multilingual() bool { return e.m.wordEmb.rows >= multilingualVocab }

// Words returns the whole words of the vocabulary that IsWord accepts and
// that are made of letters only, sorted: a dictionary of real words for
// spelling correction. It is empty for tokenisers without whole-word
// entries (Unigram).
func (e *Encoder) Words() []string {
	wp, ok := e.tok.(*wordPiece)
	if !ok {
		return nil
	}
	var out []string
	for _, t := range wp.tokens {
		if t == "" || strings.HasPrefix(t, wp.prefix) {
			continue // IsWord rules out specials and [UNK]
		}
		letters := true
		for _, r := range t {
			if !unicode.IsLetter(r) {
				letters = false
				break
			}
		}
		if letters && e.IsWord(t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
