package lang

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// suffixes turn the endings of Spanish, Portuguese, French and Italian
// words into their English cognates' ("experimentos" is "experiments",
// "virtuais" is "virtual", "biología" is "biology", "química" is
// "chemical"): longest ending first. A word may take several; the caller
// keeps the first its English vocabulary knows.
var suffixes = []struct{ from, to string }{
	{"ciones", "tions"}, {"coes", "tions"}, {"zioni", "tions"}, {"cion", "tion"}, {"cao", "tion"},
	{"zione", "tion"}, {"siones", "sions"}, {"sion", "sion"}, {"sao", "sion"},
	{"idades", "ities"}, {"idade", "ity"}, {"idad", "ity"}, {"ite", "ity"}, {"ita", "ity"},
	{"mente", "ly"}, {"ment", "ment"}, {"mentos", "ments"}, {"mento", "ment"}, {"menti", "ments"},
	{"logias", "logies"}, {"logia", "logy"}, {"logie", "logy"},
	{"grafia", "graphy"}, {"graphie", "graphy"}, {"fia", "phy"}, {"fias", "phies"},
	{"icos", "ics"}, {"icas", "ics"}, {"ico", "ic"}, {"ica", "ics"}, {"ique", "ic"}, {"iques", "ics"},
	{"ico", "ical"}, {"ica", "ical"}, {"ique", "ical"},
	{"osos", "ous"}, {"osas", "ous"}, {"oso", "ous"}, {"osa", "ous"}, {"eux", "ous"}, {"euse", "ous"},
	{"ivos", "ive"}, {"ivas", "ive"}, {"ivo", "ive"}, {"iva", "ive"}, {"if", "ive"}, {"ive", "ive"},
	{"istas", "ists"}, {"ista", "ist"}, {"iste", "ist"},
	{"ais", "al"}, {"eis", "el"}, {"ales", "al"}, {"aux", "al"}, {"ale", "al"}, {"ali", "al"},
	{"ia", "y"}, {"ie", "y"},
	{"ores", "ors"}, {"or", "or"}, {"eur", "or"},
	{"os", "s"}, {"as", "s"}, {"es", "s"}, {"es", ""}, {"s", "s"}, {"o", ""}, {"a", ""}, {"e", ""}, {"i", ""},
}

// spellings are Greek and Latin roots English spells otherwise
// ("psicología" is "psychology", "química" "chemical").
var spellings = strings.NewReplacer("psic", "psych", "psyc", "psych", "quim", "chem", "fisic", "physic",
	"fysi", "physi", "matemat", "mathemat", "filosof", "philosoph", "fotograf", "photograph", "teor", "theor",
	"tecn", "techn", "arquitet", "architect", "arquitect", "architect", "ritm", "rhythm", "geograf", "geograph",
	"farmac", "pharmac", "fisiolog", "physiolog", "ortograf", "orthograph")

// Cognates returns English words a Latin-script foreign word may be the
// cognate of, most likely first, without accents: candidates, to be
// checked against an English vocabulary. Words under five letters have
// none (too many false friends).
func Cognates(word string) []string {
	w := fold(word)
	if utf8.RuneCountInString(w) < 5 || strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) || r > unicode.MaxLatin1 }) >= 0 {
		return nil
	}
	var out []string
	add := func(s string) {
		if len(s) >= 4 {
			for _, o := range out {
				if o == s {
					return
				}
			}
			out = append(out, s)
		}
	}
	forms := []string{w}
	if sp := spellings.Replace(w); sp != w {
		forms = append(forms, sp)
	}
	for _, f := range forms {
		add(f)
		for _, s := range suffixes {
			if stem, ok := strings.CutSuffix(f, s.from); ok && len(stem) >= 3 {
				add(stem + s.to)
			}
		}
	}
	return out
}

// Resolve reads the foreign words a Reading left unknown as the English
// cognates known says are words ("experimentos virtuais": "experiments
// virtual"), and counts them as understood. known is the English the
// caller knows (its catalog's words, its model's vocabulary).
func (r Reading) Resolve(known func(string) bool) Reading {
	if len(r.Unknown) == 0 || known == nil {
		return r
	}
	var still []string
	for _, phrase := range r.Unknown {
		words := strings.Fields(phrase)
		all := true
		for i, w := range words {
			core := strings.TrimFunc(w, func(c rune) bool { return !unicode.IsLetter(c) })
			found := ""
			for _, c := range Cognates(core) {
				if known(c) {
					found = c
					break
				}
			}
			if found == "" {
				all = false
				continue
			}
			words[i] = strings.Replace(w, core, found, 1)
		}
		if english := strings.Join(words, " "); english != phrase {
			r.English = strings.Replace(r.English, phrase, english, 1)
		}
		if all {
			r.content++
		} else {
			still = append(still, phrase)
		}
	}
	r.Unknown = still
	r.Understood = float64(r.content) / float64(r.content+len(still))
	return r
}
