package lang

import (
	"strings"
	"testing"
	"testing/fstest"
)

// Every embedded table loads, with the languages the package promises.
func TestTablesLoad(t *testing.T) {
	ts, en, err := loadTables(tableFiles)
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"es", "fr", "de", "pt", "it", "zh", "ko", "hi", "ja", "nl"} {
		if ts[code] == nil || len(ts[code].entries) < 40 {
			t.Errorf("table %s missing or small", code)
		}
	}
	for _, code := range []string{"es", "fr", "de", "pt", "zh", "ko", "hi"} {
		if n := len(ts[code].entries); n < 200 {
			t.Errorf("table %s has %d entries, want at least 200", code, n)
		}
	}
	if !en.words["anatomy"] || !en.function["the"] || !en.universal["vr"] || en.informal["pls"] != "please" {
		t.Errorf("English lexicon incomplete")
	}
}

// A mistake in a table is an error naming the line.
func TestTableErrors(t *testing.T) {
	for data, want := range map[string]string{
		"[subject]\nanatomía = anatomy\nanatomia = physiology\n": `line 3: "anatomia" is listed twice`,
		"[subject]\nanatomía anatomy\n":                          "line 2: no '='",
		"anatomía = anatomy\n":                                   "line 1: entry before any [section]",
		"[nouns]\n":                                              "line 1: unknown section [nouns]",
		"[constraint]\nmenos de 10 = under\n":                    "must both have a number or neither",
		"[constraint]\n | = free\n":                              "empty phrase",
	} {
		_, err := parseTable(data)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", data, err, want)
		}
	}
	_, _, err := loadTables(fstest.MapFS{"tables/xx.txt": {Data: []byte("[subject]\nfoo\n")}})
	if err == nil || !strings.Contains(err.Error(), "tables/xx.txt: line 2") {
		t.Errorf("loadTables error %v does not name the file and line", err)
	}
	if _, err := parseTable("[subject]\nanatomía | anatomia = anatomy\n"); err != nil {
		t.Errorf("two spellings of one key on one line: %v", err)
	}
}

// Every table of the main languages covers the catalog's main subjects and
// the constraints students state.
func TestTablesCoverSubjectsAndConstraints(t *testing.T) {
	subjects := []string{"anatomy", "architecture", "3D modeling", "buildings", "painting", "drawing", "art", "music",
		"physics", "chemistry", "biology", "math", "programming", "languages", "English", "Spanish", "public speaking",
		"history", "astronomy", "medicine", "nursing", "engineering", "statics", "dynamics", "exercise",
		"meditation", "stress", "anxiety", "cooking", "drums", "piano", "dance", "psychology", "planets", "nature"}
	constraints := []string{"free", "cheap", "cheaper", "price", "under # dollars", "subscription", "no subscription", "seated",
		"wheelchair", "motion sickness", "small room", "solo", "friends", "with friends", "# players", "online",
		"together", "competitive", "cooperative", "mixed reality", "hand tracking", "violent", "non-violent", "kids"}
	followUps := []string{"the first", "the second", "more info", "more like", "please", "hello", "thanks"}
	for _, code := range []string{"es", "fr", "de", "pt", "zh", "ko", "hi"} {
		glosses := map[string]bool{}
		for _, e := range tables[code].entries {
			glosses[e.gloss] = true
		}
		for _, list := range [][]string{subjects, constraints, followUps} {
			for _, g := range list {
				if !glosses[g] {
					t.Errorf("%s: nothing glosses as %q", code, g)
				}
			}
		}
	}
}
