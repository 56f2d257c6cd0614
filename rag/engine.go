// Package rag retrieves and ranks VR apps for a student's query: it reads
// the query (framing, typos, abbreviations, course numbers and titles),
// gathers dense (sentence-model), lexical (BM25) and knowledge-graph
// evidence for every app, fuses it into a calibrated probability that the
// app fits, diversifies the top of the list and explains each pick (the
// chat package formats the reply). It reaches backends only through the
// domain interfaces (vrrec.Graph, vrrec.Embedder, vrrec.VectorStore behind
// embedding.Cache), and uses the project's pure helpers (text, embedding),
// never a concrete backend. docs/retrieval.md describes the pipeline and
// how its weights were fitted.
package rag

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/embedding"
	"github.com/vrrec/vrrec/text"
)

// Options tune retrieval. The zero value of a field selects its default.
type Options struct {
	TopK int // apps returned; default 8
	// Weights fuse the evidence; the zero value selects DefaultWeights.
	Weights Weights
	// Diversity is how much a pick similar to those above it is held back
	// in the top of a broad question's list (maximal marginal relevance),
	// 0-1; default 0.3. Negative turns diversification off.
	Diversity float64
	// Without turns kinds of evidence off (EvidenceDense, ...), to measure
	// what each adds.
	Without map[string]bool
	// Observe, when set, is told how long each stage of a query took:
	// "embed", "retrieve" and "rank".
	Observe func(stage string, d time.Duration)
	// Progress, when set, is told how many catalog texts are embedded, as
	// New embeds them.
	Progress func(done, total int)
	// Answers is how many whole answers the engine remembers by request;
	// 0 means 1024 (a few KB each), negative none.
	Answers int
}

func (o Options) withDefaults() Options {
	if o.TopK <= 0 {
		o.TopK = 8
	}
	if o.Weights == (Weights{}) {
		o.Weights = DefaultWeights
	}
	if o.Diversity == 0 {
		o.Diversity = 0.3
	}
	if o.Diversity < 0 {
		o.Diversity = 0
	}
	if o.Answers == 0 {
		o.Answers = 1024
	}
	return o
}

// Kinds of evidence an app can have, as Options.Without names them.
const (
	EvidenceDense   = "dense"   // the query's vector near the app's (and its name's)
	EvidenceLexical = "lexical" // BM25 over the app's texts
	EvidenceSkills  = "skills"  // the graph: skills close to the query that the app develops
	EvidenceCourse  = "course"  // the graph: skills a named course teaches that the app develops
)

// EvidenceKinds lists every kind of evidence.
var EvidenceKinds = []string{EvidenceDense, EvidenceLexical, EvidenceSkills, EvidenceCourse}

// queryCacheSize is how many query vectors an engine remembers.
const queryCacheSize = 4096

// Engine answers queries against one catalog. It is immutable after New
// (but for its cache of query vectors) and safe for concurrent use; a new
// catalog means a new Engine.
type Engine struct {
	opts     Options
	version  string
	graph    vrrec.Graph
	embedder vrrec.Embedder
	queries  *lru.Cache[string, []float32]
	// answers remembers whole answers by request (nil: none): the
	// catalog, the graph and the model an engine answers from never
	// change, so a question asked again (a class asking "anatomy") is
	// answered without ranking.
	answers *lru.Cache[string, *vrrec.Result]

	apps     []vrrec.VRApp
	appIdx   map[string]int
	appVecs  matrix
	appBack  background
	nameVecs matrix
	nameBack background
	appNames [][]string // per app: its name, and the part before a colon, as words
	develops [][]string // per app: the skills it develops
	// twinSim is the similarity from which two apps count as alike: the
	// 90th percentile of the similarities between the catalog's apps.
	twinSim float64
	lexical *lexicalIndex

	skills    []string // active skills: those some app develops
	skillRows matrix   // one row per name or alias of an active skill
	skillOf   []int    // row -> index in skills
	skillBack background
	// skillWords are the words of skill names and aliases: a one-word app
	// name among them ("Spatial") is not taken as naming the app.
	skillWords map[string]bool

	courses      []vrrec.Course
	courseIdx    map[string]int
	courseVecs   matrix
	courseTitles []courseTitle
	taughtBy     map[string]int // skill -> courses teaching it

	acronyms map[string]string // the catalog's acronyms, lower case -> what they stand for
	// lexicalDocs are the apps' lexical documents while New builds the
	// speller from them; nil after.
	lexicalDocs [][]string
	speller     *text.Speller // the catalog's words
	words       *text.Speller // the model's whole words; nil when it has none
}

// BuildStats describes what New computed.
type BuildStats struct {
	Texts    int           // texts the index holds vectors for
	Embedded int           // texts embedded anew (the rest came from the cache)
	Took     time.Duration // wall time of New
}

// IndexTexts returns every text New embeds for a catalog: app texts, the
// names and aliases of the skills apps develop, course texts, and the
// probes that measure the model's background similarity. A build step can
// embed them ahead of time (the embedded catalog's vectors).
func IndexTexts(cat *vrrec.Catalog) []string {
	var out []string
	for _, ix := range indexes(cat) {
		out = append(out, ix.texts()...)
	}
	return out
}

// index is one part of an Engine built from a catalog: it names the texts
// it needs embedded and takes their vectors back, in the same order.
type index interface {
	texts() []string
	build(ctx context.Context, eng *Engine, vecs [][]float32) error
}

// indexes are the parts of an Engine, in the order they are built: the
// probes measure the background of the vectors built before them.
func indexes(cat *vrrec.Catalog) []index {
	return []index{appIndex{cat}, skillIndex{cat}, courseIndex{cat}, probeIndex{}}
}

// activeSkills returns the catalog's skills that some app develops, in
// catalog order.
func activeSkills(cat *vrrec.Catalog) []vrrec.Skill {
	developed := map[string]bool{}
	for _, m := range cat.AppSkills {
		developed[m.SkillName] = true
	}
	var out []vrrec.Skill
	for _, s := range cat.Skills {
		if developed[s.Name] {
			out = append(out, s)
		}
	}
	return out
}

// New indexes a validated catalog: it embeds every text its indexes need
// through cache (so an unchanged text is never embedded twice), then builds
// each index: the apps' vectors and lexical index, the skills the graph
// says are active, the courses, and the model's background. The error is
// non-nil when the embedder or the graph failed.
func New(ctx context.Context, cat *vrrec.Catalog, version string, g vrrec.Graph, e vrrec.Embedder, cache *embedding.Cache, opts Options) (*Engine, BuildStats, error) {
	start := time.Now()
	eng := &Engine{
		opts: opts.withDefaults(), version: version, graph: g, embedder: e,
		apps: cat.Apps, appIdx: make(map[string]int, len(cat.Apps)),
		courses: cat.Courses, courseIdx: make(map[string]int, len(cat.Courses)),
		taughtBy: map[string]int{}, skillWords: map[string]bool{},
	}
	eng.queries, _ = lru.New[string, []float32](queryCacheSize)
	if eng.opts.Answers > 0 {
		eng.answers, _ = lru.New[string, *vrrec.Result](eng.opts.Answers)
	}

	parts := indexes(cat)
	var texts []string
	for _, ix := range parts {
		texts = append(texts, ix.texts()...)
	}
	vecs, fresh, err := cache.EmbedProgress(ctx, e, texts, eng.opts.Progress)
	if err != nil {
		return nil, BuildStats{}, fmt.Errorf("index catalog: %w", err)
	}
	for _, ix := range parts {
		n := len(ix.texts())
		if err := ix.build(ctx, eng, vecs[:n]); err != nil {
			return nil, BuildStats{}, fmt.Errorf("index catalog: %w", err)
		}
		vecs = vecs[n:]
	}
	eng.speller = text.NewSpeller(spellerWords(cat, eng.lexicalDocs), spellerAbbreviations(eng.acronyms))
	eng.lexicalDocs = nil
	eng.words = vocabularySpeller(e)
	return eng, BuildStats{Texts: len(texts), Embedded: fresh, Took: time.Since(start)}, nil
}

// appIndex builds the apps' vectors (their texts and their names) and the
// lexical index over their texts with the skills they develop.
type appIndex struct{ cat *vrrec.Catalog }

func (x appIndex) texts() []string {
	out := make([]string, 0, 2*len(x.cat.Apps))
	for _, a := range x.cat.Apps {
		out = append(out, AppText(a))
	}
	for _, a := range x.cat.Apps {
		out = append(out, a.Name)
	}
	return out
}

func (x appIndex) build(_ context.Context, eng *Engine, vecs [][]float32) error {
	cat := x.cat
	eng.appVecs = newMatrix(vecs[:len(cat.Apps)])
	eng.nameVecs = newMatrix(vecs[len(cat.Apps):])
	eng.twinSim = pairPercentile(eng.appVecs, 0.9)
	skillByName := make(map[string]vrrec.Skill, len(cat.Skills))
	for _, s := range cat.Skills {
		skillByName[s.Name] = s
	}
	developed := map[string][]string{}
	for _, m := range cat.AppSkills {
		developed[m.SourceID] = append(developed[m.SourceID], m.SkillName)
	}
	docs := make([][]string, len(cat.Apps))
	for i, a := range cat.Apps {
		eng.appIdx[a.AppID] = i
		names := []string{strings.Join(queryWords(a.Name), " ")}
		if short, _, ok := strings.Cut(a.Name, ":"); ok {
			names = append(names, strings.Join(queryWords(short), " "))
		}
		eng.appNames = append(eng.appNames, names)
		eng.develops = append(eng.develops, developed[a.AppID])
		doc := append([]string{a.Name, a.Name, a.Category, a.Description}, a.Features...)
		doc = append(doc, a.SkillsDeveloped...)
		for _, s := range developed[a.AppID] {
			doc = append(doc, s)
			doc = append(doc, skillByName[s].Aliases...)
		}
		docs[i] = doc
	}
	var other []string
	for _, c := range cat.Courses {
		other = append(other, c.Title, c.Description)
		other = append(other, c.LearningOutcomes...)
	}
	for _, sk := range cat.Skills {
		other = append(other, sk.Name)
		other = append(other, sk.Aliases...)
	}
	eng.lexical = newLexicalIndex(docs, other)
	eng.lexicalDocs = docs
	return nil
}

// skillIndex builds one row per name and alias of each skill the graph says
// some app develops, and the catalog's acronyms among those aliases.
type skillIndex struct{ cat *vrrec.Catalog }

func (x skillIndex) texts() []string {
	var out []string
	for _, s := range activeSkills(x.cat) {
		out = append(out, s.Name)
		out = append(out, s.Aliases...)
	}
	return out
}

func (x skillIndex) build(ctx context.Context, eng *Engine, vecs [][]float32) error {
	active, err := eng.graph.ActiveSkills(ctx)
	if err != nil {
		return fmt.Errorf("active skills: %w", err)
	}
	isActive := make(map[string]bool, len(active))
	for _, n := range active {
		isActive[n] = true
	}
	var rows [][]float32
	eng.acronyms = map[string]string{}
	for _, s := range activeSkills(x.cat) {
		v := vecs[:1+len(s.Aliases)]
		vecs = vecs[len(v):]
		if !isActive[s.Name] {
			continue
		}
		for _, r := range v {
			rows = append(rows, r)
			eng.skillOf = append(eng.skillOf, len(eng.skills))
		}
		eng.skills = append(eng.skills, s.Name)
		for _, name := range append([]string{s.Name}, s.Aliases...) {
			for _, w := range queryWords(name) {
				eng.skillWords[w] = true
			}
		}
		// The catalog's own acronyms: short all-capital aliases ("ML" for
		// Machine Learning).
		for _, a := range s.Aliases {
			if isAcronym(a) {
				eng.acronyms[strings.ToLower(a)] = strings.ToLower(s.Name)
			}
		}
	}
	eng.skillRows = newMatrix(rows)
	return nil
}

// courseIndex builds the courses' vectors, their titles for finding them
// in queries, and how many teach each skill (a skill every course teaches
// says little).
type courseIndex struct{ cat *vrrec.Catalog }

func (x courseIndex) texts() []string {
	out := make([]string, len(x.cat.Courses))
	for i, c := range x.cat.Courses {
		out[i] = CourseText(c)
	}
	return out
}

func (x courseIndex) build(_ context.Context, eng *Engine, vecs [][]float32) error {
	eng.courseVecs = newMatrix(vecs)
	for i, c := range x.cat.Courses {
		eng.courseIdx[c.CourseID] = i
		if w := titleWords(c.Title); strings.Count(w, " ") >= 1 && !strings.HasPrefix(w, "course ") {
			eng.courseTitles = append(eng.courseTitles, courseTitle{course: i, words: w})
		}
	}
	for _, m := range x.cat.CourseSkills {
		eng.taughtBy[m.SkillName]++
	}
	return nil
}

// probeIndex measures the model's background similarity on requests a
// study catalog rarely serves, for the apps', names' and skills' vectors.
type probeIndex struct{}

func (probeIndex) texts() []string { return probeTopics }

func (probeIndex) build(_ context.Context, eng *Engine, probes [][]float32) error {
	eng.appBack = measureBackground(probes, eng.appVecs)
	eng.nameBack = measureBackground(probes, eng.nameVecs)
	eng.skillBack = measureBackground(probes, eng.skillRows)
	return nil
}

// spellerWords are the words a misspelling may be corrected towards: the
// apps' lexical documents, the courses' titles and descriptions, and
// university subjects the catalog may not name.
func spellerWords(cat *vrrec.Catalog, docs [][]string) map[string]int {
	freq := map[string]int{}
	for _, d := range docs {
		for _, p := range d {
			for _, w := range queryWords(p) {
				freq[w]++
			}
		}
	}
	for _, c := range cat.Courses {
		for _, w := range queryWords(c.Title + " " + c.Description) {
			freq[w]++
		}
	}
	for _, w := range text.SubjectWords {
		freq[w]++
	}
	return freq
}

// spellerAbbreviations are the built-in abbreviations and the catalog's
// acronyms, as the terms they stand for.
func spellerAbbreviations(acronyms map[string]string) map[string][]string {
	out := make(map[string][]string, len(text.Abbreviations)+len(acronyms))
	for _, m := range []map[string]string{text.Abbreviations, acronyms} {
		for k, v := range m {
			out[k] = strings.Fields(v)
		}
	}
	return out
}

// specificity is the inverse course frequency of a skill, scaled to (0, 1]:
// 1 for a skill one course teaches, small for one most courses teach.
func (e *Engine) specificity(skill string) float64 {
	n := float64(len(e.courses))
	maxIDF := math.Log(n + 1)
	if maxIDF == 0 {
		return 1
	}
	return math.Log((n+1)/float64(e.taughtBy[skill]+1)) / maxIDF
}

// Apps returns the catalog's apps; callers must not modify them.
func (e *Engine) Apps() []vrrec.VRApp { return e.apps }

// App returns the catalog app with the given id.
func (e *Engine) App(id string) (vrrec.VRApp, bool) {
	i, ok := e.appIdx[id]
	if !ok {
		return vrrec.VRApp{}, false
	}
	return e.apps[i], true
}

// EmbedderName names the model behind the engine's vectors.
func (e *Engine) EmbedderName() string { return e.embedder.Name() }

// Version is the catalog version the engine answers from.
func (e *Engine) Version() string { return e.version }

// AppText is how an app is embedded: name, category, description, features
// and the skills it lists.
func AppText(a vrrec.VRApp) string {
	return a.Name + ". " + a.Category + ". " + a.Description + " " + strings.Join(a.Features, ". ") + ". " + strings.Join(a.SkillsDeveloped, ". ") + "."
}

// CourseText is how a course is embedded: its title, description and
// learning outcomes (the model reads the first 256 word pieces).
func CourseText(c vrrec.Course) string {
	s := c.Title + ". " + c.Description
	if len(c.LearningOutcomes) > 0 {
		s += " " + strings.Join(c.LearningOutcomes, ". ") + "."
	}
	return s
}

// isAcronym reports whether s looks like an abbreviation: one word of two to
// six characters, all capitals or digits, at least one letter.
func isAcronym(s string) bool {
	if len(s) < 2 || len(s) > 6 {
		return false
	}
	letters := 0
	for _, r := range s {
		switch {
		case unicode.IsUpper(r):
			letters++
		case unicode.IsDigit(r):
		default:
			return false
		}
	}
	return letters > 0
}

// pairPercentile returns the q-quantile of the similarities between the
// rows of m, two by two.
func pairPercentile(m matrix, q float64) float64 {
	var sims []float64
	for i := range m.len() {
		for j := i + 1; j < m.len(); j++ {
			sims = append(sims, float64(dot(m.row(i), m.row(j))))
		}
	}
	if len(sims) == 0 {
		return 0
	}
	slices.Sort(sims)
	return min(sims[int(q*float64(len(sims)-1))], 0.99)
}
