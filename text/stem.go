package text

import (
	"strings"
	"unicode"
)

// Stem reduces a lower-case word to a stem shared by its inflections:
// plurals ("studies", "analytics"), -ing and -ed forms and a final e, so
// "coding", "code" and "coded" meet, and "visualization", "visualize" and
// "visualizing" do too. It is deliberately conservative: aggressive English
// stemmers merge words students mean differently ("fitness" and "fit",
// "organization" and "organ"). Words of three letters or fewer and words
// with digits are kept whole, so abbreviations ("ux", "3d") stay themselves.
func Stem(w string) string {
	if len(w) <= 3 || strings.IndexFunc(w, unicode.IsDigit) >= 0 {
		return w
	}
	switch {
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		w = w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "sses"):
		w = w[:len(w)-2]
	case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is") && len(w) > 4:
		w = w[:len(w)-1]
	}
	stripped := false
	for _, suf := range []struct{ cut, add string }{
		{"izations", "iz"}, {"ization", "iz"}, {"isations", "iz"}, {"isation", "iz"},
		{"ations", ""}, {"ation", ""}, {"ating", ""}, {"ated", ""}, {"ates", ""}, {"ate", ""},
		{"ing", ""}, {"ed", ""},
	} {
		if !strings.HasSuffix(w, suf.cut) {
			continue
		}
		if rest := w[:len(w)-len(suf.cut)]; len(rest) >= 3 && hasVowel(rest) {
			w = undouble(rest) + suf.add
			stripped = suf.cut == "ing" || suf.cut == "ed"
		}
		break
	}
	if strings.HasSuffix(w, "ise") && len(w) >= 5 {
		w = w[:len(w)-3] + "iz"
	} else if stripped && strings.HasSuffix(w, "is") && len(w) >= 5 {
		w = w[:len(w)-2] + "iz" // "exercising" as "exercise", "visualising" as "visualise"
	}
	if strings.HasSuffix(w, "e") && len(w) >= 4 {
		w = w[:len(w)-1]
	}
	return w
}

func hasVowel(s string) bool { return strings.ContainsAny(s, "aeiouy") }

// undouble turns "programm" into "program" and "plann" into "plan".
func undouble(w string) string {
	n := len(w)
	if n >= 4 && w[n-1] == w[n-2] && !strings.ContainsRune("aeiouylsz", rune(w[n-1])) {
		return w[:n-1]
	}
	return w
}
