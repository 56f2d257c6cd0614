package llm

import (
	"regexp"
	"slices"
	"strings"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/text"
)

// The model's free text reaches students, so it is screened like its
// choice of apps: a sentence that links somewhere, tells the student to do
// something outside the answer, or names an app the model was not given
// (a prompt injection's "download XYZ instead") is not shown.
var (
	linkLike   = regexp.MustCompile(`(?i)\b(https?://|www\.)|\b[a-z0-9-]+\.(com|net|org|io|gg|app|ly|xyz|ru|cn|info|biz|co)\b|@[a-z0-9_]{2,}`)
	orderLike  = regexp.MustCompile(`(?i)\b(download|install|visit|click|sign[ -]?up|subscribe|buy|purchase|e-?mail us|dm me)\b|\binstead\b|\bignore (all|any|the|previous|prior|above|your)\b|\b(system|developer) (prompt|message)\b`)
	quotedName = regexp.MustCompile(`"([^"]{3,60})"|“([^”]{3,60})”`)
)

// appNames are the names screening compares a sentence with, as their
// words joined by spaces: the catalog's (known) and the candidates'.
// Made once per answer, not per sentence (the catalog's hundred names were
// most of the CPU of a busy LLM answer path).
type appNames struct{ known, candidates []string }

func newAppNames(candidates []vrrec.AppRecommendation, known []string) appNames {
	var n appNames
	for _, name := range known {
		w := strings.Join(text.Words(name), " ")
		if len(w) < 4 || !strings.Contains(w, " ") && len(w) < 6 {
			continue // one short word ("Wander") is too often an ordinary word
		}
		n.known = append(n.known, w)
	}
	for _, c := range candidates {
		n.candidates = append(n.candidates, strings.Join(text.Words(c.Name), " "))
	}
	return n
}

// suspicious reports whether a sentence of the model must not be shown:
// it links, instructs, or names an app of the catalog (known) that is not
// among the candidates, or quotes a name that is none of the candidates.
func suspicious(s string, names appNames) bool {
	if s == "" {
		return false
	}
	if linkLike.MatchString(s) || orderLike.MatchString(s) {
		return true
	}
	words := " " + strings.Join(text.Words(s), " ") + " "
	isCandidate := func(n string) bool { return slices.Contains(names.candidates, n) }
	for _, n := range names.known {
		if strings.Contains(words, " "+n+" ") && !isCandidate(n) {
			return true
		}
	}
	for _, m := range quotedName.FindAllStringSubmatch(s, -1) {
		q := m[1] + m[2]
		if looksLikeName(q) && !isCandidate(strings.Join(text.Words(q), " ")) {
			return true
		}
	}
	return false
}

// looksLikeName reports whether quoted text reads as a product name: a few
// words, each starting with a capital letter or digit.
func looksLikeName(q string) bool {
	ws := strings.Fields(q)
	if len(ws) == 0 || len(ws) > 5 {
		return false
	}
	for _, w := range ws {
		r := []rune(w)[0]
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// screen clears the sentences of a ranking that must not be shown: a
// reason falls back to the deterministic one (apply keeps it when the
// model's is empty), the understanding is dropped. It returns how many it
// cleared.
func screen(rk *ranking, candidates []vrrec.AppRecommendation, known []string) int {
	names := newAppNames(candidates, known)
	n := 0
	if suspicious(rk.Understanding, names) {
		rk.Understanding = ""
		n++
	}
	for i := range rk.Items {
		if suspicious(rk.Items[i].Reason, names) {
			rk.Items[i].Reason = ""
			n++
		}
	}
	return n
}
