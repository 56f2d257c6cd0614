package lang

import (
	"strings"
	"unicode"
)

// Reading is what lang understood of a message.
type Reading struct {
	// Lang is the ISO 639-1 code of the message's main language, "en" for
	// English.
	Lang string
	// Mixed reports English and another language mixed in one message.
	Mixed bool
	// Other is the language other than English in the message ("es" for
	// "more info sobre el primero pls"), "" when there is none.
	Other string
	// English is the message with every known foreign word or phrase
	// replaced by English; English words, and foreign words not known, are
	// kept as written. Foreign framing ("quiero apps para", "je veux
	// apprendre") becomes the English framing ("I want apps for", "I want to
	// learn"), for the English reader to strip. A message in English comes
	// back unchanged.
	English string
	// Understood is the share (0-1) of the foreign content words (subjects,
	// constraints, and words not known) that were glossed; 1 when there are
	// none, as in an English message or a greeting. It says nothing of the
	// English words: a message with Lang "en" always has its English part.
	// Lang not "en" with Understood 0 is a question of which nothing was
	// understood (NothingUnderstood).
	Understood float64
	// Unknown lists the foreign words left untranslated, in order.
	Unknown []string
	// content counts the foreign content words glossed.
	content int
}

// Read detects a message's language and glosses what it knows of it into
// English.
func Read(message string) Reading {
	us := units(message)
	d := detect(us)
	r := Reading{Lang: d.main, Mixed: d.mixed, Understood: 1}
	switch {
	case d.main != "en":
		r.Other = d.main
	case d.mixed && d.latin != "":
		r.Other = d.latin
	case d.mixed:
		r.Other = d.script
	}
	if r.Other == "" {
		r.English = message
		return r
	}
	g := glosser{msg: message, us: us, d: d, foreignMain: d.main != "en"}
	g.run()
	r.English = g.english()
	r.Unknown, r.content = g.unknown, g.content
	if n := g.content + len(g.unknown); n > 0 {
		r.Understood = float64(g.content) / float64(n)
	}
	return r
}

// tableFor tells which language's table a unit is looked up in.
func tableFor(u unit, d detection) string {
	switch u.script {
	case han, kana:
		return d.cjk
	case hangul:
		return "ko"
	case devanagari:
		return "hi"
	case latin, number:
		if d.latin != "" {
			return d.latin
		}
		if d.main != "en" && tables[d.main] != nil {
			return d.main
		}
	}
	return ""
}

// piece is a stretch of the message and what it becomes in English.
type piece struct {
	start, end int
	text       string
	changed    bool // glossed, or a character of a script without spaces
}

type glosser struct {
	msg         string
	us          []unit
	d           detection
	foreignMain bool
	pieces      []piece
	unknown     []string
	content     int
}

// eligible reports whether unit i may be glossed: in a mostly English
// message, never a name or an English word; in a foreign one, anything
// but a name of several words (a word in no table is glossed
// only inside a phrase with a foreign word, as in "anatomía humana").
func (g *glosser) eligible(i int) bool {
	if g.foreignMain {
		return !g.inName(i)
	}
	switch g.d.class[i] {
	case foreignWord, sharedWord, universalWord, scriptWord, unknownWord:
		return true
	}
	return false
}

// inName reports whether unit i is in a name of two or more capitalised
// words inside a sentence ("Beat Saber", "Gravity Sketch"), which stays as
// written; German, which capitalises its nouns, has none.
func (g *glosser) inName(i int) bool {
	if g.d.class[i] != nameWord || g.d.main == "de" {
		return false
	}
	return i > 0 && g.d.class[i-1] == nameWord && !g.us[i].phraseGap ||
		i+1 < len(g.us) && g.d.class[i+1] == nameWord && !g.us[i+1].phraseGap
}

// foreignAt reports whether unit i is surely foreign.
func (g *glosser) foreignAt(i int) bool {
	c := g.d.class[i]
	return c == foreignWord || c == scriptWord || g.foreignMain && c != englishWord
}

func (g *glosser) run() {
	for i := 0; i < len(g.us); {
		if n, e, ok := g.match(i); ok {
			g.emit(i, i+n, e)
			i += n
			continue
		}
		u := g.us[i]
		lang := tableFor(u, g.d)
		if g.eligible(i) && u.script == latin && lang != "" {
			if e, ok := tables[lang].word(u.key, lang); ok {
				g.emit(i, i+1, e)
				i++
				continue
			}
			if gl, ok := tables[lang].compound(u.key, lang, 0); ok {
				g.emit(i, i+1, entry{gloss: gl, kind: subject})
				i++
				continue
			}
		}
		if s, ok := english.informal[u.key]; ok && u.script == latin && g.d.class[i] != nameWord {
			g.pieces = append(g.pieces, piece{start: u.start, end: u.end, text: s, changed: true})
			i++
			continue
		}
		i = g.keep(i)
	}
}

// match finds the longest phrase of the table that starts at unit i.
func (g *glosser) match(i int) (int, entry, bool) {
	lang := ""
	for j := i; j < len(g.us) && lang == ""; j++ {
		if g.us[j].script != number {
			lang = tableFor(g.us[j], g.d)
		}
	}
	t := tables[lang]
	if t == nil {
		return 0, entry{}, false
	}
	keys := make([]string, 0, t.maxLen)
	foreign := false
	var found entry
	n := 0
	for j := i; j < len(g.us) && j-i < t.maxLen; j++ {
		u := g.us[j]
		if j > i && u.phraseGap || !g.eligible(j) || u.script != number && tableFor(u, g.d) != lang {
			break
		}
		keys = append(keys, u.key)
		foreign = foreign || g.foreignAt(j)
		if e, ok := t.entries[strings.Join(keys, " ")]; ok && foreign {
			found, n = e, j-i+1
		}
	}
	return n, found, n > 0
}

// emit glosses units [i, j) with e, putting the number they matched in
// place of "#".
func (g *glosser) emit(i, j int, e entry) {
	text := e.gloss
	for k := i; k < j; k++ {
		if g.us[k].script == number {
			text = strings.Replace(text, "#", g.us[k].text, 1)
		}
	}
	if e.content() {
		g.content++
	}
	g.pieces = append(g.pieces, piece{start: g.us[i].start, end: g.us[j-1].end, text: text, changed: true})
}

// keep copies unit i as written, with the characters after it of the same
// script when it is written without spaces, and notes it as unknown when it
// is foreign.
func (g *glosser) keep(i int) int {
	u := g.us[i]
	j := i + 1
	if u.script != latin && u.script != number && u.script != devanagari && u.script != otherScript {
		for j < len(g.us) && g.us[j].script == u.script && !g.us[j].spaceGap && !g.us[j].phraseGap {
			if _, _, ok := g.match(j); ok {
				break
			}
			j++
		}
	}
	text := g.msg[u.start:g.us[j-1].end]
	c := g.d.class[i]
	// A capitalised word inside a sentence is a name, except in German,
	// which capitalises its nouns.
	german := g.d.main == "de" && !english.words[u.key] && !english.universal[u.key]
	if c == scriptWord || g.foreignMain && (c == unknownWord || c == nameWord && german) {
		g.unknown = append(g.unknown, text)
	}
	g.pieces = append(g.pieces, piece{start: u.start, end: g.us[j-1].end, text: text, changed: c == scriptWord})
	return j
}

// gapText is what stands between two pieces in English: white space and
// punctuation, with Spanish opening marks dropped and full-width marks
// made ASCII.
var gapText = strings.NewReplacer("¿", "", "¡", "", "，", ", ", "。", ". ", "！", "! ", "？", "? ", "、", ", ",
	"：", ": ", "；", "; ", "（", " (", "）", ") ", "「", "\"", "」", "\"", "『", "\"", "』", "\"", "।", ". ", "«", "\"", "»", "\"")

func (g *glosser) english() string {
	var b strings.Builder
	prev := -1
	end := 0
	for k, p := range g.pieces {
		gap := gapText.Replace(g.msg[end:p.start])
		b.WriteString(gap)
		if p.text != "" {
			if prev >= 0 && gap == "" && (p.changed || g.pieces[prev].changed) {
				b.WriteByte(' ')
			}
			b.WriteString(p.text)
			prev = k
		}
		end = p.end
	}
	b.WriteString(gapText.Replace(g.msg[end:]))
	return tidy(b.String())
}

// tidy collapses white space and removes it before punctuation and at the
// ends, along with punctuation left at the start.
func tidy(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	for _, p := range []string{",", ".", "!", "?", ":", ";", ")"} {
		s = strings.ReplaceAll(s, " "+p, p)
	}
	s = strings.TrimLeftFunc(s, func(r rune) bool { return unicode.IsPunct(r) && r != '"' || unicode.IsSpace(r) })
	for strings.Contains(s, ",,") {
		s = strings.ReplaceAll(s, ",,", ",")
	}
	return strings.TrimSpace(s)
}
