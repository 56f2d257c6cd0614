package rag_test

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/embedding"
	"github.com/vrrec/vrrec/graph"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/rag"
)

func defaultEngine() (*rag.Engine, *vrrec.Catalog) {
	cat, err := catalog.Default()
	if err != nil {
		panic(err)
	}
	return testenv.DefaultEngine(nil), cat
}

func recommend(t *testing.T, query string) *vrrec.Result {
	t.Helper()
	eng, _ := defaultEngine()
	res, err := eng.Recommend(context.Background(), query, 8)
	if err != nil {
		t.Fatalf("Recommend(%q): %v", query, err)
	}
	return res
}

// checkInvariants holds for every result: known apps, scores in range and
// ordered, percentages matching scores, reasons present.
func checkInvariants(t *testing.T, res *vrrec.Result) {
	t.Helper()
	eng, _ := defaultEngine()
	prev := 2.0
	seen := map[string]bool{}
	for _, a := range res.Apps {
		if _, ok := eng.App(a.AppID); !ok {
			t.Errorf("unknown app %q", a.AppID)
		}
		if seen[a.AppID] {
			t.Errorf("app %q listed twice", a.AppID)
		}
		seen[a.AppID] = true
		if a.LikelinessScore < 0 || a.LikelinessScore > 1 || a.LikelinessScore > prev {
			t.Errorf("likeliness %.2f out of range or order", a.LikelinessScore)
		}
		prev = a.LikelinessScore
		if a.MatchPercent != int(math.Round(a.LikelinessScore*100)) {
			t.Errorf("match_percent %d does not match likeliness %.2f", a.MatchPercent, a.LikelinessScore)
		}
		if a.Reasoning == "" || a.RetrievalSource == "" {
			t.Errorf("app %q lacks a reason or source", a.AppID)
		}
		if a.RetrievalSource == vrrec.SourceSemanticBridge && (a.LikelinessScore > 0.49 || a.BridgeExplanation == "") {
			t.Errorf("bridged app %q: likeliness %.2f, explanation %q", a.AppID, a.LikelinessScore, a.BridgeExplanation)
		}
	}
}

func ids(res *vrrec.Result) []string {
	out := make([]string, len(res.Apps))
	for i, a := range res.Apps {
		out[i] = a.AppID
	}
	return out
}

func TestRecommendFindsRelevantApps(t *testing.T) {
	cases := []struct {
		query  string
		inTop3 string
		source string
	}{
		{"I want to practice public speaking", "virtualspeech", vrrec.SourceDirectSkill},
		{"anatomy", "3d-organon-vr-anatomy", ""},
		{"astronomy", "titans-of-space-plus", ""},
		{"learn Spanish", "mondly-learn-languages-in-vr", ""},
		{"3D modeling", "gravity-sketch", ""},
		{"reduce stress before exams", "tripp", ""},
		{"tell me about Beat Saber", "beat-saber", vrrec.SourceAppNameMatch},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			res := recommend(t, c.query)
			checkInvariants(t, res)
			top := ids(res)[:min(3, len(res.Apps))]
			i := indexOf(top, c.inTop3)
			if i < 0 {
				t.Fatalf("%s not in the top 3 %v", c.inTop3, top)
			}
			if c.source != "" && res.Apps[i].RetrievalSource != c.source {
				t.Errorf("source %q, want %q", res.Apps[i].RetrievalSource, c.source)
			}
		})
	}
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

func TestRecommendCybersecurityBridgesThroughCourses(t *testing.T) {
	res := recommend(t, "I want to learn cybersecurity")
	checkInvariants(t, res)
	if len(res.Apps) < 3 {
		t.Fatalf("got %d apps; no app develops cybersecurity, but the bridge should find related ones", len(res.Apps))
	}
	if !res.AllBridged() {
		t.Errorf("sources %v: no app builds cybersecurity directly, all picks should be bridged", res.Apps)
	}
	first := res.Apps[0]
	if !strings.Contains(first.BridgeExplanation, "Cybersecurity") || !strings.Contains(first.Reasoning, "Cybersecurity") {
		t.Errorf("explanation %q / reason %q should name the course path from Cybersecurity", first.BridgeExplanation, first.Reasoning)
	}
	reply := rag.FormatReply(res)
	if !strings.HasPrefix(reply, "I didn't find apps explicitly for **cybersecurity**") {
		t.Errorf("reply should say nothing matched directly:\n%s", reply)
	}
}

func TestRecommendCourseNumber(t *testing.T) {
	for _, q := range []string{"95-729", "I'm taking 95729 this term"} {
		res := recommend(t, q)
		checkInvariants(t, res)
		if len(res.MatchedCourses) != 1 || res.MatchedCourses[0] != "95-729" {
			t.Fatalf("%q: matched courses %v, want [95-729]", q, res.MatchedCourses)
		}
		if len(res.Apps) == 0 || res.Apps[0].RetrievalSource != vrrec.SourceCourseMatch || !strings.Contains(res.Apps[0].Reasoning, "95-729") {
			t.Errorf("%q: first pick %+v should be a course match naming the course", q, res.Apps)
		}
	}
	if res := recommend(t, "call me at 12-345"); len(res.MatchedCourses) != 0 {
		t.Errorf("a number that is no course matched %v", res.MatchedCourses)
	}
}

func TestRecommendCourseTitle(t *testing.T) {
	_, cat := defaultEngine()
	var title, id string
	for _, c := range cat.Courses {
		if len(strings.Fields(c.Title)) >= 3 {
			title, id = c.Title, c.CourseID
			break
		}
	}
	res := recommend(t, "I'm in "+strings.ToLower(title)+" this semester")
	if indexOf(res.MatchedCourses, id) < 0 {
		t.Errorf("title %q did not match course %s: %v", title, id, res.MatchedCourses)
	}
}

func TestRecommendRejectsBadQueries(t *testing.T) {
	eng, _ := defaultEngine()
	for _, q := range []string{"", "   \n\t ", strings.Repeat("a", rag.MaxQueryLength+1)} {
		_, err := eng.Recommend(context.Background(), q, 8)
		if vrrec.ErrorCode(err) != vrrec.EINVALID {
			t.Errorf("query of %d chars: err = %v, want EINVALID", len(q), err)
		}
	}
	if _, err := eng.Recommend(context.Background(), strings.Repeat("é", rag.MaxQueryLength), 8); err != nil {
		t.Errorf("a query at the limit (in characters, not bytes) was refused: %v", err)
	}
}

func TestRecommendNothingForGibberish(t *testing.T) {
	res := recommend(t, "qwxzv plorkt")
	if len(res.Apps) != 0 {
		t.Errorf("gibberish matched %v", ids(res))
	}
	if reply := rag.FormatReply(res); !strings.HasPrefix(reply, "I couldn't find specific VR apps for 'qwxzv plorkt'") {
		t.Errorf("reply: %s", reply)
	}
}

func TestRecommendTopKAndDeterminism(t *testing.T) {
	eng, _ := defaultEngine()
	a, _ := eng.Recommend(context.Background(), "teamwork and communication", 3)
	b, _ := eng.Recommend(context.Background(), "teamwork and communication", 3)
	if len(a.Apps) != 3 {
		t.Errorf("topK 3 gave %d apps", len(a.Apps))
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Error("the same query gave different results")
	}
}

func TestResultJSONKeepsOldFieldNames(t *testing.T) {
	res := recommend(t, "public speaking")
	b, _ := json.Marshal(res.Apps[0])
	var m map[string]any
	json.Unmarshal(b, &m)
	for _, k := range []string{"app_id", "name", "category", "likeliness_score", "match_percent", "matched_skills", "reasoning", "retrieval_source"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, b)
		}
	}
}

func TestEngineReusesCachedVectors(t *testing.T) {
	cat, _ := catalog.Default()
	emb := rag.TrainOffline(cat, embedding.Options{})
	cache := embedding.NewCache()
	_, first, err := rag.New(context.Background(), cat, "v1", graph.New(cat), emb, cache, rag.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, second, _ := rag.New(context.Background(), cat, "v1", graph.New(cat), emb, cache, rag.Options{})
	if first.Embedded != first.Texts || second.Embedded != 0 {
		t.Errorf("first build embedded %d of %d, second %d; want all then none", first.Embedded, first.Texts, second.Embedded)
	}
}
