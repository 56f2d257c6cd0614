package rag

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Evidence is what retrieval found for one app and one query. Every field
// is non-negative and grows with the evidence; Weights turn them into the
// probability that the app fits.
type Evidence struct {
	// Dense is how far the similarity of the query to the app's text stands
	// above the model's similarity between unrelated texts, in spreads of
	// the latter (0 when it does not stand above).
	Dense float64 `json:"dense"`
	// Skill is the strongest skill the app develops that the query asks
	// for: develop weight × how far the skill's similarity to the query
	// stands above unrelated texts.
	Skill float64 `json:"skill"`
	// Lexical is the app's BM25 score for the query's terms, normalised so
	// 1 is every term as a typical document holds it.
	Lexical float64 `json:"lexical"`
	// Named is set when the query names the app: it ranks first.
	Named bool `json:"named"`
	// Course is the strongest skill shared with a course the query names:
	// teach weight × develop weight × how specific the skill is to few
	// courses.
	Course float64 `json:"course"`
	// Name is how far the query's similarity to the app's name alone
	// stands above unrelated texts.
	Name float64 `json:"name"`
	// Uncovered is the share of the query's words no catalog text uses;
	// the same for every app.
	Uncovered float64 `json:"uncovered"`

	skills []matchedSkill // skills of the query or its courses the app develops, strongest first
	terms  []string       // query terms the app's text holds
	course int            // the named course behind Course, -1 for none
}

type matchedSkill struct {
	name     string
	strength float64
}

func (ev *Evidence) addSkill(name string, strength float64) {
	for i := range ev.skills {
		if ev.skills[i].name == name {
			ev.skills[i].strength = max(ev.skills[i].strength, strength)
			return
		}
	}
	ev.skills = append(ev.skills, matchedSkill{name, strength})
}

// Skill evidence: the skills considered for a query are the nearest ones
// standing at least skillMinZ spreads above unrelated texts, at most
// maxQuerySkills of them.
const (
	skillMinZ      = 3.0
	maxQuerySkills = 10
)

// skillStanding returns, per active skill, how far its closest name or
// alias stands above unrelated texts for the query vector qv.
func (e *Engine) skillStanding(qv []float32) []float64 {
	best := make([]float64, len(e.skills))
	for i := range best {
		best[i] = math.Inf(-1)
	}
	for row, s := range e.skillRows.similarities(qv) {
		k := e.skillOf[row]
		best[k] = max(best[k], e.skillBack.z(s))
	}
	return best
}

// gather computes the evidence for every app. qv is the query vector, with
// the named courses folded in; standing its skillStanding.
func (e *Engine) gather(ctx context.Context, u understood, qv []float32, standing []float64) ([]Evidence, error) {
	ev := make([]Evidence, len(e.apps))
	for i := range ev {
		ev[i].course = -1
	}
	off := e.opts.Without
	sims := e.appVecs.similarities(qv)
	if !off[EvidenceDense] {
		for i, s := range sims {
			ev[i].Dense = max(0, e.appBack.z(s))
		}
		for i, s := range e.nameVecs.similarities(qv) {
			ev[i].Name = max(0, e.nameBack.z(s))
		}
	}
	if !off[EvidenceLexical] {
		scores, matched := e.lexical.scores(u.terms)
		for i := range ev {
			ev[i].Lexical, ev[i].terms = scores[i], matched[i]
		}
	}
	for _, i := range u.apps {
		ev[i].Named = true
	}

	unc, err := e.uncovered(ctx, u, sims)
	if err != nil {
		return nil, err
	}
	for i := range ev {
		ev[i].Uncovered = unc
	}
	if !off[EvidenceSkills] {
		if err := e.skillEvidence(ctx, standing, ev); err != nil {
			return nil, err
		}
	}
	if !off[EvidenceCourse] {
		for _, c := range u.courses {
			if err := e.courseEvidence(ctx, c, ev); err != nil {
				return nil, err
			}
		}
	}
	for i := range ev {
		slices.SortStableFunc(ev[i].skills, func(a, b matchedSkill) int { return cmp.Compare(b.strength, a.strength) })
	}
	return ev, nil
}

// uncovered returns the share of the query that no app serves. A word is
// a candidate when it is a real word no catalog text uses and it qualifies
// one the catalog knows ("sign" of "sign language"); it is unserved when
// the query without it is closer to the best matching app than the query
// with it: the app matches the general topic, not what the student asked.
// ("nursing simulation" stays served: the nursing simulator gets closer
// with "nursing".) sims are the query's similarities to the app texts.
func (e *Engine) uncovered(ctx context.Context, u understood, sims []float64) (float64, error) {
	words := strings.Fields(u.topic)
	mods := e.lexical.modifiers(words, e.isWord)
	if len(mods) == 0 || len(u.courses) > 0 {
		return 0, nil
	}
	rest := slices.DeleteFunc(slices.Clone(words), func(w string) bool { return slices.Contains(mods, w) })
	v, err := e.embedTopic(ctx, strings.Join(rest, " "))
	if err != nil {
		return 0, err
	}
	best := 0
	for i, s := range sims {
		if s > sims[best] {
			best = i
		}
	}
	if len(sims) == 0 || float64(dot(v, e.appVecs.row(best))) <= sims[best] {
		return 0, nil
	}
	return e.lexical.share(mods, u.words), nil
}

// skillEvidence finds the skills nearest the query (a skill's similarity is
// that of its closest name or alias) and, through the graph, the apps that
// develop them. An app's evidence is its strongest such skill: many weak
// skills never add up to a strong one.
func (e *Engine) skillEvidence(ctx context.Context, best []float64, ev []Evidence) error {
	idx := make([]int, 0, len(best))
	for i, z := range best {
		if z >= skillMinZ {
			idx = append(idx, i)
		}
	}
	slices.SortFunc(idx, func(a, b int) int {
		if c := cmp.Compare(best[b], best[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	idx = idx[:min(len(idx), maxQuerySkills)]
	if len(idx) == 0 {
		return nil
	}
	names := make([]string, len(idx))
	zOf := make(map[string]float64, len(idx))
	for i, k := range idx {
		names[i] = e.skills[k]
		zOf[names[i]] = best[k]
	}
	edges, err := e.graph.AppsDeveloping(ctx, names)
	if err != nil {
		return fmt.Errorf("skills: %w", err)
	}
	for _, ed := range edges {
		i, ok := e.appIdx[ed.From]
		if !ok {
			continue
		}
		s := ed.Weight * zOf[ed.Skill]
		ev[i].Skill = max(ev[i].Skill, s)
		ev[i].addSkill(ed.Skill, s)
	}
	return nil
}

// courseEvidence scores the apps developing skills a named course teaches.
func (e *Engine) courseEvidence(ctx context.Context, course int, ev []Evidence) error {
	id := e.courses[course].CourseID
	taught, err := e.graph.SkillsTaughtBy(ctx, []string{id})
	if err != nil {
		return fmt.Errorf("course %s: %w", id, err)
	}
	if len(taught) == 0 {
		return nil
	}
	teach := make(map[string]float64, len(taught))
	names := make([]string, len(taught))
	for i, t := range taught {
		teach[t.Skill] = t.Weight
		names[i] = t.Skill
	}
	edges, err := e.graph.AppsDeveloping(ctx, names)
	if err != nil {
		return fmt.Errorf("course %s: %w", id, err)
	}
	for _, ed := range edges {
		i, ok := e.appIdx[ed.From]
		if !ok {
			continue
		}
		s := teach[ed.Skill] * ed.Weight * e.specificity(ed.Skill)
		if s > ev[i].Course {
			ev[i].Course, ev[i].course = s, course
		}
		ev[i].addSkill(ed.Skill, s)
	}
	return nil
}
