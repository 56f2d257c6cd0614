package lang

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"strings"
)

//go:embed tables/*.txt
var tableFiles embed.FS

// kind tells what a table entry says: only subjects and constraints are
// content, the share of which Reading.Understood reports.
type kind uint8

const (
	function   kind = iota // grammar: articles, prepositions
	framing                // how a request is phrased: "quiero", "je veux apprendre", "hola"
	followUp               // words of follow-ups: "el primero", "más información"
	subject                // what is studied: "anatomía", "diseño 3d"
	constraint             // what the app must be: "gratis", "sentado", "con amigos"
)

var kinds = map[string]kind{
	"function": function, "framing": framing, "follow-up": followUp, "subject": subject, "constraint": constraint,
}

// entry is the English of a foreign word or phrase; "#" in it stands for
// the number the phrase matched.
type entry struct {
	gloss string
	kind  kind
}

func (e entry) content() bool { return e.kind == subject || e.kind == constraint }

// table is one language's words and phrases, keyed by their units' keys
// joined with spaces ("diseno 3d", "太 阳 系", "menos de # dolares").
type table struct {
	entries map[string]entry
	maxLen  int // most units in a key
}

// lexicon is what is known of English: its words, the words every language
// borrows ("app", "VR", "online"), and chat spellings ("pls").
type lexicon struct {
	words     map[string]bool // English words, including every word of every gloss
	function  map[string]bool // English grammar and request words: a sign of English when mixed
	universal map[string]bool // neither English nor foreign: borrowed everywhere
	informal  map[string]string
}

// latinLanguages are the languages written in Latin letters that have a
// table, in the order that breaks ties between them.
var latinLanguages = []string{"es", "pt", "fr", "it", "de", "nl"}

var (
	tables  map[string]*table
	english *lexicon
)

func init() {
	var err error
	tables, english, err = loadTables(tableFiles)
	if err != nil {
		panic(err) // the tables are embedded: the tests catch this
	}
}

// loadTables reads tables/LANG.txt for every language and tables/en.txt.
func loadTables(fsys fs.FS) (map[string]*table, *lexicon, error) {
	names, err := fs.Glob(fsys, "tables/*.txt")
	if err != nil {
		return nil, nil, fmt.Errorf("lang: listing tables: %w", err)
	}
	ts := map[string]*table{}
	en := &lexicon{words: map[string]bool{}, function: map[string]bool{}, universal: map[string]bool{}, informal: map[string]string{}}
	for _, name := range names {
		code := strings.TrimSuffix(strings.TrimPrefix(name, "tables/"), ".txt")
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, nil, fmt.Errorf("lang: reading %s: %w", name, err)
		}
		if code == "en" {
			if err := parseEnglish(string(data), en); err != nil {
				return nil, nil, fmt.Errorf("lang: %s: %w", name, err)
			}
			continue
		}
		t, err := parseTable(string(data))
		if err != nil {
			return nil, nil, fmt.Errorf("lang: %s: %w", name, err)
		}
		ts[code] = t
	}
	for _, t := range ts {
		for _, e := range t.entries {
			for _, w := range strings.Fields(strings.ToLower(e.gloss)) {
				en.words[strings.Trim(w, ",.")] = true
			}
		}
	}
	return ts, en, nil
}

// parseTable reads lines "foreign | other spelling = english" under
// "[kind]" headings; "#" starts a comment line. A number in a key matches
// any number, which takes the place of "#" in the English.
func parseTable(data string) (*table, error) {
	t := &table{entries: map[string]entry{}}
	k, inSection := function, false
	sc := bufio.NewScanner(strings.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			var ok bool
			if k, ok = kinds[strings.Trim(line, "[]")]; !ok {
				return nil, fmt.Errorf("line %d: unknown section %s", n, line)
			}
			inSection = true
			continue
		}
		if !inSection {
			return nil, fmt.Errorf("line %d: entry before any [section]", n)
		}
		left, gloss, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: no '=' in %q", n, line)
		}
		gloss = strings.TrimSpace(gloss)
		for _, phrase := range strings.Split(left, "|") {
			key, size := keyOf(phrase)
			if key == "" {
				return nil, fmt.Errorf("line %d: empty phrase in %q", n, line)
			}
			if old, dup := t.entries[key]; dup && old != (entry{gloss: gloss, kind: k}) {
				return nil, fmt.Errorf("line %d: %q is listed twice, as %q and %q", n, strings.TrimSpace(phrase), old.gloss, gloss)
			}
			if strings.Contains(key, "#") != strings.Contains(gloss, "#") {
				return nil, fmt.Errorf("line %d: %q and %q must both have a number or neither", n, strings.TrimSpace(phrase), gloss)
			}
			t.entries[key] = entry{gloss: gloss, kind: k}
			t.maxLen = max(t.maxLen, size)
		}
	}
	return t, sc.Err()
}

// keyOf returns a phrase's key and its number of units.
func keyOf(phrase string) (string, int) {
	us := units(phrase)
	keys := make([]string, len(us))
	for i, u := range us {
		keys[i] = u.key
	}
	return strings.Join(keys, " "), len(us)
}

// parseEnglish reads tables/en.txt: words under [words], [function] and
// [universal], and "chat = English" lines under [informal].
func parseEnglish(data string, en *lexicon) error {
	var section string
	sc := bufio.NewScanner(strings.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = strings.Trim(line, "[]")
			continue
		}
		switch section {
		case "words", "function", "universal":
			for _, w := range strings.Fields(line) {
				w = fold(w)
				switch section {
				case "function":
					en.function[w] = true
					en.words[w] = true
				case "words":
					en.words[w] = true
				default:
					en.universal[w] = true
				}
			}
		case "informal":
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				return fmt.Errorf("line %d: no '=' in %q", n, line)
			}
			en.informal[fold(strings.TrimSpace(k))] = strings.TrimSpace(v)
		default:
			return fmt.Errorf("line %d: %q outside [words], [function], [universal] or [informal]", n, line)
		}
	}
	return sc.Err()
}

// word looks a single word up, trying the forms a plural or an inflection
// takes when the word itself is not listed ("edificios" as "edificio",
// "Spielen" as "spiel").
func (t *table) word(key, lang string) (entry, bool) {
	if e, ok := t.entries[key]; ok {
		return e, true
	}
	for _, suffix := range inflections[lang] {
		if stem, ok := strings.CutSuffix(key, suffix); ok && len(stem) >= 3 {
			if e, ok := t.entries[stem]; ok && e.content() {
				return e, true
			}
		}
	}
	return entry{}, false
}

// inflections are the endings tried when a word is not in its table.
var inflections = map[string][]string{
	"es": {"s", "es"}, "pt": {"s", "es"}, "fr": {"s", "x"}, "it": {},
	"de": {"en", "n", "e", "s", "es", "er"}, "nl": {"en", "s"},
}

// compound splits a German or Dutch compound into two or three known parts
// ("prufungsangst" is "prufung" + "s" + "angst"), and returns their English.
func (t *table) compound(key, lang string, depth int) (string, bool) {
	if lang != "de" && lang != "nl" || depth > 2 {
		return "", false
	}
	for i := len(key) - 3; i >= 3; i-- {
		head, rest := key[:i], key[i:]
		he, ok := t.word(head, lang)
		if !ok || !he.content() {
			continue
		}
		for _, r := range []string{rest, strings.TrimPrefix(rest, "s")} {
			if len(r) < 3 {
				continue
			}
			if re, ok := t.word(r, lang); ok && re.content() {
				return he.gloss + " " + re.gloss, true
			}
			if g, ok := t.compound(r, lang, depth+1); ok {
				return he.gloss + " " + g, true
			}
		}
	}
	return "", false
}
