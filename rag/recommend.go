package rag

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/embedding"
)

// MaxQueryLength bounds a query in characters; longer ones are refused.
const MaxQueryLength = 2000

// candidate accumulates the evidence for one app.
type candidate struct {
	app                 int
	score               float64
	sources             map[string]float64 // retrieval source -> score it contributed
	skills              []string           // matched skills, strongest first, no repeats
	terms               []string           // query words found in the app's own text
	course              string             // course id behind a course match
	bridge              string             // best bridge skill
	viaCourse, viaSkill string             // for a bridge through courses: the course and the query's skill it teaches
	bridged             bool               // only the semantic bridge found it
	bestSim             float64            // best bridge similarity
}

func (c *candidate) addSkill(s string) {
	if !slices.Contains(c.skills, s) {
		c.skills = append(c.skills, s)
	}
}

func (c *candidate) source() string {
	best, bestScore := vrrec.SourceSemanticBridge, -1.0
	// Fixed order so ties resolve the same way every time.
	for _, s := range []string{vrrec.SourceAppNameMatch, vrrec.SourceCourseMatch, vrrec.SourceDirectSkill, vrrec.SourceAppTextMatch, vrrec.SourceSemanticBridge} {
		if v, ok := c.sources[s]; ok && v > bestScore {
			best, bestScore = s, v
		}
	}
	if _, named := c.sources[vrrec.SourceAppNameMatch]; named {
		return vrrec.SourceAppNameMatch
	}
	return best
}

// Recommend implements vrrec.Recommender.
func (e *Engine) Recommend(ctx context.Context, query string, topK int) (*vrrec.Result, error) {
	return e.Search(ctx, query, "", topK)
}

// Search is Recommend with a label: what the result says it answers
// (Result.Query, and "your interest in ..." in reasons) when that differs
// from the text searched, as for "apps like Beat Saber" searched by its
// skills. An empty label means the query itself.
func (e *Engine) Search(ctx context.Context, query, label string, topK int) (*vrrec.Result, error) {
	query = strings.Join(strings.Fields(query), " ")
	if query == "" {
		return nil, vrrec.Errorf(vrrec.EINVALID, "Message required")
	}
	if n := len([]rune(query)); n > MaxQueryLength {
		return nil, vrrec.Errorf(vrrec.EINVALID, "Message too long: %d characters, the limit is %d", n, MaxQueryLength)
	}
	if topK <= 0 {
		topK = e.opts.TopK
	}
	observe := e.opts.Observe
	if observe == nil {
		observe = func(string, time.Duration) {}
	}
	start := time.Now()
	vecs, err := e.embedder.Embed(ctx, []string{query})
	if err != nil {
		return nil, fmt.Errorf("embed query: %w", err)
	}
	if len(vecs) != 1 {
		return nil, fmt.Errorf("embed query: got %d vectors", len(vecs))
	}
	observe("embed", time.Since(start))
	if label == "" {
		label = query
	}
	start = time.Now()
	r := retrieval{e: e, query: query, label: label, qv: vecs[0], cands: map[int]*candidate{}}
	if err := r.run(ctx); err != nil {
		return nil, err
	}
	observe("retrieve", time.Since(start))
	start = time.Now()
	res := r.result(topK)
	observe("rank", time.Since(start))
	return res, nil
}

// retrieval is the state of one Recommend call.
type retrieval struct {
	e       *Engine
	query   string
	label   string // what the result says it answers
	qv      []float32
	cands   map[int]*candidate
	courses []string
}

func (r *retrieval) cand(app int) *candidate {
	c := r.cands[app]
	if c == nil {
		c = &candidate{app: app, sources: map[string]float64{}}
		r.cands[app] = c
	}
	return c
}

func (r *retrieval) run(ctx context.Context) error {
	skillSims := r.e.skillVecs.similarities(r.qv)
	direct, err := r.directSkills(ctx, skillSims)
	if err != nil {
		return err
	}
	if err := r.coursePath(ctx); err != nil {
		return err
	}
	r.appText()
	if len(r.cands) < r.e.opts.BridgeBelow {
		if err := r.bridge(ctx, skillSims, direct); err != nil {
			return err
		}
	}
	if len(r.cands) < r.e.opts.BridgeBelow {
		seeds := map[string]float64{}
		for _, idx := range topIndices(skillSims, nil, 3, r.e.opts.MinSkillSim) {
			seeds[r.e.skills[idx].Name] = float64(skillSims[idx])
		}
		if err := r.courseBridge(ctx, seeds, ""); err != nil {
			return err
		}
	}
	return nil
}

// directSkills adds the apps developing the nearest skills (SPEC step 3),
// each scored by the develop weight times the skill's similarity.
func (r *retrieval) directSkills(ctx context.Context, sims []float32) (map[int]bool, error) {
	top := topIndices(sims, nil, r.e.opts.DirectSkills, r.e.opts.MinSkillSim)
	chosen := make(map[int]bool, len(top))
	names := make([]string, len(top))
	simOf := make(map[string]float64, len(top))
	for i, idx := range top {
		chosen[idx] = true
		names[i] = r.e.skills[idx].Name
		simOf[names[i]] = float64(sims[idx])
	}
	if len(names) == 0 {
		return chosen, nil
	}
	edges, err := r.e.graph.AppsDeveloping(ctx, names)
	if err != nil {
		return nil, fmt.Errorf("direct skills: %w", err)
	}
	// Strongest skill first in each app's matched list.
	slices.SortStableFunc(edges, func(a, b vrrec.Edge) int {
		return cmp.Compare(b.Weight*simOf[b.Skill], a.Weight*simOf[a.Skill])
	})
	for _, ed := range edges {
		app, ok := r.e.appIdx[ed.From]
		if !ok {
			continue
		}
		c := r.cand(app)
		s := ed.Weight * simOf[ed.Skill]
		c.score += s
		c.sources[vrrec.SourceDirectSkill] += s
		c.addSkill(ed.Skill)
	}
	return chosen, nil
}

var courseIDInQuery = regexp.MustCompile(`\b(\d{2})-?(\d{3})\b`)

// coursePath handles a query naming a course by number or full title: apps
// sharing the course's skills, and when those are few, apps developing skills
// close to the course as a whole.
func (r *retrieval) coursePath(ctx context.Context) error {
	seen := map[string]bool{}
	for _, m := range courseIDInQuery.FindAllStringSubmatch(r.query, -1) {
		id := m[1] + "-" + m[2]
		if _, ok := r.e.courses[id]; ok && !seen[id] {
			seen[id] = true
			r.courses = append(r.courses, id)
		}
	}
	q := " " + strings.Join(nameWords(r.query), " ") + " "
	for _, n := range r.e.courseNames {
		if !seen[n.id] && strings.Contains(q, " "+strings.Join(n.words, " ")+" ") {
			seen[n.id] = true
			r.courses = append(r.courses, n.id)
		}
	}
	for _, id := range r.courses {
		taught, err := r.e.graph.SkillsTaughtBy(ctx, []string{id})
		if err != nil {
			return fmt.Errorf("course %s: %w", id, err)
		}
		teach := make(map[string]float64, len(taught))
		names := make([]string, len(taught))
		for i, t := range taught {
			teach[t.Skill] = t.Weight
			names[i] = t.Skill
		}
		edges, err := r.e.graph.AppsDeveloping(ctx, names)
		if err != nil {
			return fmt.Errorf("course %s: %w", id, err)
		}
		found := map[int]bool{}
		for _, ed := range edges {
			app, ok := r.e.appIdx[ed.From]
			if !ok {
				continue
			}
			found[app] = true
			c := r.cand(app)
			s := teach[ed.Skill] * ed.Weight
			c.score += s
			c.sources[vrrec.SourceCourseMatch] += s
			c.addSkill(ed.Skill)
			c.course = id
		}
		if len(found) < r.e.opts.BridgeBelow {
			if err := r.courseBridge(ctx, teach, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// appText adds apps whose own text is close to the query, and apps the query
// names outright.
func (r *retrieval) appText() {
	q := " " + strings.Join(nameWords(r.query), " ") + " "
	for i, n := range r.e.names {
		if len(n.words) == 1 && r.e.skillWords[n.words[0]] {
			continue // "spatial reasoning" does not name the app Spatial
		}
		if len(strings.Join(n.words, "")) >= 4 && strings.Contains(q, " "+strings.Join(n.words, " ")+" ") {
			c := r.cand(i)
			c.score += r.e.opts.AppNameScore
			c.sources[vrrec.SourceAppNameMatch] += r.e.opts.AppNameScore
		}
	}
	sims := r.e.appVecs.similarities(r.qv)
	var qTerms map[string]bool
	for i, s := range sims {
		if float64(s) < r.e.opts.MinAppTextSim {
			continue
		}
		if qTerms == nil {
			qTerms = topicWords(r.query)
		}
		c := r.cand(i)
		v := float64(s) * r.e.opts.AppTextWeight
		c.score += v
		c.sources[vrrec.SourceAppTextMatch] += v
		for _, w := range embedding.Words(AppText(r.e.apps[i])) {
			if qTerms[w] && !slices.Contains(c.terms, w) {
				c.terms = append(c.terms, w)
			}
		}
	}
}

// bridge adds apps developing active skills related to the query (SPEC step
// 4): up to BridgeSkills of them with similarity at least BridgeMinSim,
// skipping the direct skills. Apps already found keep their evidence; new
// ones are marked as bridged.
func (r *retrieval) bridge(ctx context.Context, sims []float32, exclude map[int]bool) error {
	top := topIndices(sims, r.e.active, r.e.opts.BridgeSkills+len(exclude), r.e.opts.BridgeMinSim)
	var names []string
	simOf := map[string]float64{}
	for _, idx := range top {
		if exclude[idx] || len(names) == r.e.opts.BridgeSkills {
			continue
		}
		n := r.e.skills[idx].Name
		names = append(names, n)
		simOf[n] = float64(sims[idx])
	}
	if len(names) == 0 {
		return nil
	}
	edges, err := r.e.graph.AppsDeveloping(ctx, names)
	if err != nil {
		return fmt.Errorf("semantic bridge: %w", err)
	}
	fresh := r.newcomers(edges, func(c *candidate, ed vrrec.Edge) {
		c.score += ed.Weight // scaled by the best similarity below
		if sim := simOf[ed.Skill]; sim > c.bestSim {
			c.bestSim, c.bridge = sim, ed.Skill
		}
	})
	for _, c := range fresh {
		c.score *= c.bestSim
		c.sources[vrrec.SourceSemanticBridge] += c.score
		c.bridged = true
	}
	return nil
}

// courseBridge reaches apps from skills no app develops (cybersecurity, say)
// through the courses that teach them: Skill<-TEACHES-Course-TEACHES->Skill
// <-DEVELOPS-App. seeds weighs the starting skills (their similarity to the
// query, or how much a named course teaches them). A path weighs the seed
// times both teach weights times how specific the reached skill is; the
// BridgeSkills strongest skills reached bring their apps in. Without a
// course they count as bridged; for a course the query named, as a match
// of that course.
func (r *retrieval) courseBridge(ctx context.Context, seeds map[string]float64, course string) error {
	if len(seeds) == 0 {
		return nil
	}
	names := make([]string, 0, len(seeds))
	for n := range seeds {
		names = append(names, n)
	}
	slices.Sort(names)
	simOf := seeds
	teaching, err := r.e.graph.CoursesTeaching(ctx, names)
	if err != nil {
		return fmt.Errorf("course bridge: %w", err)
	}
	type hop struct {
		weight        float64
		course, skill string
	}
	seedOf := map[string]hop{} // course -> strongest seed it teaches
	var courses []string
	for _, ed := range teaching {
		w := simOf[ed.Skill] * ed.Weight
		if h, ok := seedOf[ed.From]; !ok || w > h.weight {
			if !ok {
				courses = append(courses, ed.From)
			}
			seedOf[ed.From] = hop{w, ed.From, ed.Skill}
		}
	}
	taught, err := r.e.graph.SkillsTaughtBy(ctx, courses)
	if err != nil {
		return fmt.Errorf("course bridge: %w", err)
	}
	// A skill reached from several of the seed courses counts each path; a
	// skill nearly every course teaches ("Communication") says little
	// about the query, so paths are weighted by how specific the skill is.
	reach := map[string]hop{} // active skill -> summed paths, strongest course
	best := map[string]float64{}
	for _, ed := range taught {
		if !r.e.activeNames[ed.Skill] {
			continue
		}
		seed := seedOf[ed.From]
		w := seed.weight * ed.Weight * r.e.specificity(ed.Skill)
		h := reach[ed.Skill]
		h.weight += w
		if w > best[ed.Skill] {
			best[ed.Skill] = w
			h.course, h.skill = ed.From, seed.skill
		}
		reach[ed.Skill] = h
	}
	targets := make([]string, 0, len(reach))
	for s := range reach {
		targets = append(targets, s)
	}
	slices.SortFunc(targets, func(a, b string) int {
		if c := cmp.Compare(reach[b].weight, reach[a].weight); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	targets = targets[:min(len(targets), r.e.opts.BridgeSkills)]
	if len(targets) == 0 {
		return nil
	}
	edges, err := r.e.graph.AppsDeveloping(ctx, targets)
	if err != nil {
		return fmt.Errorf("course bridge: %w", err)
	}
	r.newcomers(edges, func(c *candidate, ed vrrec.Edge) {
		h := reach[ed.Skill]
		s := ed.Weight * h.weight
		c.score += s
		if course == "" {
			c.sources[vrrec.SourceSemanticBridge] += s
			c.bridged = true
		} else {
			c.sources[vrrec.SourceCourseMatch] += s
			c.course = course
		}
		if h.weight > c.bestSim {
			c.bestSim, c.bridge = h.weight, ed.Skill
			c.viaCourse, c.viaSkill = h.course, h.skill
		}
	})
	return nil
}

// newcomers calls add for each edge whose app was not a candidate before
// this step (apps already found keep their evidence), after recording the
// edge's skill as matched, and returns the candidates it added.
func (r *retrieval) newcomers(edges []vrrec.Edge, add func(c *candidate, ed vrrec.Edge)) map[int]*candidate {
	fresh := map[int]*candidate{}
	for _, ed := range edges {
		app, ok := r.e.appIdx[ed.From]
		if !ok {
			continue
		}
		if _, known := r.cands[app]; known && fresh[app] == nil {
			continue
		}
		c := r.cand(app)
		fresh[app] = c
		c.addSkill(ed.Skill)
		add(c, ed)
	}
	return fresh
}

// topIndices returns up to n indices (restricted to among, when given) with
// value at least min, highest first, ties by index.
func topIndices(vals []float32, among []int, n int, minVal float64) []int {
	var idx []int
	consider := func(i int) {
		if float64(vals[i]) >= minVal {
			idx = append(idx, i)
		}
	}
	if among != nil {
		for _, i := range among {
			consider(i)
		}
	} else {
		for i := range vals {
			consider(i)
		}
	}
	slices.SortFunc(idx, func(a, b int) int {
		if c := cmp.Compare(vals[b], vals[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return idx[:min(n, len(idx))]
}

// result ranks the candidates, normalises scores (SPEC step 6) and explains
// each pick.
func (r *retrieval) result(topK int) *vrrec.Result {
	cands := make([]*candidate, 0, len(r.cands))
	for _, c := range r.cands {
		cands = append(cands, c)
	}
	slices.SortFunc(cands, func(a, b *candidate) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		if c := cmp.Compare(len(b.skills), len(a.skills)); c != 0 {
			return c
		}
		return cmp.Compare(r.e.apps[a.app].Name, r.e.apps[b.app].Name)
	})
	cands = cands[:min(len(cands), topK*r.e.opts.CandidateFactor)]
	res := &vrrec.Result{Query: r.label, Apps: []vrrec.AppRecommendation{}, MatchedCourses: r.courses,
		CatalogVersion: r.e.version, ExplainedBy: vrrec.ExplainedByRules}
	if len(cands) == 0 {
		return res
	}
	maxScore := cands[0].score
	interest := Interest(r.label)
	for _, c := range cands {
		app := r.e.apps[c.app]
		like := 0.0
		if maxScore > 0 {
			like = c.score / maxScore
		}
		if c.bridged {
			like *= r.e.opts.BridgeFactor
		}
		like = math.Round(min(like, 1)*100) / 100
		rec := vrrec.AppRecommendation{
			AppID: app.AppID, Name: app.Name, Category: app.Category,
			LikelinessScore: like, MatchPercent: int(math.Round(like * 100)),
			MatchedSkills: c.skills, RetrievalSource: c.source(),
			Score: math.Round(c.score*1000) / 1000,
		}
		if rec.MatchedSkills == nil {
			rec.MatchedSkills = []string{}
		}
		if c.bridged {
			rec.BridgeExplanation = fmt.Sprintf("Related to '%s'", c.bridge)
			if c.viaCourse != "" {
				rec.BridgeExplanation += fmt.Sprintf(" (taught with %s in %s)", c.viaSkill, c.viaCourse)
			}
		}
		rec.Reasoning = r.reason(c, rec.RetrievalSource, interest)
		res.Apps = append(res.Apps, rec)
	}
	// Bridged apps were scaled down after sorting; keep the list in the
	// order a student sees the percentages.
	slices.SortStableFunc(res.Apps, func(a, b vrrec.AppRecommendation) int {
		return cmp.Compare(b.LikelinessScore, a.LikelinessScore)
	})
	res.Apps = res.Apps[:min(len(res.Apps), topK)]
	return res
}
