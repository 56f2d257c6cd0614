package ask

import (
	"regexp"
	"strings"

	"github.com/vrrec/vrrec/text"
)

// needBreaks are where one need ends and another begins: a sentence end
// before a sentence that asks anew ("I'd also like", "Something for"; a
// sentence of context is no need), a semicolon, a comma, or "and"/"also"/"plus" when what follows asks anew
// ("and something for", "and also", "as well as"). A plain "and" joins one
// subject ("statics and dynamics", "teamwork and communication").
var needBreaks = regexp.MustCompile(`(?i)[.!?;]+\s+(?:(?:and|but|i|i'd|id|i'm|im)\s+)?(?:also|as well|plus|another|besides|on top of that|something|anything|apps?\s+for)\b|[;\n]|,\s*(?:and\s+|also\s+|plus\s+|or\s+)?|\s(?:and|&)\s+(?:also\s+)?(?:something|anything|some|an?\s+(?:apps?|games?|tool|way|place)|apps?|games?|one|stuff|maybe|i|i'm|im|my|help|to\s+help|for|with)\b|\s(?:also|plus|as well as|in addition to|on top of that|besides that)\s`)

// negation starts a part that says what is not wanted.
var negation = regexp.MustCompile(`(?i)^(?:but )?(?:not|no|nothing|never|without|except|rather than|instead of|other than)\b`)

// whoIAm is a part that only says who the student is ("comp sci student",
// "I'm a nursing student", "grad student in health informatics"): context
// for the need beside it, not a need of its own.
var whoIAm = regexp.MustCompile(`(?i)^(?:i'?m|i am|im)?\s*(?:an?\s+)?(?:[\w-]+\s+){0,3}(?:student|major|minor|freshman|sophomore|junior|senior|grad|undergrad|phd|postdoc|ta)(?:\s+(?:in|of|at|studying|majoring in)(?:\s+[\w-]+){1,4})?$`)

// needWords are the words that start a need's part without saying what it
// is about ("something for", "help with"); they stay in the part, whose
// framing the recommender strips.
var needWords = map[string]bool{"something": true, "anything": true, "some": true, "apps": true, "app": true,
	"games": true, "game": true, "stuff": true, "maybe": true, "help": true, "for": true, "with": true, "one": true,
	"play": true, "playing": true, "only": true, "can": true, "just": true, "want": true, "need": true, "fun": true,
	"really": true, "like": true, "cool": true, "good": true, "great": true, "things": true, "thing": true}

// Parts splits a message (its constraints already taken out) into the parts
// that may each be a need of their own, in order. A part without a word
// that could name a subject is left out; a message of one part is one need.
// Whether two parts really are two needs, the recommender decides from what
// each finds.
func Parts(message string) []string {
	idx := needBreaks.FindAllStringIndex(message, -1)
	var parts []string
	start := 0
	for _, loc := range idx {
		if listContinues(message[loc[0]:loc[1]], message[loc[1]:]) {
			continue // "somewhere to whiteboard, share screens, and review models": one need
		}
		parts = appendPart(parts, message[start:loc[0]])
		start = loc[1]
		// Keep the word the break consumed when it starts the new part.
		sep := strings.Fields(strings.ToLower(message[loc[0]:loc[1]]))
		if n := len(sep); n > 0 && needWords[sep[n-1]] {
			start = loc[1] - len(sep[n-1])
		}
	}
	parts = appendPart(parts, message[start:])
	return parts
}

// politeness ends a part without saying anything of the need.
var politeness = regexp.MustCompile(`(?i)[\s,]+(?:please|pls|plz|thanks|thank you|thx|ty)[\s.!?]*$`)

func appendPart(parts []string, p string) []string {
	p = strings.Trim(strings.TrimSpace(p), ",;.!?&")
	p = strings.TrimSpace(politeness.ReplaceAllString(p, ""))
	if p == "" || negation.MatchString(p) || whoIAm.MatchString(p) {
		return parts // "not just textbooks" says what the need is not; "comp sci student" who asks
	}
	for _, w := range text.Words(p) {
		if text.IsTopicWord(w) && !needWords[w] && len(w) > 2 {
			return append(parts, p)
		}
	}
	return parts
}

// listVerbs are verbs in their base form: a comma followed by one continues
// a list of things to do for one need ("to whiteboard, share screens, and
// review 3D models") rather than starting another.
var listVerbs = map[string]bool{"share": true, "review": true, "see": true, "watch": true, "draw": true,
	"meet": true, "write": true, "code": true, "run": true, "work": true, "collaborate": true, "present": true,
	"build": true, "make": true, "create": true, "edit": true, "sketch": true, "explore": true, "visit": true,
	"talk": true, "chat": true, "hang": true, "host": true, "hold": true, "teach": true, "show": true, "test": true,
	"try": true, "compare": true, "discuss": true, "brainstorm": true, "whiteboard": true, "annotate": true,
	"record": true, "stream": true, "move": true, "rotate": true, "manipulate": true, "inspect": true, "walk": true}

// listContinues reports whether a break at a comma is inside one need's
// list of verbs.
func listContinues(sep, after string) bool {
	if !strings.HasPrefix(strings.TrimSpace(sep), ",") {
		return false
	}
	f := strings.Fields(strings.ToLower(strings.TrimSpace(sep[1:]) + " " + after))
	for len(f) > 0 && (f[0] == "and" || f[0] == "or" || f[0] == "also" || f[0] == "then") {
		f = f[1:]
	}
	return len(f) > 0 && listVerbs[strings.Trim(f[0], ",.;!?")]
}
