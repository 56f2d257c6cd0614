// Package ask reads what a student's message asks of the apps besides its
// topics: the constraints (a budget, a body, a group of friends, a feature)
// and, when it asks for several things, each need on its own. It is the one
// place these are read, for the first question and every follow-up alike;
// the recommender (rag) applies what it returns inside its ranking.
//
// It reads English: a message in another language is glossed into English
// (package lang) before it gets here.
package ask

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/vrrec/vrrec"
)

// rule reads one kind of constraint: the phrases that state it, and the
// constraint they state (amount read from the match when the rule says how).
type rule struct {
	kind    string
	hard    bool
	label   string
	pattern *regexp.Regexp
	// amount reads the constraint's amount from the match; nil when the
	// kind has none.
	amount func(m []string) float64
	// keep leaves the matched words in the topic: "my roommates" says who
	// plays, "teamwork" would be a topic too.
	keep bool
}

// numberWords reads the numbers students spell out.
var numberWords = map[string]float64{"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
	"seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "a couple of": 2, "a couple": 2, "couple of": 2,
	"a few": 3, "both of": 2}

const numberPattern = `(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|twelve|a couple of|a couple|couple of|a few)`

func number(s string) float64 {
	if n, ok := numberWords[s]; ok {
		return n
	}
	n, _ := strconv.ParseFloat(s, 64)
	return n
}

// notPrice are the words after "free" that make it no price: "free body
// diagrams", "free will", "my free time".
const notPrice = `body|will|fall|falling|throw|throws|diving|dive|solo|style|speech|market|markets|trade|energy|radical|radicals|verse|writing|hand|time|flow|range|kick|kicks|agent|agents|space|electron|electrons|run|running|roam|roaming|form|association|press|enterprise|software|variable|variables|parameter|parameters`

// money is an amount of money as students write it: "$10", "10 dollars",
// "20 bucks", "15 usd", "10 euros", "€10".
const money = `(?:\$|€|£)\s?(\d{1,4}(?:\.\d{1,2})?)|(\d{1,4}(?:\.\d{1,2})?)\s?(?:\$|€|£|dollars?|bucks|usd|eur|euros?|pounds|quid)\b`

func moneyAmount(m []string) float64 {
	for _, s := range m[1:] {
		if s != "" {
			v, _ := strconv.ParseFloat(s, 64)
			return v
		}
	}
	return 0
}

// cheapCap is the budget "cheap" is read as; the label says so, and the
// student can remove it.
const cheapCap = 20

// rules are every constraint a message can state, hard ones first. Their
// order is the order of the chips.
var rules = []rule{
	{kind: vrrec.ConstraintFree, hard: true, label: "Free apps only", pattern: regexp.MustCompile(
		`\b(?:i ?a?m broke|(?:im|i am|we are|were) (?:a )?(?:broke|poor)(?: (?:college|uni|university|grad))?(?: students?)?|no money|(?:don ?t|do not|dont) have (?:any |much )?money|can ?not afford|cant afford|zero budget|no budget|budget of (?:zero|0|nothing)|(?:costs?|cost|paying|pay) nothing|(?:doesn ?t|does not|don ?t|do not|won ?t|will not|shouldn ?t) cost (?:anything|a thing|a dime|a cent|money)|(?:not|without) (?:paying|spending)(?: anything| a dime| money)?|without paying|no cost|free of charge|for free|gratis)\b|\bfree\b(?:\s+(?:ones?|apps?|games?|options?|stuff|versions?|to (?:play|download|use)|only))?(?:\s+(?:` + notPrice + `)\b)?`)},
	{kind: vrrec.ConstraintMaxPrice, hard: true, pattern: regexp.MustCompile(
		`\b(?:under|below|less than|cheaper than|at most|max(?:imum)?(?: of)?|up to|no more than|not more than|nothing (?:over|above|more than)|not over|within|budget(?: is| of)?|spend(?:ing)?|for|(?:only |just )?(?:have|got|can (?:spend|afford|pay))(?: only| just| about| around)?)\s*(?:` + money + `)(?:\s+(?:each|apiece|per app|max|or less|tops))?|(?:` + money + `)\s+(?:or less|max(?:imum)?|tops|budget|limit|each at most)`),
		amount: moneyAmount},
	{kind: vrrec.ConstraintMaxPrice, hard: true, label: "Cheap (under $20)", pattern: regexp.MustCompile(
		`\b(?:cheap(?:er|est)?|inexpensive|affordable|low[- ]cost|low[- ]priced|budget[- ]friendly|on a (?:tight |small |limited |student |college |strict )?budget|(?:the )?(?:cost|price) matters|money is tight|tight on money|(?:don ?t|do not) want to spend (?:much|a lot|too much)|not (?:too )?expensive|not pricey)\b(?:\s+(?:ones?|apps?|games?|options?|stuff))?`),
		amount: func([]string) float64 { return cheapCap }},
	{kind: vrrec.ConstraintNoSubscription, hard: true, label: "No subscription", pattern: regexp.MustCompile(
		`\b(?:no|not a|not on a|hate|avoid(?:ing)?|without(?: an?y?)?|don ?t want(?: a| to pay for a| another)?|dont want(?: a| another)?|do not want(?: a| another)?)[\s-]+(?:monthly[\s-]|recurring[\s-]|yearly[\s-])?subscriptions?(?: (?:apps?|games?|ones?|fees?|needed|required))?\b|\bnon[- ]?subscription\b|\bsubscription[- ]free\b|\bone[- ]time (?:purchase|payment|price|fee|buy)s?\b|\bno (?:monthly|recurring|yearly) (?:fees?|payments?|costs?|charges?)\b|\bbuy (?:it )?once\b`)},
	{kind: vrrec.ConstraintSeated, hard: true, label: "Seated play", pattern: regexp.MustCompile(
		`\b(?:(?:i )?(?:can |could )?(?:only )?(?:play |use (?:it|vr) |be )?(?:while )?)?(?:seated|sitting(?: down)?|sit(?: down)?|while i sit|from (?:my|a|the) (?:chair|bed|couch|sofa|desk|wheelchair)|(?:in|use|uses|using) a wheelchair|wheelchair(?: user| users| bound| accessible)?|(?:can ?t|cannot|can not|unable to) (?:stand|walk|move around)(?: for long| much| up)?|limited (?:mobility|movement)|mobility (?:issues?|impairments?|problems?|disabilit(?:y|ies))|(?:bad|injured|broken) (?:back|knees?|leg|legs|ankle|foot|hip)|paraly[sz]ed|paraplegic|quadriplegic|bedridden)\b`)},
	{kind: vrrec.ConstraintComfort, hard: true, label: "Comfortable (no intense motion)", pattern: regexp.MustCompile(
		`\b(?:(?:get|gets|getting|feel|feeling) (?:motion ?sick|sick|nauseous|nauseated|dizzy|queasy)|motion ?sick(?:ness)?|nausea|vertigo|simulator sickness|cyber ?sickness|(?:sensitive|prone) to motion|(?:don ?t|do not) (?:handle|like) (?:fast )?motion)\b`)},
	{kind: vrrec.ConstraintNonViolent, hard: true, label: "Not violent", pattern: regexp.MustCompile(
		`\b(?:non[- ]?violent|not violent|(?:isn ?t|is not|aren ?t|are not|nothing|not too) violent|no (?:violence|guns?|shooting|gore|blood|killing|fighting|weapons)|without (?:violence|guns?|shooting|gore|blood|killing|fighting|weapons)|peaceful|family[- ]friendly|kid[- ]friendly|child[- ]friendly|for (?:my )?(?:little )?(?:kids|children)|(?:that|which) (?:isn ?t|is not) (?:a )?(?:violent|shooter))\b`)},
	{kind: vrrec.ConstraintSmall, label: "Small space", pattern: regexp.MustCompile(
		`\b(?:(?:small|tiny|little|cramped|narrow) (?:room|space|dorm(?: room)?|apartment|flat|bedroom|area)|(?:not much|limited|no) (?:room|space|play space)|dorm room)\b`)},
	{kind: vrrec.ConstraintPlayers, label: "", keep: false, pattern: regexp.MustCompile(
		`\b(?:with|and) (?:my )?` + numberPattern + ` (?:other )?(?:friends|roommates|classmates|people|others|buddies|pals|teammates|mates)\b`),
		amount: func(m []string) float64 { return number(m[1]) + 1 }},
	{kind: vrrec.ConstraintPlayers, pattern: regexp.MustCompile(
		`\b(?:for )?` + numberPattern + `[- ](?:players?|people|persons|of us|friends|player games?)\b|\b(?:me and my|my|with my) (?:girlfriend|boyfriend|partner|wife|husband|roommate|sibling|brother|sister|best friend|friend)\b|\bboth of us\b|\b(?:two|2)[- ]player\b`),
		amount: func(m []string) float64 {
			if len(m) > 1 && m[1] != "" {
				return number(m[1])
			}
			return 2
		}},
	{kind: vrrec.ConstraintPlayers, label: "With friends", pattern: regexp.MustCompile(
		`\b(?:with|w|and) (?:my |some |other )?(?:friends|buddies|pals|mates|classmates|others|other people|people|family|siblings|teammates)\b|\bwith (?:a|my) (?:group|team|friend)\b`),
		amount: func([]string) float64 { return 2 }},
	// "multiplayer games" says who plays and what is searched for: the word
	// stays in the topic.
	{kind: vrrec.ConstraintPlayers, label: "With friends", keep: true, pattern: regexp.MustCompile(`\bmulti-?player\b`),
		amount: func([]string) float64 { return 2 }},
	{kind: vrrec.ConstraintOnline, label: "Online multiplayer", pattern: regexp.MustCompile(
		`\b(?:play(?:ing)? )?online(?: (?:with|multiplayer|together|co-?op|against))?\b(?:\s+(?:friends|people|others|strangers))?|\bover the internet\b|\blong[- ]distance\b|\b(?:who|that) (?:lives?|is) (?:far away|in another (?:city|state|country))\b`)},
	{kind: vrrec.ConstraintLocal, label: "Together in one room", pattern: regexp.MustCompile(
		`\b(?:(?:(?:with|w) )?(?:my )?roommates?|same room|in person|together in (?:one|the same) (?:room|place)|local multiplayer|couch (?:co-?op|multiplayer)|pass the headset|party games?|at (?:a|my) party|friends over)\b`)},
	{kind: vrrec.ConstraintCoop, label: "Co-op", keep: true, pattern: regexp.MustCompile(
		`\b(?:co-?op(?:erative)?|team up|play together|together with)\b`)},
	{kind: vrrec.ConstraintCompetitive, label: "Competitive", keep: true, pattern: regexp.MustCompile(
		`\b(?:competitive(?: (?:games?|play|multiplayer))?|compete(?: against| with)?|against (?:each other|friends|others|other people|people|my friends)|pvp|versus)\b`)},
	{kind: vrrec.ConstraintSolo, label: "Single player", pattern: regexp.MustCompile(
		`\b(?:solo|alone|by myself|on my own|single[- ]?player|just me|only me|no friends(?: around| nearby| to play with)?|(?:without|no) (?:anyone|other people|others)(?: around)?)\b`)},
	{kind: vrrec.ConstraintMixedReality, label: "Mixed reality", pattern: regexp.MustCompile(
		`\b(?:mixed[- ]reality|passthrough|pass-through|see (?:my|the) (?:room|surroundings|real world)|in my (?:real )?room)\b|\bmr (?:apps?|games?)\b`)},
	{kind: vrrec.ConstraintHandTracking, label: "Hand tracking", pattern: regexp.MustCompile(
		`\b(?:hand[- ]?tracking|(?:with|using) (?:just |only )?(?:my|your|our) (?:bare )?hands|without (?:the )?controllers|no controllers?|controller[- ]?free|don ?t have controllers|lost (?:my|the) controllers?)\b`)},
}

// chatter are the phrases of a message that say nothing of what it asks
// for: undecided majors, laughter, hedges.
var chatter = regexp.MustCompile(`\b(?:idk|dunno|i don ?t know|i do not know|not sure|no idea|undecided)(?: yet)?(?: (?:what|which) (?:to|i want to|i should|i will|i ll) (?:major|minor|study|do|pick)(?: in)?)?(?: yet)?\b|\b(?:lol|lmao|lmfao|rofl|haha+|hehe|tbh|ngl|imo|fr|rn|omg|ikr|smh|xd)\b`)

// languageNames are the languages an app may be wanted in: "apps in
// Spanish", never "learn Spanish" (a topic).
var languageNames = map[string]string{"spanish": "es", "french": "fr", "german": "de", "portuguese": "pt",
	"chinese": "zh", "mandarin": "zh", "korean": "ko", "japanese": "ja", "hindi": "hi", "italian": "it", "arabic": "ar"}

var appLanguage = regexp.MustCompile(`\b(?:apps?|games?|ones?|something|anything) (?:that (?:are|is) )?(?:in|available in|playable in|with) (spanish|french|german|portuguese|chinese|mandarin|korean|japanese|hindi|italian|arabic)(?: (?:language|subtitles|support|voice ?over))?\b|\b(spanish|french|german|portuguese|chinese|mandarin|korean|japanese|hindi|italian|arabic)[- ](?:language )?(?:version|subtitles|voice ?over|interface|support)\b`)

// Constraints reads the constraints a message states and returns them
// with the message's text left once their phrases are removed (the topic
// words stay). The text is read in lower case; a kind is stated at most
// once (the first phrase that states it).
func Constraints(message string) ([]vrrec.Constraint, string) {
	text, at := normalize(message)
	blank := make([]bool, len(message))
	erase := func(from, to int) {
		for i := at[from]; i < at[to]; i++ {
			blank[i] = true
		}
		text = text[:from] + strings.Repeat(" ", to-from) + text[to:]
	}
	var out []vrrec.Constraint
	has := func(kind string) bool {
		for _, c := range out {
			if c.Kind == kind {
				return true
			}
		}
		return false
	}
	for _, r := range rules {
		for _, loc := range r.pattern.FindAllStringSubmatchIndex(text, -1) {
			m := submatches(text, loc)
			if r.kind == vrrec.ConstraintFree && freeIsNoPrice(m[0]) {
				continue
			}
			if r.kind == vrrec.ConstraintOnline && onlineIsTopic(text[loc[1]:]) {
				continue
			}
			if r.kind == vrrec.ConstraintCompetitive && competitiveIsTopic(text[loc[1]:]) {
				continue
			}
			if !r.keep {
				erase(loc[0], loc[1])
			}
			if has(r.kind) || (r.kind == vrrec.ConstraintMaxPrice && has(vrrec.ConstraintFree)) {
				continue
			}
			c := vrrec.Constraint{Kind: r.kind, Hard: r.hard, Label: r.label}
			if r.amount != nil {
				c.Amount = r.amount(m)
			}
			if c.Kind == vrrec.ConstraintPlayers && c.Amount < 2 {
				continue
			}
			out = append(out, labelled(c))
		}
	}
	// Chatter that says nothing of a topic goes too: "idk what to major in
	// yet lol" is no subject to search for.
	for _, loc := range chatter.FindAllStringIndex(text, -1) {
		erase(loc[0], loc[1])
	}
	if loc := appLanguage.FindStringSubmatchIndex(text); loc != nil {
		m := submatches(text, loc)
		out = append(out, labelled(vrrec.Constraint{Kind: vrrec.ConstraintLanguage, Value: languageNames[m[1]+m[2]]}))
		erase(loc[0], loc[1])
	}
	// A price cap makes "no subscription" part of it; "free" makes both.
	if has(vrrec.ConstraintFree) || has(vrrec.ConstraintMaxPrice) {
		out = without(out, vrrec.ConstraintNoSubscription)
	}
	if has(vrrec.ConstraintFree) {
		out = without(out, vrrec.ConstraintMaxPrice)
	}
	// Several people playing is neither solo nor alone.
	if has(vrrec.ConstraintPlayers) || has(vrrec.ConstraintOnline) || has(vrrec.ConstraintLocal) || has(vrrec.ConstraintCoop) || has(vrrec.ConstraintCompetitive) {
		out = without(out, vrrec.ConstraintSolo)
	}
	var rest strings.Builder
	for i, r := range message {
		if blank[i] {
			rest.WriteByte(' ')
		} else {
			rest.WriteRune(r)
		}
	}
	return out, tidy(rest.String())
}

// tidy joins the words left once phrases are removed, without the
// punctuation the removal left dangling: "I'm broke, anything?" leaves
// "anything?", not ", anything?".
func tidy(s string) string {
	var words []string
	for _, w := range strings.Fields(s) {
		if strings.IndexFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 && w != "&" && w != "+" {
			continue // only punctuation: "," "-"
		}
		words = append(words, w)
	}
	return strings.Trim(strings.Join(words, " "), " ,;:-")
}

// Without returns the constraints whose kind is not in kinds.
func Without(cs []vrrec.Constraint, kinds ...string) []vrrec.Constraint {
	for _, k := range kinds {
		cs = without(cs, k)
	}
	return cs
}

func without(cs []vrrec.Constraint, kind string) []vrrec.Constraint {
	return slices.DeleteFunc(slices.Clone(cs), func(c vrrec.Constraint) bool { return c.Kind == kind })
}

// Merge adds the constraints of next to those of prev: a kind next states
// replaces prev's, and a price stated anew replaces every price.
func Merge(prev, next []vrrec.Constraint) []vrrec.Constraint {
	out := slices.Clone(prev)
	for _, c := range next {
		out = slices.DeleteFunc(out, func(o vrrec.Constraint) bool { return o.Kind == c.Kind || IsPrice(c.Kind) && IsPrice(o.Kind) })
		out = append(out, c)
	}
	return out
}

// IsPrice reports whether a kind of constraint is about the price.
func IsPrice(kind string) bool {
	return kind == vrrec.ConstraintFree || kind == vrrec.ConstraintMaxPrice || kind == vrrec.ConstraintNoSubscription
}

// labelled gives a constraint the label its chip shows, when its rule
// has none of its own.
func labelled(c vrrec.Constraint) vrrec.Constraint {
	if c.Label != "" {
		return c
	}
	switch c.Kind {
	case vrrec.ConstraintMaxPrice:
		c.Label = "Under " + vrrec.DollarLabel(c.Amount)
		if c.Amount == 0 {
			c.Kind, c.Label = vrrec.ConstraintFree, "Free apps only"
		}
	case vrrec.ConstraintPlayers:
		c.Label = strconv.Itoa(int(c.Amount)) + " players"
	case vrrec.ConstraintLanguage:
		c.Label = "In " + languageTitle(c.Value)
	}
	return c
}

func languageTitle(code string) string {
	for name, c := range languageNames {
		if c == code && name != "mandarin" {
			return strings.ToUpper(name[:1]) + name[1:]
		}
	}
	return code
}

// freeIsNoPrice reports whether a match of "free" is a phrase in which
// free is no price: "free body diagrams", "gluten free".
func freeIsNoPrice(match string) bool {
	f := strings.Fields(match)
	if len(f) >= 2 && f[0] == "free" && notPriceWords[f[len(f)-1]] {
		return true
	}
	return false
}

var notPriceWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Split(notPrice, "|") {
		m[w] = true
	}
	return m
}()

// onlineIsTopic reports whether "online" begins a topic ("online
// learning", "online safety") rather than saying where people play.
func onlineIsTopic(after string) bool {
	f := strings.Fields(after)
	if len(f) == 0 {
		return false
	}
	switch f[0] {
	case "learning", "course", "courses", "class", "classes", "section", "sections", "lecture", "lectures", "office", "meeting", "meetings",
		"tutoring", "school", "degree", "program", "programs", "exam", "exams", "students", "student", "safety", "privacy",
		"marketing", "dating", "security", "education", "teaching", "business", "banking", "shopping", "communities",
		"community", "research", "harassment", "identity", "presence":
		return true
	}
	return false
}

// competitiveIsTopic reports whether "competitive" names a subject
// ("competitive programming", "competitive analysis").
func competitiveIsTopic(after string) bool {
	f := strings.Fields(after)
	if len(f) == 0 {
		return false
	}
	switch f[0] {
	case "programming", "analysis", "strategy", "strategies", "advantage", "advantages", "intelligence", "markets", "market", "pricing", "swimming", "debate", "debating", "coding", "math", "mathematics":
		return true
	}
	return false
}

// normalize lowers the message for the rules, apostrophes and quotes read
// as spaces ("don't" is "don t"), and returns with it where each of its
// bytes came from in the message (one entry more, for the end).
func normalize(s string) (string, []int) {
	var b strings.Builder
	at := make([]int, 0, len(s)+1)
	for i, r := range s {
		switch r {
		case '\'', '’', '‘', '"', '“', '”':
			r = ' '
		case '–', '—':
			r = '-'
		}
		if unicode.IsSpace(r) {
			if b.Len() > 0 && strings.HasSuffix(b.String(), " ") {
				continue
			}
			r = ' '
		}
		start := b.Len()
		b.WriteRune(unicode.ToLower(r))
		for range b.Len() - start {
			at = append(at, i)
		}
	}
	at = append(at, len(s))
	return b.String(), at
}

func submatches(s string, loc []int) []string {
	out := make([]string, len(loc)/2)
	for i := range out {
		if loc[2*i] >= 0 {
			out[i] = s[loc[2*i]:loc[2*i+1]]
		}
	}
	return out
}

// Phrase writes a constraint as words Constraints reads back as the same
// constraint, so a stored question keeps what it asked: "free", "under
// $10", "for 4 players".
func Phrase(c vrrec.Constraint) string {
	switch c.Kind {
	case vrrec.ConstraintFree:
		return "free"
	case vrrec.ConstraintNoSubscription:
		return "no subscription"
	case vrrec.ConstraintMaxPrice:
		return "under " + vrrec.DollarLabel(c.Amount)
	case vrrec.ConstraintSeated:
		return "seated"
	case vrrec.ConstraintComfort:
		return "motion sickness"
	case vrrec.ConstraintSmall:
		return "small room"
	case vrrec.ConstraintSolo:
		return "solo"
	case vrrec.ConstraintPlayers:
		return "for " + strconv.Itoa(int(c.Amount)) + " players"
	case vrrec.ConstraintOnline:
		return "online"
	case vrrec.ConstraintLocal:
		return "same room"
	case vrrec.ConstraintCoop:
		return "co-op"
	case vrrec.ConstraintCompetitive:
		return "competitive"
	case vrrec.ConstraintNonViolent:
		return "non-violent"
	case vrrec.ConstraintMixedReality:
		return "mixed reality"
	case vrrec.ConstraintHandTracking:
		return "hand tracking"
	case vrrec.ConstraintLanguage:
		return "apps in " + strings.ToLower(languageTitle(c.Value))
	}
	return ""
}

// Text writes a topic with its constraints as one question that
// Constraints reads back: what a follow-up refines. A constraint whose
// words the topic kept ("co-op games") is not written twice.
func Text(topic string, cs []vrrec.Constraint) string {
	parts := []string{topic}
	for _, c := range cs {
		if p := Phrase(c); p != "" && !strings.Contains(strings.ToLower(topic), p) {
			parts = append(parts, p)
		}
	}
	return strings.Join(strings.Fields(strings.Join(parts, ", ")), " ")
}
