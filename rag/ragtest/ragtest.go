// Package ragtest checks that recommendations do not depend on the graph
// backend: a recommender over any vrrec.Graph answers exactly as one over
// the in-memory graph.
package ragtest

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/graph"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/rag"
)

// RecommendQueries are the student queries every graph backend must answer
// exactly as the in-memory graph does. They reach every retrieval path:
// direct skills, aliases, course numbers of the embedded and the upstream
// catalogs, course titles, topics, misspellings, app names, unknown course
// numbers and a query nothing matches.
var RecommendQueries = []string{
	"I'm learning Python",
	"cybersecurity tools",
	"cyber security",
	"ML",
	"I want to practice public speaking",
	"teamwork and communication",
	"95-729",
	"I'm taking 05-410 and 15-112 this semester",
	"what fits 15-482 Autonomous Agents",
	"95-408",
	"anatomy",
	"anatmy",
	"astronmy planets solar sytem",
	"chemestry experiments without a real lab",
	"surgery training",
	"learn Spanish",
	"stay fit while studying",
	"reduce stress before exams",
	"data visualization",
	"3D modeling",
	"tell me about Beat Saber",
	"Keep Talking and Nobody Explodes",
	"horizon workrooms",
	"universe sandbox",
	"Holocaust and WWII history",
	"meet people from other cultures",
	"emotional intelligence and giving feedback",
	"public budgeting and city services",
	"qwzx blorptang frindle",
}

// SameRecommendations requires that a recommender over g answers every
// query of RecommendQueries, and "I'm taking ..." for a few of the catalog's
// own courses, with the same top-8 result as one over graph.New(cat): the
// same apps in the same order with the same scores, skills and reasons. g
// must hold the graph of cat.
func SameRecommendations(t *testing.T, cat *vrrec.Catalog, g vrrec.Graph) {
	t.Helper()
	ctx := context.Background()
	emb := testenv.Embedder(t)
	cache := testenv.VectorCache(t, emb)
	version := catalog.Version(cat)
	want, _, err := rag.New(ctx, cat, version, graph.New(cat), emb, cache, rag.Options{})
	if err != nil {
		t.Fatalf("engine over the in-memory graph: %v", err)
	}
	got, _, err := rag.New(ctx, cat, version, g, emb, cache, rag.Options{})
	if err != nil {
		t.Fatalf("engine over the graph under test: %v", err)
	}
	queries := append(append([]string(nil), RecommendQueries...), courseQueries(cat, 3)...)
	answered := 0
	for _, q := range queries {
		w, err := want.Recommend(ctx, q, 8)
		if err != nil {
			t.Fatalf("%q on the in-memory graph: %v", q, err)
		}
		r, err := got.Recommend(ctx, q, 8)
		if err != nil {
			t.Errorf("%q: %v", q, err)
			continue
		}
		if len(w.Apps) > 0 {
			answered++
		}
		if !reflect.DeepEqual(r, w) {
			t.Errorf("%q differs\n got: %s\nwant: %s", q, summary(r), summary(w))
		}
	}
	// Identical empty answers would prove nothing.
	if answered < len(queries)/2 {
		t.Errorf("only %d of %d queries found apps on the in-memory graph", answered, len(queries))
	}
}

// courseQueries names n courses that teach something, spread over the
// catalog, so the course path runs on any catalog.
func courseQueries(cat *vrrec.Catalog, n int) []string {
	teaching := map[string]bool{}
	for _, m := range cat.CourseSkills {
		teaching[m.SourceID] = true
	}
	var ids []string
	for _, c := range cat.Courses {
		if teaching[c.CourseID] {
			ids = append(ids, c.CourseID)
		}
	}
	var out []string
	for i := 0; i < n && len(ids) > 0; i++ {
		out = append(out, "I'm taking "+ids[i*(len(ids)-1)/max(n-1, 1)])
	}
	return out
}

// summary lists a result's apps with their scores and matched skills, what
// a difference is looked for in.
func summary(r *vrrec.Result) string {
	var b strings.Builder
	for i, a := range r.Apps {
		fmt.Fprintf(&b, "\n  %d. %s %v %s %q", i+1, a.AppID, a.Score, a.RetrievalSource, a.MatchedSkills)
	}
	if len(r.Apps) == 0 {
		b.WriteString("no apps")
	}
	return b.String()
}
