package rag

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/text"
)

// understood is what a query asks for once the way it was phrased is set
// aside: "im a compsci major learnign pyhton" becomes the topic "computer
// science python".
type understood struct {
	raw   string // the query as typed, spaces normalised
	topic string // what the student wants: embedded, and quoted in reasons
	// terms are the topic's lexical terms (stems, and adjacent words joined)
	// for BM25; words are its topic words as corrected, for reasons.
	terms, words []string
	courses      []int // courses named by number or title, in order
	// unknownCourses are course numbers the catalog does not have
	// ("95-729"), as typed with a hyphen.
	unknownCourses []string
	apps           []int // apps named outright
	lang           string
	// corrected is the topic as read when a spelling correction changed a
	// word of it ("thermodynamics" for "thermodynamcis"), else empty.
	corrected string
}

// framing matches the ways students phrase a request around its topic.
// Each is replaced by a space, in order, on the corrected lower-case words
// of the query (apostrophes dropped: "i'm" is "im").
var framing = compileAll(
	`^\s*(hi|hello|hey|yo|hiya|hey there|hi there|good (morning|afternoon|evening))\b`,
	`\b(im|i am) (an? )?((?:[a-z0-9]+ ){0,5}?)(major|minor|student|undergrad|undergraduate|grad|graduate|phd|masters)( student)?\b`,
	`\b(majoring|minoring|major|minor)( in)?\b`,
	`\b(interested|curious|passionate|keen|focused|focusing) (in|about|on)\b`,
	`\b(cheap|cheaper|cheapest|affordable|inexpensive|low cost|low priced)\b|\bfree (apps?|games?|ones?|options?|stuff)\b|\bfor free\b`,
	`\bwhat (should|can|could|would|do) (i|we|you) (try|play|use|get|do|recommend|suggest)( first)?( if (i|we) (like|love|enjoy|study))?\b`,
	`\b(im|i am)( (currently|also|really|now|just|still))? (taking|in|doing|enrolled in|registered for|signed up for|studying|learning|working on|into|interested in|curious about|trying to (learn|get better at|improve)|looking for|preparing for|struggling with|bad at|good at|new to)\b`,
	`\b(i|we) (really )?(want|wanna|would like|d like|need|hope|plan|have|got|am trying|m trying|try) to (learn|study|practice|practise|get better at|improve|work on|get into|prepare for|pass|brush up on|master|learn about|know more about)( (my|our|some|more))?\b`,
	`\b(i|we) (want|wanna|would like|d like|need|am looking for|m looking for|look for|like|love|enjoy|study|learn|take|teach)\b`,
	`\b(can|could|would|will) (you|u) (please )?(recommend|suggest|show|find|give|help)( me| us)?( with)?\b`,
	`\b(please )?(recommend|suggest|show me|find me|give me|help me( with)?)\b`,
	`\b(is there|are there|do you have|have you got|you got|got|any recommendations for|any suggestions for|any ideas for|ideas for)( any| anything| something| some| an?)?\b`,
	`\b(whats|what is|what are|which)( the| some| any)?( best| good| great| top| cool)?( vr)?(( apps?| games?| experiences?| options?)( for| to| that| about))?\b`,
	`^\s*(any|some|good|cool|fun|best|great)?\s*(vr )?((anything|something|stuff)( that (helps?|teach(es)?|builds?))?( (for|about|on|with|to help with|to|in))?|(apps?|games?|programs?|experiences?|options?)( that (helps?|teach(es)?|builds?))? (for|about|on|with|to help with|to|in))\b`,
	`\b(any|some)( good| cool| fun| great)? ?(thing|things|apps?|games?|stuff|ideas?|suggestions?|recommendations?)( (that|which) (can |could |would |will )?(help|helps|teach|teaches)( me| us)?( with| to)?| (to|for)( help( me| us)?( with| to)?)?)?\b|\bhelp (me|us)( with| to)?\b`,
	`^\s*(learn|study)( about| more about)?\b|^\s*(learning|studying)( about| more about)\b`,
	`\b(for|in|during) (my|our|a|the|this|next) (class|classes|course|courses|degree|program|programme|major|minor|exam|exams|midterm|midterms|final|finals|homework|semester|term|project|studies)\b`,
	`\b(this|next|last) (semester|term|year|fall|spring|summer|winter|quarter|week)\b`,
	`\b(in|on|with|using) (vr|virtual reality|the quest|my quest|a quest|quest|meta quest)\b`,
	`\b(vr|quest|meta quest|oculus)\b`,
	`\b(please|thanks|thank you|pls|thx)\b`,
	`\b(im|i am|i m)\b`,
	`^\s*(just |really |also )?(want|wanna|need|looking for)( (some|an?|to find))?\b`,
	`^\s*((if|and|or|for|to|about|in|on|with|so|but|also)\s+)+`,
)

func compileAll(patterns ...string) []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(patterns))
	for i, p := range patterns {
		out[i] = regexp.MustCompile(p)
	}
	return out
}

// contractions spells out the contractions that dropping apostrophes
// leaves ambiguous ("id like" is "i'd like"), before the framing is read.
var contractions = strings.NewReplacer(" id like ", " i would like ", " id love ", " i would love ",
	" ive been ", " i have been ", " ive ", " i have ", " ill be ", " i will be ", " youre ", " you are ")

// majorPattern is the framing that keeps its third group, the subject of
// "i'm a psych major".
const majorPattern = 1

// stripFraming removes the framing from lower-case words and returns what
// is left, space-padded.
func stripFraming(words []string) string {
	s := contractions.Replace(" " + strings.Join(words, " ") + " ")
	for i, re := range framing {
		if i == majorPattern {
			s = re.ReplaceAllString(s, " $3 ")
			continue
		}
		s = re.ReplaceAllString(s, " ")
	}
	return dropStudyVerbs(s)
}

// dropStudyVerbs removes "learning" and "studying" used as verbs inside a
// request ("cs major learning python"): followed by what is studied, and
// not part of a name such as "machine learning" or "learning design".
func dropStudyVerbs(s string) string {
	words := strings.Fields(s)
	out := words[:0]
	for i, w := range words {
		if (w != "learning" && w != "studying") || i+1 == len(words) {
			out = append(out, w)
			continue
		}
		next := words[i+1]
		// "learning and memory" is a subject; "learning about x" a request.
		object := !text.IsFunctionWord(next) || next == "about" || next == "how"
		if i > 0 && learningModifiers[words[i-1]] || learningNouns[next] || !object {
			out = append(out, w)
		}
	}
	return " " + strings.Join(out, " ") + " "
}

// learningModifiers make "learning" part of a name: "machine learning",
// "language learning".
var learningModifiers = map[string]bool{"machine": true, "deep": true, "language": true, "languages": true,
	"distance": true, "online": true, "e": true, "reinforcement": true, "lifelong": true, "active": true,
	"experiential": true, "social": true, "emotional": true, "statistical": true, "supervised": true,
	"unsupervised": true, "transfer": true, "blended": true, "mobile": true, "adaptive": true, "self": true,
	"collaborative": true, "based": true, "vocabulary": true, "bible": true}

// learningNouns follow "learning" in names of their own: "learning
// disabilities", "learning science".
var learningNouns = map[string]bool{"disabilities": true, "disability": true, "styles": true, "style": true,
	"theory": true, "theories": true, "outcomes": true, "science": true, "sciences": true, "analytics": true,
	"design": true, "environment": true, "environments": true, "experience": true, "experiences": true,
	"curve": true, "objectives": true, "strategies": true, "management": true, "platform": true, "platforms": true}

var courseIDInQuery = regexp.MustCompile(`\b(\d{2})-?(\d{3})\b`)

// understand reads a query: the language, the courses and apps it names,
// its words corrected and abbreviations spelled out, the framing removed.
func (e *Engine) understand(query string) understood {
	u := understood{raw: query, lang: detectLanguage(query)}
	rest := query
	seen := map[int]bool{}
	for _, m := range courseIDInQuery.FindAllStringSubmatch(query, -1) {
		id := m[1] + "-" + m[2]
		if i, ok := e.courseIdx[id]; !ok {
			if !slices.Contains(u.unknownCourses, id) {
				u.unknownCourses = append(u.unknownCourses, id)
			}
		} else if !seen[i] {
			seen[i] = true
			u.courses = append(u.courses, i)
		}
		rest = strings.Replace(rest, m[0], " ", 1)
	}
	how := typedWords(rest)
	words, fixed := e.correct(queryWords(rest), how, u.lang)
	s := stripFraming(words)
	// Course titles, after the framing so "im taking intro to machine
	// learning" meets "Introduction to Machine Learning".
	for _, t := range e.courseTitles {
		if seen[t.course] {
			continue
		}
		if strings.Contains(s, " "+t.words+" ") {
			// The title's words stay in the topic: they are what the
			// student asks about, and the course adds its own vector.
			seen[t.course] = true
			u.courses = append(u.courses, t.course)
		}
	}
	u.topic = strings.Join(strings.Fields(s), " ")
	u.apps = e.namedApps(" "+strings.Join(words, " ")+" ", how)
	for _, w := range strings.Fields(u.topic) {
		if text.IsTopicWord(w) && len(w) > 1 {
			u.words = append(u.words, w)
		}
	}
	if len(u.words) == 0 && len(u.courses) == 0 {
		// Nothing but framing ("what should I try?"): a broad question;
		// search with everything it said.
		u.topic = strings.Join(words, " ")
	}
	u.terms = e.lexical.queryTerms(strings.Fields(u.topic))
	if fixed {
		u.corrected = restoreCase(u.topic, u.raw)
	}
	return u
}

// queryWords splits a query into lower-case words; apostrophes inside words
// go ("i'm" is "im"), and symbols that name things stay ("c++").
func queryWords(q string) []string {
	q = strings.NewReplacer("’", "", "'", "", "`", "").Replace(q)
	return text.Words(q)
}

// typed records how the student wrote each word: with an initial capital
// ("Frida", "Cubism") or all in capitals ("BA", "SOC").
type typed struct{ capital, allCaps map[string]bool }

// typedWords reads the capitals of a query's words.
func typedWords(q string) typed {
	t := typed{capital: map[string]bool{}, allCaps: map[string]bool{}}
	q = strings.NewReplacer("’", "", "'", "", "`", "").Replace(q)
	for _, w := range strings.FieldsFunc(q, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		r := []rune(w)
		if !unicode.IsUpper(r[0]) {
			continue
		}
		lw := strings.ToLower(w)
		t.capital[lw] = true
		if len(r) > 1 && strings.ToUpper(w) == w {
			t.allCaps[lw] = true
		}
	}
	return t
}

// correct spells out abbreviations ("psych", "ML", "WW2") and corrects
// misspelled words to the closest word the catalog uses, else to the
// closest whole word of the model's vocabulary. The catalog's own
// acronyms count only when typed in capitals ("SOC", not "soc"). A word is
// left alone when it is short, a number, a word of the model's vocabulary
// (so "tax" is never "corrected" into the catalog), known to the catalog,
// typed with a capital and shorter than longName (a name: "Frida"), or
// when the query is not in English. fixed reports a spelling corrected.
func (e *Engine) correct(words []string, how typed, lang string) (out []string, fixed bool) {
	out = make([]string, 0, len(words))
	for i := 0; i < len(words); i++ {
		w := words[i]
		if i+1 < len(words) {
			if exp, ok := text.Phrases[w+" "+words[i+1]]; ok {
				out = append(out, strings.Fields(exp)...)
				i++
				continue
			}
		}
		if exp, ok := text.Abbreviations[w]; ok {
			out = append(out, strings.Fields(exp)...)
			continue
		}
		if exp, ok := e.acronyms[w]; ok && how.allCaps[w] {
			out = append(out, strings.Fields(exp)...)
			continue
		}
		if lang == "" && (!how.capital[w] || len(w) >= longName) && !text.IsFunctionWord(w) && !text.IsFillerWord(w) && !e.speller.Known(w) && !e.isWord(w) {
			fix, ok := e.speller.Suggest(w)
			if !ok && e.words != nil {
				fix, ok = e.words.Suggest(w) // a real word the catalog does not use: "exercize"
			}
			// A plural of the suggestion is no misspelling: "statics"
			// stays.
			if ok && !(strings.HasPrefix(w, fix) && len(w)-len(fix) <= 2) {
				w, fixed = fix, true
			}
		}
		out = append(out, w)
	}
	return out, fixed
}

// longName is the length from which a capitalised word the catalog does
// not know is taken as misspelled rather than a name ("Thermodynamcis" in
// a course title, not "Frida").
const longName = 10

// isWord reports whether the model's vocabulary knows w as a whole word.
func (e *Engine) isWord(w string) bool {
	if v, ok := e.embedder.(interface{ IsWord(string) bool }); ok {
		return v.IsWord(w)
	}
	return false
}

// courseTitle is a course title as lower-case words, for finding it in a
// query.
type courseTitle struct {
	course int
	words  string // " "-joined, "introduction" for "intro"
}

// titleWords normalises a course title or query fragment for matching.
func titleWords(s string) string {
	ws := queryWords(s)
	for i, w := range ws {
		if w == "intro" {
			ws[i] = "introduction"
		}
	}
	return strings.Join(ws, " ")
}

// NamedApp returns the app a message names, by the rules a question's
// reading uses (namedApps); of several, the one with the longest name
// ("Beat Saber" over "Saber"). ok is false when it names none.
func (e *Engine) NamedApp(msg string) (app vrrec.VRApp, ok bool) {
	padded := " " + strings.Join(queryWords(msg), " ") + " "
	best, bestLen := -1, 0
	for _, i := range e.namedApps(padded, typedWords(msg)) {
		for _, name := range e.appNames[i] {
			if len(name) > bestLen && strings.Contains(padded, " "+name+" ") {
				best, bestLen = i, len(name)
			}
		}
	}
	if best < 0 {
		return vrrec.VRApp{}, false
	}
	return e.apps[best], true
}

// namedApps returns the apps whose full name, or the part before a colon,
// appears in the padded query words. A one-word name that is also an
// ordinary word ("Cubism", "Supernatural", "ENGAGE", "Spatial") counts only
// when the student wrote it with its capital: "supernatural horror
// stories" and "spatial reasoning" are topics.
func (e *Engine) namedApps(padded string, how typed) []int {
	var out []int
	for i, n := range e.appNames {
		for _, name := range n {
			if len(strings.ReplaceAll(name, " ", "")) < 4 || !strings.Contains(padded, " "+name+" ") {
				continue
			}
			if !strings.Contains(name, " ") && (e.skillWords[name] || e.isWord(name)) && !how.capital[name] {
				continue
			}
			if !slices.Contains(out, i) {
				out = append(out, i)
			}
		}
	}
	return out
}

// vocabularySpellers holds one speller over each model's whole words, built
// once per process: the vocabulary does not change with the catalog.
var vocabularySpellers sync.Map // model name -> *text.Speller

// vocabularySpeller returns a speller over the whole words of the
// embedder's vocabulary, nil when it has none to offer.
func vocabularySpeller(emb vrrec.Embedder) *text.Speller {
	v, ok := emb.(interface{ Words() []string })
	if !ok {
		return nil
	}
	if s, ok := vocabularySpellers.Load(emb.Name()); ok {
		return s.(*text.Speller)
	}
	words := v.Words()
	if len(words) == 0 {
		return nil
	}
	freq := make(map[string]int, len(words))
	for _, w := range words {
		freq[w] = 1
	}
	s, _ := vocabularySpellers.LoadOrStore(emb.Name(), text.NewSpeller(freq, nil))
	return s.(*text.Speller)
}
