package eval

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// NeedResult is the score of one need of a several-needs query: its
// nDCG@5 against the group of picks matched to it, or against the flat list
// when the answer has no groups (Group -1).
type NeedResult struct {
	Topic   string  `json:"topic"`
	Group   int     `json:"group"`
	NDCGAt5 float64 `json:"ndcg_at_5"`
}

// ScoreNeeds scores each need of q in a. When the answer grouped its picks,
// the needs are matched one to one with the groups in the way that gives
// the highest total nDCG@5 (the engine names and orders its groups its own
// way); a need left without a group scores 0, since the answer did not
// serve it. An answer without groups is scored need by need on its flat
// list.
func ScoreNeeds(a Answer, q Query) []NeedResult {
	out := make([]NeedResult, len(q.Needs))
	if len(a.Groups) == 0 {
		for i, n := range q.Needs {
			out[i] = NeedResult{Topic: n.Topic, Group: -1, NDCGAt5: Score(a.IDs, n.query()).NDCGAt5}
		}
		return out
	}
	// score[i][g] is need i's nDCG@5 on group g.
	score := make([][]float64, len(q.Needs))
	for i, n := range q.Needs {
		for _, g := range a.Groups {
			score[i] = append(score[i], Score(g, n.query()).NDCGAt5)
		}
	}
	best, bestTotal := make([]int, len(q.Needs)), -1.0
	pick := make([]int, len(q.Needs))
	used := make([]bool, len(a.Groups))
	var assign func(i int, total float64)
	assign = func(i int, total float64) {
		if i == len(q.Needs) {
			if total > bestTotal {
				bestTotal = total
				copy(best, pick)
			}
			return
		}
		pick[i] = -1 // no group for this need
		assign(i+1, total)
		for g := range a.Groups {
			if !used[g] {
				used[g], pick[i] = true, g
				assign(i+1, total+score[i][g])
				used[g] = false
			}
		}
	}
	assign(0, 0)
	for i, n := range q.Needs {
		out[i] = NeedResult{Topic: n.Topic, Group: best[i]}
		if best[i] >= 0 {
			out[i].NDCGAt5 = score[i][best[i]]
		}
	}
	return out
}

func meanNeedNDCG(needs []NeedResult) float64 {
	var sum float64
	for _, n := range needs {
		sum += n.NDCGAt5
	}
	return sum / float64(len(needs))
}

// checkNeeds checks the needs of a query: at least two, each with a topic
// and labels, no app both relevant and acceptable, and every label in the
// query's own (the union old readers use).
func checkNeeds(q Query) error {
	if len(q.Needs) == 0 {
		return nil
	}
	if len(q.Needs) == 1 {
		return errors.New("a query with needs has at least two")
	}
	for i, n := range q.Needs {
		if strings.TrimSpace(n.Topic) == "" {
			return fmt.Errorf("need %d has no topic", i)
		}
		if len(n.Relevant) == 0 && len(n.Acceptable) == 0 {
			return fmt.Errorf("need %q has no labels", n.Topic)
		}
		for _, id := range n.Acceptable {
			if slices.Contains(n.Relevant, id) {
				return fmt.Errorf("need %q: %s is both relevant and acceptable", n.Topic, id)
			}
		}
		for _, id := range append(slices.Clip(n.Relevant), n.Acceptable...) {
			if q.Grade(id) == Irrelevant {
				return fmt.Errorf("need %q: %s is not among the query's labels", n.Topic, id)
			}
		}
	}
	return nil
}
