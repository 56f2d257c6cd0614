package lang

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// script is the writing system of a unit.
type script uint8

const (
	latin script = iota
	han
	kana
	hangul
	devanagari
	number
	otherScript
)

// unit is a word of a message, or one character of a script written
// without spaces between words (Chinese, Japanese) or with words whose
// endings are matched separately (Korean).
type unit struct {
	text       string // as written
	key        string // lower case, accents removed; "#" for a number
	start, end int    // byte offsets in the message
	script     script
	capital    bool // starts with a capital letter
	allCaps    bool // every letter is a capital ("VR", "3D", "I")
	sentence   bool // first unit of a sentence
	phraseGap  bool // punctuation stands between this unit and the one before
	spaceGap   bool // only white space stands between this unit and the one before
}

// charScript reports the script of a letter that is a unit of its own.
func charScript(r rune) (script, bool) {
	switch {
	case unicode.Is(unicode.Han, r):
		return han, true
	case unicode.Is(unicode.Hiragana, r), unicode.Is(unicode.Katakana, r), r == 'ー':
		return kana, true
	case unicode.Is(unicode.Hangul, r):
		return hangul, true
	}
	return 0, false
}

// phraseBreaks end a phrase: words on either side never form one.
const phraseBreaks = ".,;:!?¿¡()[]{}\"«»“”„…|/，。！？、；：（）「」『』।"

// sentenceEnds start a new sentence after them.
const sentenceEnds = ".!?¿¡。！？।\n"

func isCurrency(r rune) bool {
	return r == '$' || r == '€' || r == '£' || r == '₹' || r == '¥' || r == '₩'
}

// elisions are the French and Italian words that lose their vowel before
// another ("l'anatomie", "j'aimerais", "dell'arte"); they are split off as
// units of their own.
var elisions = map[string]bool{
	"l": true, "d": true, "j": true, "qu": true, "c": true, "n": true, "s": true, "m": true, "t": true,
	"dell": true, "all": true, "nell": true, "sull": true, "dall": true, "un": true, "quest": true, "quell": true,
}

// units splits a message into units.
func units(msg string) []unit {
	var out []unit
	gapStart := 0
	add := func(start, end int, sc script) {
		gap := msg[gapStart:start]
		u := unit{text: msg[start:end], start: start, end: end, script: sc}
		u.phraseGap = len(out) > 0 && strings.ContainsAny(gap, phraseBreaks)
		u.spaceGap = len(out) > 0 && !u.phraseGap && gap != ""
		u.sentence = len(out) == 0 || strings.ContainsAny(gap, sentenceEnds)
		out = append(out, u)
		gapStart = end
	}
	i := 0
	for i < len(msg) {
		r, size := utf8.DecodeRuneInString(msg[i:])
		if sc, ok := charScript(r); ok {
			add(i, i+size, sc)
			i += size
			continue
		}
		if !wordRune(r) && !(isCurrency(r) && i+size < len(msg) && isDigitAt(msg, i+size)) {
			i += size
			continue
		}
		start := i
		end := wordEnd(msg, i)
		word := msg[start:end]
		if head, rest, ok := cutApostrophe(word); ok && elisions[fold(head)] && utf8.RuneCountInString(rest) >= 2 {
			cut := start + len(head) + len("'")
			if strings.HasPrefix(msg[start+len(head):], "’") {
				cut = start + len(head) + len("’")
			}
			add(start, cut, latin)
			add(cut, end, scriptOf(msg[cut:end]))
		} else {
			add(start, end, scriptOf(word))
		}
		i = end
	}
	for k := range out {
		u := &out[k]
		u.key = fold(u.text)
		if u.script == number {
			u.key = "#"
		}
		first, _ := utf8.DecodeRuneInString(u.text)
		u.capital = unicode.IsUpper(first)
		u.allCaps = u.capital && strings.ToUpper(u.text) == u.text
	}
	return out
}

func isDigitAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsDigit(r)
}

// wordRune reports whether r belongs inside a word; vowel signs of
// Devanagari are marks and belong to their word.
func wordRune(r rune) bool {
	if _, ok := charScript(r); ok {
		return false
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)
}

// wordEnd returns where the word starting at i ends: letters, digits and
// marks, an apostrophe between letters or after an elided word ("l' "), a
// hyphen after a single letter ("e-commerce"), a decimal point or comma between
// digits, and a currency sign before or after digits.
func wordEnd(s string, i int) int {
	start := i
	prev := rune(0)
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case wordRune(r):
		case isCurrency(r) && (prev == 0 || unicode.IsDigit(prev)):
		case (r == '\'' || r == '’') && unicode.IsLetter(prev) && (i+size < len(s) && letterAt(s, i+size) || elisions[fold(s[start:i])]):
		case (r == '.' || r == ',') && unicode.IsDigit(prev) && i+size < len(s) && isDigitAt(s, i+size):
		case r == '-' && i-start == utf8.RuneLen(prev) && unicode.IsLetter(prev) && i+size < len(s) && letterAt(s, i+size):
			// one letter and a hyphen: "e-commerce", "T-shirt", "x-ray"
		default:
			return i
		}
		prev = r
		i += size
	}
	return i
}

func letterAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	_, perChar := charScript(r)
	return unicode.IsLetter(r) && !perChar
}

// cutApostrophe splits "l'anatomie" into "l" and "anatomie".
func cutApostrophe(w string) (head, rest string, ok bool) {
	if i := strings.IndexAny(w, "'’"); i > 0 {
		_, size := utf8.DecodeRuneInString(w[i:])
		return w[:i], w[i+size:], true
	}
	return "", "", false
}

// scriptOf tells a word's writing system: a number (digits, with a currency
// sign or decimal mark), Devanagari, Latin, or another.
func scriptOf(w string) script {
	digits, letters := 0, 0
	sc := otherScript
	for _, r := range w {
		switch {
		case unicode.IsDigit(r):
			digits++
		case unicode.IsLetter(r):
			letters++
			if unicode.Is(unicode.Latin, r) {
				sc = latin
			} else if unicode.Is(unicode.Devanagari, r) && sc != latin {
				sc = devanagari
			}
		}
	}
	if letters == 0 && digits > 0 {
		return number
	}
	if letters == 0 {
		return otherScript
	}
	return sc
}

// fold lowers a word and removes the accents of Latin letters ("Diseño" is
// "diseno", "Prüfung" is "prufung", "ß" is "ss"), leaving other scripts
// alone: Hangul syllables and Devanagari vowel signs are not accents.
func fold(s string) string {
	s = strings.ToLower(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '’':
			b.WriteRune('\'')
		case r == 'ß':
			b.WriteString("ss")
		case r == 'æ':
			b.WriteString("ae")
		case r == 'œ':
			b.WriteString("oe")
		case r == 'ø':
			b.WriteRune('o')
		case r == 'ł':
			b.WriteRune('l')
		case r >= 0xC0 && r <= 0x24F:
			d := norm.NFD.String(string(r))
			base, _ := utf8.DecodeRuneInString(d)
			b.WriteRune(base)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
