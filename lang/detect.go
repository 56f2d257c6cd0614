package lang

import (
	"unicode"
)

// class is what a word of a message is taken to be.
type class uint8

const (
	unknownWord   class = iota // in no table: a foreign word not known, or a rare English one
	englishWord                // English and in no foreign table
	foreignWord                // in a foreign table and not English
	sharedWord                 // both: "a", "me", "piano", "architecture"
	universalWord              // borrowed by every language ("app", "VR") or a number
	nameWord                   // part of a name inside a sentence ("La Casa de Papel")
	scriptWord                 // a letter of a script other than Latin
)

// scripts maps writing systems without a per-character unit to the
// language a message in them is most likely in.
var scripts = []struct {
	table *unicode.RangeTable
	lang  string
}{
	{unicode.Arabic, "ar"}, {unicode.Devanagari, "hi"}, {unicode.Cyrillic, "ru"}, {unicode.Greek, "el"},
	{unicode.Hebrew, "he"}, {unicode.Thai, "th"}, {unicode.Bengali, "bn"}, {unicode.Tamil, "ta"},
}

// detection is what Detect found out about a message.
type detection struct {
	main   string  // the main language
	latin  string  // the foreign language of the Latin-letter words, or ""
	cjk    string  // "zh" or "ja" for Han characters
	script string  // the language of the most frequent script other than Latin, or ""
	mixed  bool    // English and another language
	class  []class // one per unit
}

// Detect returns the ISO 639-1 code of a message's main language ("en" for
// English, and for text too short to tell) and whether English is mixed
// with another language. Messages mostly in another script are in that
// script's language (Han with kana is Japanese); in Latin letters, the
// words of each language's table are counted against the English ones,
// leaving out names inside a sentence ("La La Land", "Día de los Muertos").
func Detect(message string) (lang string, mixed bool) {
	d := detect(units(message))
	return d.main, d.mixed
}

func detect(us []unit) detection {
	d := detection{main: "en", class: make([]class, len(us)), cjk: "zh"}
	letters := map[string]int{}
	total := 0
	for _, u := range us {
		for _, r := range u.text {
			if !unicode.IsLetter(r) {
				continue
			}
			total++
			switch u.script {
			case han:
				letters["han"]++
			case kana:
				letters["ja"]++
			case hangul:
				letters["ko"]++
			case latin:
				letters["latin"]++
			default:
				for _, s := range scripts {
					if unicode.Is(s.table, r) {
						letters[s.lang]++
						break
					}
				}
			}
		}
	}
	if letters["ja"] > 0 {
		d.cjk = "ja"
	}
	letters[d.cjk] += letters["han"]
	delete(letters, "han")
	scriptLang, scriptN := "", 0
	for _, l := range []string{"zh", "ja", "ko", "hi", "ar", "ru", "el", "he", "th", "bn", "ta"} {
		if letters[l] > scriptN {
			scriptLang, scriptN = l, letters[l]
		}
	}

	d.script = scriptLang
	names := markNames(us)
	score := map[string]int{}
	english, englishFunction, unknown, words := 0, 0, 0, 0
	// strong counts foreign grammar, framing and follow-up words of three
	// letters or more: unlike subjects they have no English cognates, and
	// unlike "de" or "la" they are no part of an English word.
	strong := map[string]int{}
	for i, u := range us {
		switch {
		case u.script == number:
			d.class[i] = universalWord
			continue
		case u.script != latin:
			d.class[i] = scriptWord
			continue
		case names[i]:
			d.class[i] = nameWord
			continue
		}
		c, langs := classify(u)
		d.class[i] = c
		if c == universalWord {
			continue
		}
		words++
		switch c {
		case englishWord:
			english++
			if englishFunctionWord(u.key) {
				englishFunction++
			}
		case foreignWord:
			for _, l := range langs {
				score[l]++
				if e, _ := tables[l].word(u.key, l); !e.content() && len([]rune(u.key)) >= 3 {
					strong[l]++
				}
			}
		case unknownWord:
			unknown++
		}
	}
	best, bestN := "", 0
	for _, l := range latinLanguages {
		if score[l] > bestN {
			best, bestN = l, score[l]
		}
	}
	if bestN > 0 {
		d.latin = best
	}
	englishMixedIn := englishFunction >= 1 || english >= 2
	switch {
	case scriptLang != "" && scriptN*2 >= total:
		d.main = scriptLang
		d.mixed = englishMixedIn
	case bestN >= 2 && bestN > english && 10*bestN >= 3*words,
		bestN >= 1 && english == 0 && bestN >= unknown:
		d.main = best
		d.mixed = englishMixedIn
	default:
		// One word of a foreign table in an English sentence is more
		// likely an English word the English list lacks ("molecule",
		// "plus") than a language: two make a mix.
		d.mixed = bestN >= 2 || strong[best] >= 1 || scriptN > 0
	}
	return d
}

// classify tells what a Latin-letter word is, and the languages whose
// table has it.
func classify(u unit) (class, []string) {
	k := u.key
	if english.universal[k] || hasDigit(k) {
		return universalWord, nil
	}
	var langs []string
	for _, l := range latinLanguages {
		if t := tables[l]; t != nil {
			if _, ok := t.word(k, l); ok {
				langs = append(langs, l)
			}
		}
	}
	isEnglish := english.words[k] || english.informal[k] != ""
	if u.allCaps && len(k) >= 2 && len(k) <= 5 && !isEnglish && len(langs) == 0 {
		return universalWord, nil // an acronym: "UX", "CAD"
	}
	switch {
	case isEnglish && len(langs) > 0:
		return sharedWord, langs
	case isEnglish:
		return englishWord, nil
	case len(langs) > 0:
		return foreignWord, langs
	}
	return unknownWord, nil
}

func englishFunctionWord(k string) bool { return english.function[k] }

func hasDigit(s string) bool {
	for _, r := range s {
		if unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// nameConnectors are the lower-case words found inside names ("Día de los
// Muertos", "Ludwig van Beethoven").
var nameConnectors = map[string]bool{
	"de": true, "del": true, "la": true, "las": true, "los": true, "el": true, "le": true, "les": true, "da": true,
	"do": true, "dos": true, "das": true, "di": true, "du": true, "des": true, "of": true, "the": true, "von": true,
	"van": true, "der": true, "den": true, "y": true, "e": true, "et": true, "and": true, "on": true, "in": true,
}

// markNames finds names inside a sentence: capitalised words that do not
// start a sentence, a capitalised first word right before one ("El Niño"),
// and up to two connecting words between two of them ("Día de los
// Muertos").
func markNames(us []unit) []bool {
	names := make([]bool, len(us))
	for i, u := range us {
		names[i] = u.script == latin && u.capital && !u.allCaps && !u.sentence
	}
	for i, u := range us {
		if u.script == latin && u.capital && !u.allCaps && u.sentence && i+1 < len(us) && names[i+1] && !us[i+1].phraseGap {
			names[i] = true
		}
	}
	for i := 0; i < len(us); i++ {
		if !names[i] {
			continue
		}
		j := i + 1
		for j < len(us) && j <= i+2 && !names[j] && !us[j].phraseGap && nameConnectors[us[j].key] {
			j++
		}
		if j > i+1 && j < len(us) && names[j] && !us[j].phraseGap {
			for k := i + 1; k < j; k++ {
				names[k] = true
			}
		}
	}
	return names
}
