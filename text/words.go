// Package text holds the word-level tools shared by query understanding,
// intent detection and the lexical embedder: splitting text into words,
// a conservative English stemmer, a spelling corrector over a known
// vocabulary, and the abbreviations students type.
package text

import (
	"strings"
	"unicode"
)

// symbols spells out programming-language names that punctuation would split.
var symbols = strings.NewReplacer("c++", " cplusplus ", "c#", " csharp ", "f#", " fsharp ", ".net", " dotnet ",
	"node.js", " nodejs ", "a&p", " anatomy physiology ", "r&d", " research development ", "3-d", " 3d ")

// Words reports the lower-case words of text: runs of letters and digits,
// with camel-case names split ("SafeFire" gives "safe", "fire").
func Words(text string) []string {
	text = symbols.Replace(strings.ToLower(splitCamel(text)))
	return strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// Tokens is Words with an empty string wherever punctuation ends a phrase,
// so words on either side of a full stop or comma never form a pair.
func Tokens(text string) []string {
	text = symbols.Replace(strings.ToLower(splitCamel(text)))
	var out []string
	start := -1
	for i, r := range text {
		word := unicode.IsLetter(r) || unicode.IsDigit(r)
		if word && start < 0 {
			start = i
		}
		if !word && start >= 0 {
			out = append(out, text[start:i])
			start = -1
		}
		if strings.ContainsRune(".,;:!?()[]{}\"\n|", r) && len(out) > 0 && out[len(out)-1] != "" {
			out = append(out, "")
		}
	}
	if start >= 0 {
		out = append(out, text[start:])
	}
	return out
}

// splitCamel puts a space inside camel-case words: "SafeFire" becomes "Safe
// Fire" and "VRChat" becomes "VR Chat"; all-capital words stay whole.
func splitCamel(text string) string {
	r := []rune(text)
	var b strings.Builder
	b.Grow(len(text) + 8)
	for i, c := range r {
		if i > 0 && unicode.IsUpper(c) {
			prev := r[i-1]
			nextLower := i+1 < len(r) && unicode.IsLower(r[i+1])
			if unicode.IsLower(prev) || unicode.IsUpper(prev) && nextLower {
				b.WriteRune(' ')
			}
		}
		b.WriteRune(c)
	}
	return b.String()
}

// functionWords carry no topic; they are dropped and break word pairs.
var functionWords = set(`a an the and or but of to in on at by for from with without into onto about as is are was
were be been being am do does did have has had i im i'm me my mine we our you your he she it its they them their this that these those
there here what which who whom whose when where why how can could should would will shall may might must
not no nor so than too very just also any some such each every all both few more most other own same only
s t d ll m re ve y get got getting give show tell find want wants wanted wanna need needs like likes
would please hi hello hey thanks thank something anything things thing stuff lot lots really
before after during while until since between through over under again further then once also even
actually mostly maybe barely probably basically honestly literally especially mainly currently kind sort`)

// fillerWords are frequent in queries and catalog texts without saying what
// the topic is. They are dropped as single words but still join neighbours
// into pairs, so "machine learning" keeps its meaning as one term.
var fillerWords = set(`learn learning learned learns study studying studies studied interested interest
interests skill skills course courses class classes student students app apps application applications
vr virtual reality experience experiences tool tools use using used good best better great new recommend
recommendation recommendations suggest help improve improving practice practise practicing practising
way ways make making become basic basics intro introduction advanced topic topics area field subject`)

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// IsTopicWord reports whether a lower-case word says something about a topic,
// rather than how a request is phrased ("the", "want", "learn", "apps").
func IsTopicWord(w string) bool { return !functionWords[w] && !fillerWords[w] }

// IsFunctionWord reports whether a lower-case word is grammar ("the", "with",
// "want") rather than content.
func IsFunctionWord(w string) bool { return functionWords[w] }

// IsFillerWord reports whether a lower-case word is frequent in requests and
// catalog texts without naming a topic ("learn", "apps", "practice").
func IsFillerWord(w string) bool { return fillerWords[w] }
