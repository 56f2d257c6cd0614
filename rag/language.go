package rag

import (
	"strings"
	"unicode"

	"github.com/vrrec/vrrec/text"
)

// scripts maps writing systems to the language a query in them is most
// likely in; Han without kana is Chinese.
var scripts = []struct {
	table *unicode.RangeTable
	lang  string
}{
	{unicode.Hangul, "ko"}, {unicode.Hiragana, "ja"}, {unicode.Katakana, "ja"}, {unicode.Han, "zh"},
	{unicode.Arabic, "ar"}, {unicode.Devanagari, "hi"}, {unicode.Cyrillic, "ru"}, {unicode.Greek, "el"},
	{unicode.Hebrew, "he"}, {unicode.Thai, "th"}, {unicode.Bengali, "bn"}, {unicode.Tamil, "ta"},
}

// stopwords are frequent words that mark a language written in Latin
// letters. Words shared with English ("a", "in", "no") are left out.
var stopwords = map[string]map[string]bool{
	"en": wordSet(`the and for with what want learn learning about some any how can should which that this my is are i im to of in on apps app something anything`),
	"es": wordSet(`el la los las del de en que para por una uno busco quisiera necesito hola gracias unos unas quiero aprender hay algo algún alguna cómo como qué estoy estudiando sobre mi mis necesito puedo también pero más practicar aplicación aplicaciones juegos tengo curso clase`),
	"fr": wordSet(`le la les des du de en pour avec une un je veux aimerais voudrais cherche bonjour merci apprendre est sont sur mon ma mes quel quelle quels comment il elle nous vous cours étudie j'apprends peux jeux applications faire pratiquer aussi mais qui dans`),
	"de": wordSet(`der das und für mit ein eine einen ich möchte lernen ist sind gibt etwas wie mein meine kurs studiere auch aber mehr üben spiele anwendungen kann über zum zur den dem`),
	"pt": wordSet(`da das dos de em um uma gostaria queria obrigado para com uma um eu quero aprender tem há algo como que estou estudando sobre meu minha preciso posso também mas mais praticar aplicativo aplicativos jogos são não você`),
	"it": wordSet(`il lo la le gli di della dello vorrei un una ciao grazie una uno io voglio imparare c'è qualcosa che sto studiando sul mio mia ho bisogno posso anche ma più praticare applicazioni giochi sono`),
	"nl": wordSet(`de het een ik wil leren voor met wat hoe zijn iets mijn ook maar meer oefenen spellen studeer cursus niet`),
}

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// detectLanguage returns the ISO 639-1 code of a query that is not in
// English, or "" for English (and for text too short or mixed to tell).
// Queries in other scripts are judged by their letters; Latin-script ones by
// their common words, which must outnumber the English ones.
func detectLanguage(q string) string {
	counts := map[string]int{}
	letters := 0
	for _, r := range q {
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		for _, s := range scripts {
			if unicode.Is(s.table, r) {
				counts[s.lang]++
				break
			}
		}
	}
	best, bestN := "", 0
	for _, s := range scripts {
		if n := counts[s.lang]; n > bestN {
			best, bestN = s.lang, n
		}
	}
	if best == "zh" && counts["ja"] > 0 {
		best = "ja" // kanji with kana
	}
	if letters > 0 && bestN*2 >= letters {
		return best
	}
	// Words as typed, apostrophes kept: a capitalised stopword after the
	// first word is part of a name ("La La Land", "El Niño"), and French
	// and Italian elisions ("j'aimerais", "l'anatomie") are signals.
	raw := strings.FieldsFunc(q, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '’' })
	var words []string
	score := map[string]int{}
	for i, w := range raw {
		w = strings.ReplaceAll(w, "’", "'")
		if i > 0 && unicode.IsUpper([]rune(w)[0]) {
			continue
		}
		w = strings.ToLower(w)
		if head, rest, ok := strings.Cut(w, "'"); ok && len(head) <= 2 && rest != "" {
			switch head {
			case "j", "qu", "c", "n":
				score["fr"]++
			case "l", "d":
				score["fr"]++
				score["it"]++
			}
			w = rest
		}
		words = append(words, w)
		for lang, set := range stopwords {
			if set[w] {
				score[lang]++
			}
		}
	}
	best, bestN = "", 0
	for _, lang := range []string{"es", "fr", "de", "pt", "it", "nl"} {
		if score[lang] > bestN {
			best, bestN = lang, score[lang]
		}
	}
	// The language's common words must be a good share of the query, and
	// outnumber the English ones.
	if bestN >= 2 && bestN > score["en"] && 10*bestN >= 3*len(raw) ||
		bestN >= 1 && score["en"] == 0 && accented(q) && !englishTopic(words) {
		return best
	}
	return ""
}

// accented reports whether q has letters with diacritics, a hint of a
// language other than English.
func accented(q string) bool {
	for _, r := range q {
		if r > unicode.MaxASCII && unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// englishTopic reports whether the words are mostly English topic words,
// so "café management" with one accent stays English.
func englishTopic(words []string) bool {
	n := 0
	for _, w := range words {
		if text.IsTopicWord(w) && isASCII(w) {
			n++
		}
	}
	return n*2 > len(words)
}

func isASCII(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII {
			return false
		}
	}
	return true
}
