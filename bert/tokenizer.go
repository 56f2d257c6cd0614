package bert

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// tokenizer turns text into vocabulary ids. It is implemented by wordPiece
// (BERT) and, for XLM-R style models, by unigram.
type tokenizer interface {
	// encode appends the ids of text's pieces to ids, without the special
	// tokens that open and close a sequence.
	encode(text string, ids []int32) []int32
	// token is the vocabulary string of id.
	token(id int32) string
	// isWord reports whether w, lower-cased and stripped of accents, is one
	// whole-word vocabulary entry.
	isWord(w string) bool
}

// wordPiece reproduces Hugging Face's BertTokenizerFast: the added special
// tokens ("[CLS]", "[SEP]", ...) are matched verbatim in the raw text, the
// rest is normalised (BertNormalizer), split into words (BertPreTokenizer)
// and each word into greedy longest-match-first pieces (WordPiece).
type wordPiece struct {
	vocab    map[string]int32
	tokens   []string // id → piece
	unk      int32
	prefix   string // continuation prefix, "##"
	maxRunes int    // words longer than this become [UNK]; 100
	specials []special
	// Normalisation, from tokenizer_config.json.
	lower, stripAccents, chineseChars bool
}

func (t *wordPiece) token(id int32) string { return t.tokens[id] }

func (t *wordPiece) encode(text string, ids []int32) []int32 {
	splitAddedTokens(text, t.specials, func(seg string, special bool) {
		if special {
			ids = append(ids, t.vocab[seg])
			return
		}
		s := normalizeText(seg, t.lower, t.stripAccents, t.chineseChars)
		preTokenize(s, func(word string) {
			ids = t.wordPieces(word, ids)
		})
	})
	return ids
}

// wordPieces appends the pieces of one pre-tokenised word: at each position
// the longest vocabulary entry (with the "##" prefix after the first piece).
// A word with a position that no entry matches, or longer than maxRunes
// characters, becomes a single [UNK].
func (t *wordPiece) wordPieces(word string, ids []int32) []int32 {
	if utf8.RuneCountInString(word) > t.maxRunes {
		return append(ids, t.unk)
	}
	n0 := len(ids)
	var stack [128]byte
	buf := stack[:0]
	for start := 0; start < len(word); {
		end := len(word)
		id := int32(-1)
		for end > start {
			buf = buf[:0]
			if start > 0 {
				buf = append(buf, t.prefix...)
			}
			buf = append(buf, word[start:end]...)
			if v, ok := t.vocab[string(buf)]; ok {
				id = v
				break
			}
			_, size := utf8.DecodeLastRuneInString(word[start:end])
			end -= size
		}
		if id < 0 {
			return append(ids[:n0], t.unk)
		}
		ids = append(ids, id)
		start = end
	}
	return ids
}

func (t *wordPiece) isWord(w string) bool {
	s := normalizeText(w, true, true, true)
	if s == "" || strings.HasPrefix(s, t.prefix) {
		return false
	}
	for _, r := range s { // a word survives pre-tokenisation whole
		if isWhitespace(r) || isPunct(r) {
			return false
		}
	}
	id, ok := t.vocab[s]
	return ok && id != t.unk && !slices.ContainsFunc(t.specials, func(sp special) bool { return sp.text == s })
}

// special is an added token that is matched verbatim in the raw text before
// normalisation. With lstrip or rstrip it also swallows the whitespace on
// its left or right.
type special struct {
	text           string
	lstrip, rstrip bool
}

// splitAddedTokens calls fn for each stretch of text, in order: the
// occurrences of the special tokens (leftmost first, the longest when several
// start at the same place) with special set, and the text between them.
func splitAddedTokens(text string, specials []special, fn func(seg string, special bool)) {
	for text != "" {
		at, best := -1, special{}
		for _, sp := range specials {
			if i := strings.Index(text, sp.text); i >= 0 && (at < 0 || i < at || (i == at && len(sp.text) > len(best.text))) {
				at, best = i, sp
			}
		}
		if at < 0 {
			fn(text, false)
			return
		}
		before := text[:at]
		if best.lstrip {
			before = strings.TrimRightFunc(before, unicode.IsSpace)
		}
		if before != "" {
			fn(before, false)
		}
		fn(best.text, true)
		text = text[at+len(best.text):]
		if best.rstrip {
			text = strings.TrimLeftFunc(text, unicode.IsSpace)
		}
	}
}

// normalizeText is BertNormalizer: drop NUL, U+FFFD and control characters, turn
// whitespace into spaces, surround CJK ideographs with spaces, then
// optionally strip accents (NFD, drop nonspacing marks) and lower-case.
func normalizeText(s string, lower, stripAccents, chineseChars bool) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		switch {
		case r == 0 || r == utf8.RuneError || isControl(r):
		case isWhitespace(r):
			b.WriteByte(' ')
		case chineseChars && isCJK(r):
			b.WriteByte(' ')
			b.WriteRune(r)
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	s = b.String()
	if stripAccents {
		s = norm.NFD.String(s)
		b.Reset()
		for _, r := range s {
			if !unicode.Is(unicode.Mn, r) {
				b.WriteRune(r)
			}
		}
		s = b.String()
	}
	if lower {
		b.Reset()
		for _, r := range s {
			if r == 'İ' { // the one unconditional multi-rune lower-case mapping
				b.WriteString("i\u0307")
				continue
			}
			b.WriteRune(unicode.ToLower(r))
		}
		s = b.String()
	}
	return s
}

// preTokenize is BertPreTokenizer: it calls fn for each word of s, where
// words are separated by whitespace and every punctuation character is a
// word of its own.
func preTokenize(s string, fn func(word string)) {
	start := -1
	for i, r := range s {
		ws, punct := isWhitespace(r), isPunct(r)
		if !ws && !punct {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			fn(s[start:i])
			start = -1
		}
		if punct {
			fn(s[i : i+utf8.RuneLen(r)])
		}
	}
	if start >= 0 {
		fn(s[start:])
	}
}

// isWhitespace is Unicode's White_Space property, as BERT uses it.
func isWhitespace(r rune) bool { return unicode.IsSpace(r) }

// isControl reports the characters that BertNormalizer drops: the control,
// format, surrogate and private-use categories except tab, newline and
// carriage return, which count as whitespace. Unassigned code points are
// kept, as Hugging Face's tokenizer keeps them.
func isControl(r rune) bool {
	if r == '\t' || r == '\n' || r == '\r' {
		return false
	}
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs)
}

// isPunct is BERT's punctuation: every non-alphanumeric printable ASCII
// character (so "$", "+", "^" and "`" count) and the Unicode P categories.
func isPunct(r rune) bool {
	if r >= 33 && r <= 47 || r >= 58 && r <= 64 || r >= 91 && r <= 96 || r >= 123 && r <= 126 {
		return true
	}
	return r > 127 && unicode.IsPunct(r)
}

// isCJK reports the CJK Unified Ideographs blocks that BERT splits into
// single-character words (Hangul and kana are not among them).
func isCJK(r rune) bool {
	return r >= 0x4E00 && r <= 0x9FFF ||
		r >= 0x3400 && r <= 0x4DBF ||
		r >= 0x20000 && r <= 0x2A6DF ||
		r >= 0x2A700 && r <= 0x2B73F ||
		r >= 0x2B740 && r <= 0x2B81F ||
		r >= 0x2B820 && r <= 0x2CEAF ||
		r >= 0xF900 && r <= 0xFAFF ||
		r >= 0x2F800 && r <= 0x2FA1F
}
