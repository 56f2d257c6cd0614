package rag

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/ask"
	"github.com/vrrec/vrrec/embedding"
	"github.com/vrrec/vrrec/lang"
	"github.com/vrrec/vrrec/text"
)

// MaxQueryLength bounds a query in characters; longer ones are refused.
const MaxQueryLength = 2000

// Candidates is how many apps an explaining language model chooses from.
const Candidates = 15

// Request is one search of the catalog.
type Request struct {
	// Query is the student's text. Unless Plain, the constraints it states
	// are read from it (package ask) and its needs told apart.
	Query string
	// Label is what the result says it answers (Result.Query) when that
	// differs from the text searched, as for "apps like Beat Saber"
	// searched by its skills. Empty means Query.
	Label string
	TopK  int
	// Constraints are applied besides those read from Query; a kind
	// stated in both is Constraints'.
	Constraints []vrrec.Constraint
	// Without lists the constraint kinds left out, even when Query states
	// them (chips the student removed).
	Without []string
	// Exclude lists app ids never to return (those already shown).
	Exclude []string
	// Plain searches Query as it is: no constraints read, one need.
	Plain bool
	// Course is the course id of the page the question was asked on: a
	// need with no topic of its own is searched as that course (inCourse).
	Course string
}

// Recommend implements vrrec.Recommender: the whole question, its
// constraints and needs read.
func (e *Engine) Recommend(ctx context.Context, query string, topK int) (*vrrec.Result, error) {
	return e.Find(ctx, Request{Query: query, TopK: topK})
}

// Find answers a request: the constraints read from the query and given
// applied inside the ranking (a hard one removes every app that violates
// it, a soft one orders), and a question that asks for several things
// answered need by need.
func (e *Engine) Find(ctx context.Context, req Request) (*vrrec.Result, error) {
	query := strings.Join(strings.Fields(req.Query), " ")
	if query == "" {
		return nil, vrrec.Errorf(vrrec.EINVALID, "Message required")
	}
	if n := len([]rune(query)); n > MaxQueryLength {
		return nil, vrrec.Errorf(vrrec.EINVALID, "Message too long: %d characters, the limit is %d", n, MaxQueryLength)
	}
	if req.TopK <= 0 {
		req.TopK = e.opts.TopK
	}
	if e.answers == nil {
		return e.find(ctx, query, req)
	}
	key := req.key(query)
	if res, ok := e.answers.Get(key); ok {
		return res.Clone(), nil
	}
	res, err := e.find(ctx, query, req)
	if err != nil {
		return nil, err
	}
	e.answers.Add(key, res)
	return res.Clone(), nil
}

// key identifies a request's answer among an engine's: every field of the
// request counts (a field added later too), the query as normalised.
func (r Request) key(query string) string {
	r.Query = query
	return fmt.Sprintf("%#v", r)
}

// find answers a request that is not in the cache.
func (e *Engine) find(ctx context.Context, query string, req Request) (*vrrec.Result, error) {
	label := req.Label
	if label == "" {
		label = query
	}
	topic, cs := query, req.Constraints
	var reading lang.Reading
	if !req.Plain {
		// A question in another language, or mixed, is read through its
		// English gloss; one with nothing understood is answered so.
		reading = lang.Read(query).Resolve(e.knowsEnglish)
		if reading.Lang != "en" && !e.multilingual() && !e.understoodAny(reading) {
			// Nothing understood: the reply says so in that language; the
			// JSON keeps the best-effort ranking of the message as typed.
			res, err := e.search(ctx, query, label, nil, req)
			if err != nil {
				return nil, err
			}
			res.Language, res.Translated = reading.Lang, ""
			return res, nil
		}
		if reading.Lang != "en" || reading.Mixed {
			topic = reading.English
		}
		var read []vrrec.Constraint
		read, topic = ask.Constraints(topic)
		cs = ask.Merge(read, req.Constraints)
		if topic == "" {
			topic = query // only constraints ("free ones"): searched as said
		}
	}
	cs = ask.Without(cs, req.Without...)
	if len(e.apps) == 0 {
		return &vrrec.Result{Query: label, Apps: []vrrec.AppRecommendation{}, CatalogVersion: e.version,
			ExplainedBy: vrrec.ExplainedByRules, NothingFits: true, Constraints: cs}, nil
	}
	var res *vrrec.Result
	several := false
	if !req.Plain {
		var err error
		if res, several, err = e.severalNeeds(ctx, topic, label, cs, req); err != nil {
			return nil, err
		}
	}
	if !several && res == nil {
		var err error
		if res, err = e.search(ctx, topic, label, cs, req); err != nil {
			return nil, err
		}
	}
	if reading.Lang != "" && reading.Lang != "en" && !e.multilingual() {
		res.Language, res.Translated = reading.Lang, reading.English
	}
	return res, nil
}

// knowsEnglish reports whether w is an English word the catalog or the
// model knows, for reading a foreign word as its cognate.
func (e *Engine) knowsEnglish(w string) bool { return e.speller.Known(w) || e.isWord(w) }

// understoodAny reports whether anything of a message in another language
// was understood: a word glossed, or an English word it uses ("relax
// después de class").
func (e *Engine) understoodAny(r lang.Reading) bool {
	if r.Understood > 0 {
		return true
	}
	unknown := map[string]bool{}
	for _, w := range r.Unknown {
		for _, x := range queryWords(w) {
			unknown[x] = true
		}
	}
	for _, w := range queryWords(r.English) {
		if !unknown[w] && text.IsTopicWord(w) && len(w) > 2 && (e.speller.Known(w) || e.isWord(w)) {
			return true
		}
	}
	return false
}

// search answers one need: topic searched, cs applied.
func (e *Engine) search(ctx context.Context, topic, label string, cs []vrrec.Constraint, req Request) (*vrrec.Result, error) {
	observe := e.opts.Observe
	if observe == nil {
		observe = func(string, time.Duration) {}
	}
	start := time.Now()
	u := e.understand(topic)
	if label == topic || label == req.Query {
		u.raw = label // the student's words, for the echo
	}
	inCourse, ok := e.inCourse(u, req.Course)
	if ok {
		u, label = inCourse, inCourse.raw
	}
	if len(u.unknownCourses) > 0 && len(u.words) == 0 && len(u.courses) == 0 && len(u.apps) == 0 {
		// Only course numbers the catalog lacks: nothing to search for.
		return &vrrec.Result{Query: label, Apps: []vrrec.AppRecommendation{}, CatalogVersion: e.version,
			ExplainedBy: vrrec.ExplainedByRules, NothingFits: true, UnknownCourses: u.unknownCourses,
			Topic: "course " + listWords(u.unknownCourses, len(u.unknownCourses)), Constraints: cs}, nil
	}
	qv, err := e.queryVector(ctx, u)
	if err != nil {
		return nil, err
	}
	observe("embed", time.Since(start))

	start = time.Now()
	standing := e.skillStanding(qv)
	ev, err := e.gather(ctx, u, qv, standing)
	if err != nil {
		return nil, err
	}
	observe("retrieve", time.Since(start))

	start = time.Now()
	res := e.rank(u, label, standing, ev, ranking{topK: req.TopK, constraints: cs, exclude: req.Exclude})
	observe("rank", time.Since(start))
	if ok {
		res.InCourse = req.Course
	}
	return res, nil
}

// queryVector embeds the query's topic, with the vectors of the courses it
// names added in (a course number alone is its course's vector). Vectors
// of recent topics are remembered.
func (e *Engine) queryVector(ctx context.Context, u understood) ([]float32, error) {
	sum := make([]float64, e.appVecs.dim)
	if len(u.words) > 0 || len(u.courses) == 0 {
		v, err := e.embedTopic(ctx, u.topic)
		if err != nil {
			return nil, err
		}
		if len(v) != len(sum) {
			return nil, fmt.Errorf("embed query: got %d dimensions, the catalog has %d", len(v), len(sum))
		}
		for i, x := range v {
			sum[i] += float64(x)
		}
	}
	for _, c := range u.courses {
		for i, x := range e.courseVecs.row(c) {
			sum[i] += float64(x)
		}
	}
	return embedding.Normalize(sum), nil
}

func (e *Engine) embedTopic(ctx context.Context, topic string) ([]float32, error) {
	if v, ok := e.queries.Get(topic); ok {
		return v, nil
	}
	vecs, err := e.embedder.Embed(ctx, []string{topic})
	if err != nil {
		return nil, fmt.Errorf("embed query: %w", err)
	}
	if len(vecs) != 1 {
		return nil, fmt.Errorf("embed query: got %d vectors", len(vecs))
	}
	e.queries.Add(topic, vecs[0])
	return vecs[0], nil
}

// scored is an app with its fused probability and the strength of its
// evidence, which orders apps (the probability can tie at a floor).
type scored struct {
	app         int
	p, strength float64
	// unsure marks an app whose facets cannot confirm a hard constraint:
	// among the apps that fit, it comes after every confirmed one. met
	// counts the preferences it meets less those it breaks: among the apps
	// that fit, more first.
	unsure bool
	met    int
}

// band is a probability's band of confidence: 2 for Top Picks, 1 for Also
// Consider, 0 below.
func band(p float64) int {
	switch {
	case p >= TopPickMin:
		return 2
	case p >= FitMin:
		return 1
	}
	return 0
}

// ranking is how one need's apps are ranked: how many, under which
// constraints, without which apps.
type ranking struct {
	topK        int
	constraints []vrrec.Constraint
	exclude     []string
}

// rank fuses the evidence, orders the apps (constraints inside: a hard one
// leaves out what violates it, a soft one or an unconfirmed hard one moves
// an app within its standing), diversifies the top of a broad question's
// list, and explains each pick.
func (e *Engine) rank(u understood, label string, standing []float64, ev []Evidence, r ranking) *vrrec.Result {
	w := e.opts.Weights
	all := make([]scored, 0, len(ev))
	// unsure are apps whose facets cannot confirm a hard constraint.
	var violating, unsure []scored
	best := 0.0
	for i := range ev {
		a := e.apps[i]
		if !a.Servable() {
			continue // discontinued or not on a Quest: kept so logs resolve, never recommended
		}
		// The best fit sets the scale whether or not it is shown again.
		best = max(best, w.covered(ev[i]))
		if slices.Contains(r.exclude, a.AppID) {
			continue
		}
		s := scored{app: i, strength: w.strength(ev[i])}
		switch {
		case vrrec.Violates(a, r.constraints):
			violating = append(violating, s)
		case len(vrrec.UnknownFor(a, r.constraints)) > 0:
			s.unsure = true
			unsure = append(unsure, s)
		default:
			all = append(all, s)
		}
	}
	for _, list := range [][]scored{all, violating, unsure} {
		for i := range list {
			// Rounded as shown, so thresholds agree with the percentages.
			list[i].p = math.Round(w.probability(w.covered(ev[list[i].app]), best)*100) / 100
			// Constraints order the apps that fit (order); they never lift
			// an app that does not fit the topic above one that does.
			list[i].strength += preference(e.apps[list[i].app], r.constraints)
			list[i].met = preferencesMet(e.apps[list[i].app], r.constraints)
		}
	}
	// tier is an app's band of confidence, one lower when it breaks
	// more preferences than it meets: a single-player game is no answer
	// to "puzzle games with my friends", however well it fits the topic.
	tier := func(s scored) int {
		if s.met < 0 {
			return band(s.p) - 1
		}
		return band(s.p)
	}
	order := func(a, b scored) int {
		// Under constraints, within one band of confidence (Top Picks,
		// Also Consider), apps that confirm the hard constraints come
		// first, then those that meet more preferences.
		if len(r.constraints) > 0 {
			if c := cmp.Compare(tier(b), tier(a)); c != 0 {
				return c
			}
			if a.unsure != b.unsure {
				if a.unsure {
					return 1
				}
				return -1
			}
			if c := cmp.Compare(b.met, a.met); c != 0 {
				return c
			}
		}
		if ev[a.app].Named != ev[b.app].Named {
			if ev[a.app].Named {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(b.strength, a.strength); c != 0 {
			return c
		}
		return cmp.Compare(e.apps[a.app].Name, e.apps[b.app].Name)
	}
	fits := func(s scored) bool { return s.p >= FitMin }
	// An app whose facets cannot confirm a hard constraint answers with
	// that said: when it fits the topic, or when no confirmed app does.
	if slices.ContainsFunc(all, fits) {
		unsure = slices.DeleteFunc(unsure, func(s scored) bool { return !fits(s) })
	}
	all = append(all, unsure...)
	slices.SortFunc(all, order)
	if len(r.constraints) == 0 {
		all = e.diversify(all)
	}

	res := &vrrec.Result{Query: label, Apps: []vrrec.AppRecommendation{}, CatalogVersion: e.version,
		ExplainedBy: vrrec.ExplainedByRules, Language: u.lang, UnknownCourses: u.unknownCourses,
		Constraints: r.constraints}
	if u.lang != "" && e.multilingual() {
		res.Language = ""
	}
	for _, c := range u.courses {
		res.MatchedCourses = append(res.MatchedCourses, e.courses[c].CourseID)
	}
	res.NearestAreas = e.nearestAreas(standing, 3)
	res.NothingFits = !slices.ContainsFunc(all, fits)
	interest := e.topicLabel(u)
	res.Topic = interest
	if label != u.raw {
		res.Topic = label // "apps like Beat Saber", searched by its skills
	}
	if u.corrected != "" {
		res.Corrected = u.corrected
	}
	explain := func(s scored) vrrec.AppRecommendation {
		a := e.apps[s.app]
		x := ev[s.app]
		pct := int(math.Round(s.p * 100))
		rec := vrrec.AppRecommendation{
			AppID: a.AppID, Name: a.Name, Category: a.Category, Summary: summary(a.Description),
			Price: a.Price.String(), Status: a.StatusText(),
			LikelinessScore: s.p, MatchPercent: pct,
			MatchedSkills: []string{}, Score: math.Round(w.covered(x)*1000) / 1000,
			Facets: cardFacets(a, r.constraints), Unconfirmed: vrrec.UnknownFor(a, r.constraints),
		}
		for _, m := range x.skills[:min(3, len(x.skills))] {
			rec.MatchedSkills = append(rec.MatchedSkills, m.name)
		}
		rec.RetrievalSource = source(w, x)
		rec.Reasoning = e.reason(u, x, s.app, rec.RetrievalSource, interest)
		return rec
	}
	for _, s := range all[:min(r.topK, len(all))] {
		rec := explain(s)
		if res.NothingFits {
			for _, sk := range e.develops[s.app] {
				if slices.Contains(res.NearestAreas, sk) {
					rec.NearAreas = append(rec.NearAreas, sk)
				}
			}
			if len(rec.NearAreas) > 0 {
				rec.Reasoning = fmt.Sprintf("Develops %s, an area near %s.", listWords(rec.NearAreas, len(rec.NearAreas)), interest)
			}
		}
		res.Apps = append(res.Apps, rec)
	}
	if res.NothingFits && len(violating) > 0 {
		res.Relaxed, res.Alternatives = e.relax(violating, r.constraints, interest, order, explain)
	}
	return res
}

// strongSkill is the skill evidence from which a pick is explained by the
// skill ("Builds X, which matches your interest in ..."): below it the
// skill is only related, and the reason says what the app covers instead.
const strongSkill = 5.0

// source names the strongest evidence behind a pick.
func source(w Weights, ev Evidence) string {
	c := w.contributions(ev)
	switch {
	case ev.Named:
		return vrrec.SourceAppNameMatch
	case ev.course >= 0 && c.course >= max(c.skill, c.dense, c.lexical):
		return vrrec.SourceCourseMatch
	case len(ev.skills) > 0 && ev.Skill >= strongSkill && c.skill >= max(c.dense, c.lexical):
		return vrrec.SourceDirectSkill
	}
	return vrrec.SourceAppTextMatch
}

// diversityPool is how many of the best apps diversification reorders.
const diversityPool = Candidates

// diversify reorders the top of a broad question's ranking by maximal
// marginal relevance. A question is broad when many apps fit it about as
// well as the best (at least half its probability, and at least FitMin):
// "something fun after class". Among those, each next pick maximises its
// probability minus Diversity times its redundancy with the closest app
// already picked (how far their similarity goes beyond the catalog's usual
// closest pairs), so the top five are not near-identical. A question with
// a confident pick (TopPickMin or more), or few close candidates, keeps
// its order.
func (e *Engine) diversify(all []scored) []scored {
	lambda := e.opts.Diversity
	if lambda <= 0 || len(all) == 0 || all[0].p >= TopPickMin {
		return all
	}
	end := 0
	for end < len(all) && end < diversityPool && all[end].p >= max(FitMin, all[0].p/2) {
		end++
	}
	if end < broadCandidates {
		return all
	}
	out := make([]scored, 0, len(all))
	pool := slices.Clone(all[:end])
	for len(pool) > 0 {
		best, bestScore := 0, math.Inf(-1)
		for i, c := range pool {
			redundancy := 0.0
			for _, p := range out {
				sim := float64(dot(e.appVecs.row(c.app), e.appVecs.row(p.app)))
				redundancy = max(redundancy, (sim-e.twinSim)/(1-e.twinSim))
			}
			if s := c.p - lambda*redundancy; s > bestScore {
				best, bestScore = i, s
			}
		}
		out = append(out, pool[best])
		pool = slices.Delete(pool, best, best+1)
	}
	return append(out, all[end:]...)
}

// broadCandidates is how many apps must fit about as well as the best for a
// question to count as broad.
const broadCandidates = 6

// nearestAreas names the n skills apps develop that are closest to the
// query (standing: skillStanding): what the catalog covers near a topic.
func (e *Engine) nearestAreas(standing []float64, n int) []string {
	idx := make([]int, len(standing))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		if c := cmp.Compare(standing[b], standing[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	var out []string
	for _, k := range idx[:min(n, len(idx))] {
		out = append(out, e.skills[k])
	}
	return out
}

// multilingual reports whether the embedder reads languages other than
// English.
func (e *Engine) multilingual() bool {
	m, ok := e.embedder.(interface{ Multilingual() bool })
	return ok && m.Multilingual()
}

// summary is the first sentence of a description, at most 200 characters.
func summary(d string) string {
	d = strings.TrimSpace(d)
	if i := strings.Index(d, ". "); i >= 0 {
		d = d[:i+1]
	}
	if r := []rune(d); len(r) > 200 {
		d = string(r[:199]) + "…"
	}
	return d
}
