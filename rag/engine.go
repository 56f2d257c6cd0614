// Package rag retrieves and ranks VR apps for a student's query from the
// knowledge graph and vector similarity, explains each pick, and formats the
// reply. It depends only on the domain interfaces (vrrec.Graph,
// vrrec.Embedder), never on a concrete backend.
package rag

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/embedding"
)

// Options tune retrieval. The zero value of a field selects its default,
// which reproduces the old system's pipeline.
type Options struct {
	TopK            int     // apps returned; default 8
	DirectSkills    int     // nearest skills considered; default 10
	MinSkillSim     float64 // similarity for a direct skill match; default 0.30
	BridgeBelow     int     // bridge when fewer direct candidates than this; default 3
	BridgeSkills    int     // active skills a bridge may use; default 5
	BridgeMinSim    float64 // similarity for a bridge skill; default 0.35
	BridgeFactor    float64 // likeliness multiplier of bridged apps; default 0.49
	MinAppTextSim   float64 // similarity of query and app text to count; default 0.30
	AppTextWeight   float64 // score of a perfect app text match; default 1.0
	AppNameScore    float64 // score of an app named in the query; default 3.0
	CandidateFactor int     // candidates kept per returned app; default 2
	// Observe, when set, is told how long each stage of a query took:
	// "embed", "retrieve" and "rank".
	Observe func(stage string, d time.Duration)
}

func (o Options) withDefaults() Options {
	def := func(v *float64, d float64) {
		if *v <= 0 {
			*v = d
		}
	}
	defInt := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defInt(&o.TopK, 8)
	defInt(&o.DirectSkills, 10)
	def(&o.MinSkillSim, 0.30)
	defInt(&o.BridgeBelow, 3)
	defInt(&o.BridgeSkills, 5)
	def(&o.BridgeMinSim, 0.35)
	def(&o.BridgeFactor, 0.49)
	def(&o.MinAppTextSim, 0.30)
	def(&o.AppTextWeight, 1.0)
	def(&o.AppNameScore, 3.0)
	defInt(&o.CandidateFactor, 2)
	return o
}

// Engine answers queries against one catalog. It is immutable after New and
// safe for concurrent use; a new catalog means a new Engine.
type Engine struct {
	opts     Options
	version  string
	graph    vrrec.Graph
	embedder vrrec.Embedder

	skills      []vrrec.Skill
	skillVecs   matrix
	active      []int // indices of skills at least one app develops
	activeNames map[string]bool

	apps    []vrrec.VRApp
	appIdx  map[string]int
	appVecs matrix
	names   []nameEntry
	// skillWords are the words of skill names and aliases: a one-word app
	// name among them ("Spatial") is not taken as naming the app.
	skillWords map[string]bool

	courses     map[string]*vrrec.Course
	taughtBy    map[string]int // skill -> number of courses teaching it
	courseNames []nameEntry
}

// BuildStats describes what New computed.
type BuildStats struct {
	Texts    int           // texts the index holds vectors for
	Embedded int           // texts embedded anew (the rest came from the cache)
	Took     time.Duration // wall time of New
}

// New indexes a validated catalog: it embeds every skill and app text
// through cache (so an unchanged text is never embedded twice) and asks the
// graph which skills are active. The error is non-nil when the embedder or
// the graph failed.
func New(ctx context.Context, cat *vrrec.Catalog, version string, g vrrec.Graph, e vrrec.Embedder, cache *embedding.Cache, opts Options) (*Engine, BuildStats, error) {
	start := time.Now()
	eng := &Engine{
		opts: opts.withDefaults(), version: version, graph: g, embedder: e,
		skills: cat.Skills, apps: cat.Apps,
		appIdx:  make(map[string]int, len(cat.Apps)),
		courses: make(map[string]*vrrec.Course, len(cat.Courses)),
	}
	eng.taughtBy = map[string]int{}
	for _, m := range cat.CourseSkills {
		eng.taughtBy[m.SkillName]++
	}
	texts := make([]string, 0, len(cat.Skills)+len(cat.Apps))
	eng.skillWords = map[string]bool{}
	for _, s := range cat.Skills {
		texts = append(texts, SkillText(s))
		for _, n := range append([]string{s.Name}, s.Aliases...) {
			for _, w := range nameWords(n) {
				eng.skillWords[w] = true
			}
		}
	}
	for i, a := range cat.Apps {
		eng.appIdx[a.AppID] = i
		texts = append(texts, AppText(a))
		eng.names = append(eng.names, nameEntry{id: a.AppID, words: nameWords(a.Name)})
	}
	for i := range cat.Courses {
		c := &cat.Courses[i]
		eng.courses[c.CourseID] = c
		if w := nameWords(c.Title); len(w) >= 3 {
			eng.courseNames = append(eng.courseNames, nameEntry{id: c.CourseID, words: w})
		}
	}
	vecs, fresh, err := cache.Embed(ctx, e, texts)
	if err != nil {
		return nil, BuildStats{}, fmt.Errorf("index catalog: %w", err)
	}
	ns, na := len(cat.Skills), len(cat.Apps)
	eng.skillVecs = newMatrix(vecs[:ns])
	eng.appVecs = newMatrix(vecs[ns : ns+na])

	active, err := g.ActiveSkills(ctx)
	if err != nil {
		return nil, BuildStats{}, fmt.Errorf("index catalog: active skills: %w", err)
	}
	byName := make(map[string]int, len(cat.Skills))
	for i, s := range cat.Skills {
		byName[s.Name] = i
	}
	eng.activeNames = make(map[string]bool, len(active))
	for _, name := range active {
		if i, ok := byName[name]; ok {
			eng.active = append(eng.active, i)
			eng.activeNames[name] = true
		}
	}
	return eng, BuildStats{Texts: len(texts), Embedded: fresh, Took: time.Since(start)}, nil
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

// matrix holds vectors column by column: the value of dimension j for every
// row lies together, so a similarity scan touches only the dimensions where
// the query is non-zero. Offline query vectors are sparse (a few hundred of
// 1,024 dimensions), which makes the scan several times faster than row by
// row; a dense query costs the same as a row scan.
type matrix struct {
	dim, n int
	cols   []float32 // cols[j*n+i] is dimension j of row i
}

func newMatrix(rows [][]float32) matrix {
	if len(rows) == 0 {
		return matrix{}
	}
	m := matrix{dim: len(rows[0]), n: len(rows)}
	m.cols = make([]float32, m.dim*m.n)
	for i, r := range rows {
		for j, x := range r {
			m.cols[j*m.n+i] = x
		}
	}
	return m
}

// similarities returns the dot product of q with every row: the cosine
// similarity, since all vectors are normalised.
func (m matrix) similarities(q []float32) []float32 {
	out := make([]float32, m.n)
	if len(q) != m.dim {
		return out // a vector from another model matches nothing
	}
	for j, qj := range q {
		if qj == 0 {
			continue
		}
		col := m.cols[j*m.n : (j+1)*m.n]
		col = col[:len(out)]
		for i, x := range col {
			out[i] += qj * x
		}
	}
	return out
}
