package rag

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/embedding"
)

// OldSystem is a faithful replica of the old Python system's retrieval
// (../shared/SPEC.md, steps 3 to 6, without its language model), on any
// embedder, so evaluations can put its figures beside the engine's:
//
//  3. the 10 skills nearest the query with cosine at least 0.30 (a skill
//     embedded as "Name. Also known as: a, b. Category: c"); apps that
//     DEVELOP any of them score the sum of those weights, ordered by score,
//     then number of matched skills; 2 × top_k kept;
//  4. with fewer than 3 candidates, up to 5 active skills with cosine at
//     least 0.35 bring their apps in, scored sum of weights × the best
//     bridge similarity;
//  6. likeliness = score / best score, bridged apps × 0.49, capped at 1.
type OldSystem struct {
	version  string
	graph    vrrec.Graph
	embedder vrrec.Embedder
	skills   []vrrec.Skill
	vecs     matrix
	active   map[int]bool
	apps     []vrrec.VRApp
	appIdx   map[string]int
}

// oldSkillText is how the old system embedded a skill.
func oldSkillText(s vrrec.Skill) string {
	t := s.Name + "."
	if len(s.Aliases) > 0 {
		t += " Also known as: " + strings.Join(s.Aliases, ", ") + "."
	}
	return t + " Category: " + s.Category
}

// NewOldSystem indexes a catalog the way the old system did.
func NewOldSystem(ctx context.Context, cat *vrrec.Catalog, version string, g vrrec.Graph, e vrrec.Embedder, cache *embedding.Cache) (*OldSystem, error) {
	o := &OldSystem{version: version, graph: g, embedder: e, skills: cat.Skills, apps: cat.Apps,
		appIdx: map[string]int{}, active: map[int]bool{}}
	for i, a := range cat.Apps {
		o.appIdx[a.AppID] = i
	}
	texts := make([]string, len(cat.Skills))
	for i, s := range cat.Skills {
		texts[i] = oldSkillText(s)
	}
	vecs, _, err := cache.Embed(ctx, e, texts)
	if err != nil {
		return nil, fmt.Errorf("old system: %w", err)
	}
	o.vecs = newMatrix(vecs)
	active, err := g.ActiveSkills(ctx)
	if err != nil {
		return nil, fmt.Errorf("old system: %w", err)
	}
	isActive := map[string]bool{}
	for _, n := range active {
		isActive[n] = true
	}
	for i, s := range cat.Skills {
		if isActive[s.Name] {
			o.active[i] = true
		}
	}
	return o, nil
}

// Recommend implements vrrec.Recommender.
func (o *OldSystem) Recommend(ctx context.Context, query string, topK int) (*vrrec.Result, error) {
	if topK <= 0 {
		topK = 8
	}
	vecs, err := o.embedder.Embed(ctx, []string{query})
	if err != nil {
		return nil, fmt.Errorf("embed query: %w", err)
	}
	sims := o.vecs.similarities(vecs[0])
	type cand struct {
		app     int
		score   float64
		matched int
		bridged bool
		bestSim float64
	}
	nearest := func(n int, minSim float64, among func(int) bool) []int {
		var idx []int
		for i, s := range sims {
			if s >= minSim && among(i) {
				idx = append(idx, i)
			}
		}
		slices.SortFunc(idx, func(a, b int) int {
			if c := cmp.Compare(sims[b], sims[a]); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
		return idx[:min(n, len(idx))]
	}
	appsOf := func(idx []int) ([]vrrec.Edge, map[string]float64, error) {
		names := make([]string, len(idx))
		sim := map[string]float64{}
		for i, k := range idx {
			names[i] = o.skills[k].Name
			sim[names[i]] = sims[k]
		}
		if len(names) == 0 {
			return nil, sim, nil
		}
		edges, err := o.graph.AppsDeveloping(ctx, names)
		return edges, sim, err
	}
	order := func(cs []*cand) {
		slices.SortStableFunc(cs, func(a, b *cand) int {
			if c := cmp.Compare(b.score, a.score); c != 0 {
				return c
			}
			return cmp.Compare(b.matched, a.matched)
		})
	}

	edges, _, err := appsOf(nearest(10, 0.30, func(int) bool { return true }))
	if err != nil {
		return nil, fmt.Errorf("old system: %w", err)
	}
	byApp := map[int]*cand{}
	var direct []*cand
	for _, ed := range edges {
		i, ok := o.appIdx[ed.From]
		if !ok {
			continue
		}
		c := byApp[i]
		if c == nil {
			c = &cand{app: i}
			byApp[i] = c
			direct = append(direct, c)
		}
		c.score += ed.Weight
		c.matched++
	}
	order(direct)
	direct = direct[:min(len(direct), 2*topK)]
	var bridged []*cand
	if len(direct) < 3 {
		edges, sim, err := appsOf(nearest(5, 0.35, func(i int) bool { return o.active[i] }))
		if err != nil {
			return nil, fmt.Errorf("old system: %w", err)
		}
		fresh := map[int]*cand{}
		for _, ed := range edges {
			i, ok := o.appIdx[ed.From]
			if !ok || byApp[i] != nil {
				continue
			}
			c := fresh[i]
			if c == nil {
				c = &cand{app: i, bridged: true}
				fresh[i] = c
				bridged = append(bridged, c)
			}
			c.score += ed.Weight
			c.matched++
			c.bestSim = max(c.bestSim, sim[ed.Skill])
		}
		for _, c := range bridged {
			c.score *= c.bestSim
		}
		order(bridged)
	}
	all := slices.DeleteFunc(append(direct, bridged...), func(c *cand) bool { return !o.apps[c.app].Servable() })
	res := &vrrec.Result{Query: query, Apps: []vrrec.AppRecommendation{}, CatalogVersion: o.version, ExplainedBy: vrrec.ExplainedByRules}
	best := 0.0
	for _, c := range all {
		best = max(best, c.score)
	}
	for _, c := range all[:min(len(all), topK)] {
		like := 0.0
		if best > 0 {
			like = c.score / best
		}
		src := vrrec.SourceDirectSkill
		if c.bridged {
			like *= 0.49
			src = vrrec.SourceSemanticBridge
		}
		like = math.Round(min(like, 1)*100) / 100
		a := o.apps[c.app]
		res.Apps = append(res.Apps, vrrec.AppRecommendation{AppID: a.AppID, Name: a.Name, Category: a.Category,
			LikelinessScore: like, MatchPercent: int(math.Round(like * 100)), MatchedSkills: []string{},
			RetrievalSource: src, Score: c.score})
	}
	res.NothingFits = len(res.Apps) == 0
	return res, nil
}
