package usage

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vrrec/vrrec"
)

// TopicSimilarity is the average cosine similarity (all-MiniLM-L6-v2) from
// which unmet questions count as one topic: "origami", "paper folding" and
// "how to fold paper cranes" group, "knitting" and "scuba diving" stay
// apart (usage/demand_test.go).
const TopicSimilarity = 0.45

// MaxExamples bounds the example questions of a topic.
const MaxExamples = 5

// Demand groups unmet questions (vrrec.InteractionFilter.Unmet) into topics by
// the similarity of their topics' embeddings, and counts each topic's
// questions, distinct students and questions per day from since to now
// (since zero: from the first question's day).
func Demand(ctx context.Context, emb vrrec.Embedder, unmet []vrrec.Interaction, since, now time.Time) (vrrec.DemandReport, error) {
	rep := vrrec.DemandReport{Since: since, Questions: len(unmet), Topics: []vrrec.DemandTopic{}}
	if len(unmet) == 0 {
		return rep, nil
	}
	// One vector per distinct text, weighted by how often it was asked.
	var texts []string
	index := map[string]int{}
	weight := []int{}
	textOf := make([]int, len(unmet))
	for i, it := range unmet {
		t := subject(it)
		j, ok := index[t]
		if !ok {
			j = len(texts)
			index[t] = j
			texts = append(texts, t)
			weight = append(weight, 0)
		}
		weight[j]++
		textOf[i] = j
	}
	vecs, err := emb.Embed(ctx, texts)
	if err != nil {
		return rep, fmt.Errorf("demand: embed the questions: %w", err)
	}
	first := since
	if first.IsZero() {
		first = slices.MinFunc(unmet, func(a, b vrrec.Interaction) int { return a.Time.Compare(b.Time) }).Time
	}
	groups := Cluster(vecs, weight, TopicSimilarity)
	groupOf := make([]int, len(texts))
	for g, members := range groups {
		for _, j := range members {
			groupOf[j] = g
		}
	}
	byGroup := make([][]vrrec.Interaction, len(groups))
	for i, it := range unmet {
		g := groupOf[textOf[i]]
		byGroup[g] = append(byGroup[g], it)
	}
	for g, items := range byGroup {
		rep.Topics = append(rep.Topics, topic(texts, vecs, weight, groups[g], items, first, now))
	}
	slices.SortStableFunc(rep.Topics, func(a, b vrrec.DemandTopic) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Students, a.Students); c != 0 {
			return c
		}
		return b.LastAsked.Compare(a.LastAsked)
	})
	return rep, nil
}

// subject is what a question asked about: the topic the answer understood,
// else the question.
func subject(it vrrec.Interaction) string {
	if t := strings.TrimSpace(it.Topic); t != "" {
		return strings.ToLower(t)
	}
	return strings.ToLower(strings.TrimSpace(it.Query))
}

// topic summarises one group: named by its most typical text (the highest
// weighted similarity to the rest), its questions most asked first.
func topic(texts []string, vecs [][]float32, weight, members []int, items []vrrec.Interaction, first, now time.Time) vrrec.DemandTopic {
	name, bestSim := "", -2.0
	for _, i := range members {
		s := 0.0
		for _, j := range members {
			s += float64(weight[j]) * dot(vecs[i], vecs[j])
		}
		if s > bestSim {
			name, bestSim = texts[i], s
		}
	}
	t := vrrec.DemandTopic{Topic: name, Count: len(items), Examples: []string{}}
	students := map[string]bool{}
	asked := map[string]int{}
	perDay := map[string]int{}
	for _, it := range items {
		students[it.UserID] = true
		asked[it.Query]++
		perDay[it.Time.UTC().Format(time.DateOnly)]++
		if it.NothingFits {
			t.NothingFits++
		}
		if it.Time.After(t.LastAsked) {
			t.LastAsked = it.Time
		}
	}
	t.Students = len(students)
	questions := make([]string, 0, len(asked))
	for q := range asked {
		questions = append(questions, q)
	}
	slices.SortFunc(questions, func(a, b string) int {
		if c := cmp.Compare(asked[b], asked[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	t.Examples = questions[:min(len(questions), MaxExamples)]
	t.Trend = trend(perDay, first, now)
	return t
}

// trend lists the count of every day from first to now, oldest first.
func trend(perDay map[string]int, first, now time.Time) []vrrec.Count {
	out := []vrrec.Count{}
	last := now.UTC().Format(time.DateOnly)
	for d := first.UTC(); ; d = d.AddDate(0, 0, 1) {
		key := d.Format(time.DateOnly)
		out = append(out, vrrec.Count{Key: key, Count: perDay[key]})
		if key >= last {
			return out
		}
	}
}
