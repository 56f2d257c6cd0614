package chat

import (
	"regexp"
	"strings"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/ask"
	"github.com/vrrec/vrrec/text"
)

// Intents a message can have.
const (
	IntentGreeting       = "greeting"
	IntentHelp           = "help"
	IntentRecommendation = "recommendation"
	IntentAppDetails     = "app_details"
	IntentFollowUp       = "follow_up"
)

// Kinds of follow-up.
const (
	followSimilar = "similar" // more like one of the shown apps
	followRefine  = "refine"  // the same need under other constraints: cheaper, free, for 2 players
	followMore    = "more"    // the next apps for the same query
	// followNothingShown refers back when no apps were shown yet.
	followNothingShown = "nothing_shown"
)

// intent is what a message asks for, with what it refers to.
type intent struct {
	name    string
	follow  string       // kind of follow-up
	app     *vrrec.VRApp // the app a details request or "more like" names
	ordinal int          // 1-based position in the previous answer, 0 if none
	// constraints are what a refining follow-up adds; cheaper asks for
	// less than the previous answer's top pick costs.
	constraints []vrrec.Constraint
	cheaper     bool
}

var (
	greetingWords = regexp.MustCompile(`(?i)\b(hi|hello|hey|howdy|good (morning|afternoon|evening))\b`)
	helpPattern   = regexp.MustCompile(`(?i)^\s*(help|\?+)\s*[!.?]*\s*$|\bhow (do|does|to|can)\b.*\b(use|work)|\bwhat can (you|i)\b|\bhow to\b`)
	detailsVerbs  = regexp.MustCompile(`(?i)\b(tell me (more )?about|more (info|information|details) (on|about)|details (on|about|of|for)|what is|what's|what about|describe|info on|information on|how much (is|does)|price of)\b`)
	similarWords  = regexp.MustCompile(`(?i)\b(more like|similar to|similar|like (the|that)|apps like|something like)\b`)
	cheaperWords  = regexp.MustCompile(`(?i)\b(cheaper|less expensive|lower price|lower priced|cheapest|costs? less)\b`)
	moreWords     = regexp.MustCompile(`(?i)^\s*(show me |any ?thing |got any |are there )?(more|others|other ones|anything else|something else|next|more options|other options)\s*(please|apps|options|ones)?\s*[?!.]*\s*$`)
	ordinalWords  = map[string]int{"first": 1, "1st": 1, "top": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3,
		"fourth": 4, "4th": 4, "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8}
	refersBack    = regexp.MustCompile(`(?i)\b(this|that|it|these|those|them|ones?)\b`)
	ordinalNumber = regexp.MustCompile(`(?i)(?:#|\bnumber |\bno\. ?)([1-8])\b`)
)

// classify decides what a message asks for. prev is the session's last
// answer with apps (nil when there is none): follow-ups need one.
func classify(msg string, eng Engine, prev *vrrec.Message) intent {
	words := text.Words(msg)
	if len(words) == 0 {
		return intent{name: IntentRecommendation}
	}
	ord := ordinal(msg, words)
	var named *vrrec.VRApp
	if a, ok := eng.NamedApp(msg); ok {
		named = &a
	}

	// A follow-up word only counts when nothing else in the message names a
	// subject: "the second one" refers back, "second language acquisition"
	// is a new question; so are "free body diagrams" and "budget planning".
	if prev != nil && len(prev.Apps) > 0 {
		cs, left := ask.Constraints(msg)
		rest := topicWords(words, named)
		cheaper := cheaperWords.MatchString(msg)
		if cheaper {
			cs = ask.Without(cs, vrrec.ConstraintMaxPrice) // "cheaper" is read against the answer
		}
		switch {
		case similarWords.MatchString(msg) && (ord != 0 || named != nil || rest == 0):
			if ord == 0 && named == nil {
				ord = 1 // "more like this": the app just described, or the top pick
			}
			return intent{name: IntentFollowUp, follow: followSimilar, ordinal: ord, app: named}
		case (cheaper || len(cs) > 0) && topicWords(text.Words(left), named) == 0:
			return intent{name: IntentFollowUp, follow: followRefine, constraints: cs, cheaper: cheaper}
		case moreWords.MatchString(msg):
			return intent{name: IntentFollowUp, follow: followMore}
		case ord != 0 && named == nil && rest == 0:
			// "tell me about the second one", "the last one?"
			return intent{name: IntentAppDetails, ordinal: ord}
		}
	}
	if (prev == nil || len(prev.Apps) == 0) && named == nil && topicWords(words, nil) == 0 &&
		(similarWords.MatchString(msg) || moreWords.MatchString(msg) || ord != 0) {
		// "more like the second one" with no apps shown yet: nothing to
		// refer back to, and no subject to search for.
		return intent{name: IntentFollowUp, follow: followNothingShown}
	}
	if named != nil && (detailsVerbs.MatchString(msg) || isBareName(words, named)) {
		return intent{name: IntentAppDetails, app: named}
	}
	if greetingWords.MatchString(msg) && topicWords(words, nil) == 0 {
		return intent{name: IntentGreeting}
	}
	if helpPattern.MatchString(msg) && topicWords(words, nil) == 0 {
		return intent{name: IntentHelp}
	}
	return intent{name: IntentRecommendation}
}

// referenceWords are how a follow-up points back or asks for more.
var referenceWords = map[string]bool{"one": true, "ones": true, "last": true, "top": true, "pick": true, "number": true,
	"no": true, "similar": true, "cheaper": true, "cheapest": true, "expensive": true, "less": true, "lower": true,
	"price": true, "budget": true, "affordable": true, "inexpensive": true, "free": true, "cost": true, "paying": true,
	"option": true, "options": true, "others": true, "else": true, "next": true, "details": true, "info": true,
	"information": true, "describe": true, "much": true, "like": true}

// topicWords counts the words that say something about a subject, besides
// greetings, ordinals, follow-up words and the words of the named app.
func topicWords(words []string, named *vrrec.VRApp) int {
	skip := map[string]bool{}
	if named != nil {
		for _, name := range appNames(*named) {
			for _, w := range text.Words(name) {
				skip[w] = true
			}
		}
	}
	n := 0
	for _, w := range words {
		_, isOrdinal := ordinalWords[w]
		if text.IsTopicWord(w) && !greetingWords.MatchString(w) && !isOrdinal && !referenceWords[w] && !skip[w] &&
			!(len(w) == 1 && w[0] >= '1' && w[0] <= '8') {
			n++
		}
	}
	return n
}

func ordinal(msg string, words []string) int {
	if m := ordinalNumber.FindStringSubmatch(msg); m != nil {
		return int(m[1][0] - '0')
	}
	for i, w := range words {
		if n, ok := ordinalWords[w]; ok {
			// "top" only counts as "the top one", not "top apps".
			if w == "top" && (i+1 >= len(words) || words[i+1] != "one" && words[i+1] != "pick") {
				continue
			}
			return n
		}
		if w == "last" {
			return -1
		}
	}
	return 0
}

func appNames(a vrrec.VRApp) []string {
	names := []string{a.Name}
	if short, _, ok := strings.Cut(a.Name, ":"); ok {
		names = append(names, short)
	}
	return names
}

// isBareName reports whether the message is little more than the app's name.
func isBareName(words []string, app *vrrec.VRApp) bool {
	nameLen := len(text.Words(app.Name))
	if short, _, ok := strings.Cut(app.Name, ":"); ok {
		nameLen = min(nameLen, len(text.Words(short)))
	}
	return len(words) <= nameLen+1
}
