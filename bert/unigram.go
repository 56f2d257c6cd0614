package bert

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// unigram reproduces Hugging Face's Unigram model with the Metaspace
// pre-tokenizer, the SentencePiece tokenizer of XLM-RoBERTa models such as
// the multilingual MiniLMs. The added special tokens ("<s>", "<mask>", ...)
// are matched verbatim in the raw text; the rest is normalised, spaces become
// "▁" with one put in front of each stretch of text, the text is split before
// every "▁", and each word is cut into the vocabulary pieces of highest total
// score (log-probability) by the Viterbi algorithm. A character that no
// piece covers becomes <unk>; consecutive unknown characters make one <unk>.
//
// Normalisation is NFKC, an approximation of the precompiled character map
// of SentencePiece models (which is NFKC with a few additions), followed by
// collapsing runs of spaces when the tokenizer asks for it.
type unigram struct {
	vocab    map[string]int32
	tokens   []string
	scores   []float64
	unk      int32
	unkScore float64 // the score of an unknown character: the lowest score minus 10
	maxLen   int     // longest piece, in bytes
	specials []special

	nfkc, collapseSpaces bool
	prepend              string // "always", "first" or "never"
	split                bool   // split words before each "▁"
	whitespaceSplit      bool   // split on whitespace before Metaspace
}

const metaspace = "▁"

func (u *unigram) token(id int32) string { return u.tokens[id] }

func (u *unigram) normalize(s string) string {
	if u.nfkc {
		s = norm.NFKC.String(s)
	}
	if u.collapseSpaces && strings.Contains(s, "  ") {
		var b strings.Builder
		for i, r := range s {
			if r != ' ' || i == 0 || s[i-1] != ' ' {
				b.WriteRune(r)
			}
		}
		s = b.String()
	}
	return s
}

func (u *unigram) encode(text string, ids []int32) []int32 {
	first := true
	splitAddedTokens(text, u.specials, func(seg string, special bool) {
		if special {
			ids = append(ids, u.vocab[seg])
			first = false
			return
		}
		s := u.normalize(seg)
		words := []string{s}
		if u.whitespaceSplit {
			words = strings.FieldsFunc(s, unicode.IsSpace)
		}
		for _, w := range words {
			if w == "" {
				continue
			}
			w = strings.ReplaceAll(w, " ", metaspace)
			if (u.prepend == "always" || u.prepend == "first" && first) && !strings.HasPrefix(w, metaspace) {
				w = metaspace + w
			}
			first = false
			// Split before every "▁", keeping it with the text after it.
			for w != "" {
				end := len(w)
				if i := strings.Index(w[1:], metaspace); i >= 0 && u.split {
					end = i + 1
				}
				ids = u.viterbi(w[:end], ids)
				w = w[end:]
			}
		}
	})
	return ids
}

// viterbi appends the pieces of word with the highest total score.
func (u *unigram) viterbi(word string, ids []int32) []int32 {
	type node struct {
		score float64
		start int // -1: not reached yet
		id    int32
	}
	best := make([]node, len(word)+1)
	for i := range best {
		best[i].start = -1
	}
	best[0].start = 0
	for start := 0; start < len(word); {
		if best[start].start < 0 { // not a character boundary reached by any path
			start++
			continue
		}
		_, size := utf8.DecodeRuneInString(word[start:])
		base, single := best[start].score, false
		for end := start + size; end <= min(len(word), start+u.maxLen); {
			if id, ok := u.vocab[word[start:end]]; ok {
				if s := base + u.scores[id]; best[end].start < 0 || s > best[end].score {
					best[end] = node{s, start, id}
				}
				single = single || end == start+size
			}
			if end == len(word) {
				break
			}
			_, next := utf8.DecodeRuneInString(word[end:])
			end += next
		}
		if !single {
			if s := base + u.unkScore; best[start+size].start < 0 || s > best[start+size].score {
				best[start+size] = node{s, start, u.unk}
			}
		}
		start += size
	}
	// Walk back from the end, fusing runs of unknown characters.
	n0 := len(ids)
	for end := len(word); end > 0; {
		nd := best[end]
		if nd.id == u.unk {
			for nd.start > 0 && best[nd.start].id == u.unk {
				nd.start = best[nd.start].start
			}
			id, ok := u.vocab[word[nd.start:end]]
			if !ok {
				id = u.unk
			}
			ids = append(ids, id)
		} else {
			ids = append(ids, nd.id)
		}
		end = nd.start
	}
	slices.Reverse(ids[n0:])
	return ids
}

func (u *unigram) isWord(w string) bool {
	s := u.normalize(strings.ToLower(normalizeText(w, false, true, false)))
	if s == "" || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || isPunct(r) }) {
		return false
	}
	id, ok := u.vocab[metaspace+s]
	return ok && id != u.unk
}

// newUnigram builds the tokenizer from the vocabulary of a tokenizer.json
// Unigram model: pieces with their scores, in id order.
func newUnigram(pieces []string, scores []float64, unk int32) *unigram {
	u := &unigram{vocab: make(map[string]int32, len(pieces)), tokens: pieces, scores: scores, unk: unk, prepend: "always", split: true}
	low := math.Inf(1)
	for i, p := range pieces {
		if _, dup := u.vocab[p]; !dup {
			u.vocab[p] = int32(i)
		}
		u.maxLen = max(u.maxLen, len(p))
		low = min(low, scores[i])
	}
	u.unkScore = low - 10
	return u
}

// configure reads the normalizer and pre_tokenizer of tokenizer.json. It
// accepts what SentencePiece conversions produce: Precompiled or NFKC
// normalisation (both done as NFKC), Replace of " {2,}" by " ", and
// Metaspace pre-tokenisation, possibly after WhitespaceSplit.
func (u *unigram) configure(normalizer, preTokenizer json.RawMessage) error {
	type step struct {
		Type          string            `json:"type"`
		Normalizers   []json.RawMessage `json:"normalizers"`
		PreTokenizers []json.RawMessage `json:"pretokenizers"`
		Pattern       map[string]string `json:"pattern"`
		Content       string            `json:"content"`
		Replacement   string            `json:"replacement"`
		PrependScheme string            `json:"prepend_scheme"`
		AddPrefix     *bool             `json:"add_prefix_space"`
		Split         *bool             `json:"split"`
	}
	var walkNorm func(raw json.RawMessage) error
	walkNorm = func(raw json.RawMessage) error {
		var s *step
		if err := json.Unmarshal(raw, &s); err != nil {
			return fmt.Errorf("normalizer: %w", err)
		}
		switch {
		case s == nil:
		case s.Type == "Sequence":
			for _, n := range s.Normalizers {
				if err := walkNorm(n); err != nil {
					return err
				}
			}
		case s.Type == "Precompiled" || s.Type == "NFKC":
			u.nfkc = true
		case s.Type == "Replace" && s.Pattern["Regex"] == " {2,}" && s.Content == " ":
			u.collapseSpaces = true
		default:
			return fmt.Errorf("normalizer %s %v is not supported", s.Type, s.Pattern)
		}
		return nil
	}
	if err := walkNorm(normalizer); err != nil {
		return err
	}
	var walkPre func(raw json.RawMessage) error
	metaspaceSeen := false
	walkPre = func(raw json.RawMessage) error {
		var s *step
		if err := json.Unmarshal(raw, &s); err != nil {
			return fmt.Errorf("pre_tokenizer: %w", err)
		}
		switch {
		case s == nil:
		case s.Type == "Sequence":
			for _, p := range s.PreTokenizers {
				if err := walkPre(p); err != nil {
					return err
				}
			}
		case s.Type == "WhitespaceSplit" && !metaspaceSeen:
			u.whitespaceSplit = true
		case s.Type == "Metaspace" && (s.Replacement == "" || s.Replacement == metaspace):
			metaspaceSeen = true
			switch {
			case s.PrependScheme != "":
				u.prepend = s.PrependScheme
			case s.AddPrefix != nil && !*s.AddPrefix:
				u.prepend = "never"
			}
			if s.Split != nil {
				u.split = *s.Split
			}
		default:
			return fmt.Errorf("pre_tokenizer %s is not supported (want Metaspace)", s.Type)
		}
		return nil
	}
	if err := walkPre(preTokenizer); err != nil {
		return err
	}
	if !metaspaceSeen {
		return errors.New("a Unigram model needs a Metaspace pre_tokenizer")
	}
	return nil
}
