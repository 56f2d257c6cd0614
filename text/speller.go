package text

import (
	"strings"
	"unicode"
)

// Speller corrects a misspelled word to the nearest word of the corpus, by the
// symmetric-delete method: two words within one edit of each other share a
// one-letter deletion, so candidates are found by map lookups instead of
// comparing against the whole vocabulary.
type Speller struct {
	freq    map[string]int      // corpus word -> occurrences
	deletes map[string][]string // word with one letter removed -> corpus words
}

// minCorrectable is the shortest word the speller corrects; shorter words are
// too often abbreviations or real words the corpus lacks.
const minCorrectable = 5

func NewSpeller(freq map[string]int, abbrev map[string][]string) *Speller {
	s := &Speller{freq: freq, deletes: map[string][]string{}}
	for w := range freq {
		if len(w) < minCorrectable-1 || strings.IndexFunc(w, unicode.IsDigit) >= 0 {
			continue
		}
		for _, d := range deletions(w) {
			s.deletes[d] = append(s.deletes[d], w)
		}
	}
	for w := range abbrev {
		s.freq[w] += 0 // abbreviations are known words, never corrected
	}
	return s
}

func (s *Speller) Known(w string) bool {
	_, ok := s.freq[w]
	return ok || len(w) < minCorrectable || strings.IndexFunc(w, unicode.IsDigit) >= 0
}

// Suggest returns the corpus word closest to w: the fewest edits (at most one
// for words under eight letters, two for longer ones), then the most frequent.
func (s *Speller) Suggest(w string) (string, bool) {
	limit := 1
	if len(w) >= 8 {
		limit = 2
	}
	best, bestDist, bestFreq := "", limit+1, 0
	consider := func(c string) {
		d := EditDistance(w, c, limit)
		if d > limit {
			return
		}
		f := s.freq[c]
		if d < bestDist || d == bestDist && (f > bestFreq || f == bestFreq && c < best) {
			best, bestDist, bestFreq = c, d, f
		}
	}
	for _, c := range s.deletes[w] { // w lacks a letter
		consider(c)
	}
	for _, d := range deletions(w) {
		if _, ok := s.freq[d]; ok { // w has an extra letter
			consider(d)
		}
		for _, c := range s.deletes[d] { // a letter replaced or two swapped
			consider(c)
		}
	}
	return best, best != ""
}

func deletions(w string) []string {
	r := []rune(w)
	out := make([]string, 0, len(r))
	for i := range r {
		out = append(out, string(r[:i])+string(r[i+1:]))
	}
	return out
}

// EditDistance is the optimal-string-alignment distance (insertions,
// deletions, substitutions and swaps of neighbours), or limit+1 when it is
// larger than limit.
func EditDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(rb)], limit+1)
}
