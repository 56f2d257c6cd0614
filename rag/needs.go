package rag

import (
	"context"
	"slices"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/ask"
)

// maxNeeds bounds the needs one message is answered for.
const maxNeeds = 4

// sameNeed is how many of two parts' best three apps they must share to be
// one need asked twice ("Python, Java and C++").
const sameNeed = 2

// sameNeedSim is the cosine of two parts' topic vectors from which they are
// one need said twice ("vocal lessons, I want to sing better": 0.61; two
// needs such as anatomy and presentation nerves stay under 0.4).
const sameNeedSim = 0.5

// severalNeeds answers a message that asks for several things, each with its
// own picks under the shared constraints, when its parts (ask.Parts) find
// different apps; parts that find the same apps are one need. ok is false
// when the message is one need; res is then its answer when one was
// computed on the way (nil when not).
func (e *Engine) severalNeeds(ctx context.Context, topic, label string, cs []vrrec.Constraint, req Request) (res *vrrec.Result, ok bool, err error) {
	parts := ask.Parts(topic)
	if len(parts) < 2 {
		return nil, false, nil
	}
	// The message asked as one: when it already answers every part (each
	// part's best fit is among its picks), it is one need told at length.
	whole, err := e.search(ctx, topic, label, cs, req)
	if err != nil {
		return nil, false, err
	}
	distinct := 0
	type need struct {
		text   string
		res    *vrrec.Result
		vec    []float32
		merged bool // of several parts: searched together
	}
	var needs []need
	for _, p := range parts {
		u := e.understand(p)
		if len(u.words) == 0 && len(u.courses) == 0 && len(u.apps) == 0 {
			continue // framing only: "something for me"
		}
		res, err := e.search(ctx, p, p, cs, Request{TopK: req.TopK, Exclude: req.Exclude})
		if err != nil {
			return nil, false, err
		}
		if !covered(whole, res) {
			distinct++
		}
		vec, err := e.queryVector(ctx, u)
		if err != nil {
			return nil, false, err
		}
		merged := false
		for i := range needs {
			if overlap(needs[i].res, res) >= sameNeed || float64(dot(needs[i].vec, vec)) >= sameNeedSim {
				needs[i].text += ", " + p
				needs[i].merged, merged = true, true
				break
			}
		}
		if !merged {
			needs = append(needs, need{text: p, res: res, vec: vec})
		}
	}
	// Parts that each find apps of their own are needs, even when the
	// whole message's answer mixes them: each gets its own picks.
	fitting := 0
	for _, n := range needs {
		if len(n.res.Apps) > 0 && n.res.Apps[0].LikelinessScore >= FitMin {
			fitting++
		}
	}
	if len(needs) < 2 || distinct == 0 && fitting < len(needs) {
		return whole, false, nil
	}
	needs = needs[:min(maxNeeds, len(needs))]
	out := &vrrec.Result{Query: label, Apps: []vrrec.AppRecommendation{}, CatalogVersion: e.version,
		ExplainedBy: vrrec.ExplainedByRules, Constraints: cs}
	var topics []string
	for i := range needs {
		n := &needs[i]
		if n.merged {
			res, err := e.search(ctx, n.text, n.text, cs, Request{TopK: req.TopK, Exclude: req.Exclude})
			if err != nil {
				return nil, false, err
			}
			n.res = res
		}
		out.Needs = append(out.Needs, vrrec.Need{Topic: n.res.Topic, Query: n.text, Apps: n.res.Apps, NothingFits: n.res.NothingFits})
		out.UnknownCourses = append(out.UnknownCourses, n.res.UnknownCourses...)
		out.MatchedCourses = append(out.MatchedCourses, n.res.MatchedCourses...)
		topics = append(topics, n.res.Topic)
	}
	out.Topic = listWords(topics, len(topics))
	out.NothingFits = !slices.ContainsFunc(out.Needs, func(n vrrec.Need) bool { return !n.NothingFits })
	// The flat list takes each need's best in turn, so the first few apps
	// answer every need.
	seen := map[string]bool{}
	for rank := 0; len(out.Apps) < req.TopK; rank++ {
		added := false
		for _, n := range out.Needs {
			if rank < len(n.Apps) {
				added = true
				if a := n.Apps[rank]; !seen[a.AppID] && len(out.Apps) < req.TopK {
					seen[a.AppID] = true
					out.Apps = append(out.Apps, a)
				}
			}
		}
		if !added {
			break
		}
	}
	return out, true, nil
}

// covered reports whether the whole message's answer already has a part's
// best fits (its first two that fit) among its first five apps, fitting
// there too; a part
// with no fit of its own is covered.
func covered(whole, part *vrrec.Result) bool {
	top := whole.Apps[:min(5, len(whole.Apps))]
	for _, a := range part.Apps[:min(2, len(part.Apps))] {
		if a.LikelinessScore < FitMin {
			break
		}
		if !slices.ContainsFunc(top, func(w vrrec.AppRecommendation) bool { return w.AppID == a.AppID && w.LikelinessScore >= FitMin }) {
			return false
		}
	}
	return true
}

// overlap counts the apps two results share among their best three.
func overlap(a, b *vrrec.Result) int {
	n := 0
	for _, x := range a.Apps[:min(3, len(a.Apps))] {
		for _, y := range b.Apps[:min(3, len(b.Apps))] {
			if x.AppID == y.AppID {
				n++
			}
		}
	}
	return n
}
