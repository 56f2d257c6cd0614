package rag_test

import (
	"strings"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/rag"
)

func pick(name string, like float64, source string) vrrec.AppRecommendation {
	a := vrrec.AppRecommendation{AppID: name, Name: name, LikelinessScore: like, MatchPercent: int(like*100 + 0.5),
		Reasoning: "Builds X.", RetrievalSource: source}
	if source == vrrec.SourceSemanticBridge {
		a.BridgeExplanation = "Related to 'X'"
	}
	return a
}

func TestFormatReplyGroupsPicks(t *testing.T) {
	res := &vrrec.Result{Query: "I'm learning Python", Apps: []vrrec.AppRecommendation{
		pick("A", 1, vrrec.SourceDirectSkill), pick("B", 0.8, vrrec.SourceDirectSkill),
		pick("C", 0.5, vrrec.SourceDirectSkill), pick("D", 0.35, vrrec.SourceSemanticBridge),
		pick("E", 0.31, vrrec.SourceDirectSkill), pick("F", 0.3, vrrec.SourceDirectSkill),
		pick("G", 0.1, vrrec.SourceDirectSkill),
	}}
	reply := rag.FormatReply(res)
	for _, want := range []string{
		"Based on your interest in **Python**",
		"**Top Picks**\n1. **A** (100% match): Builds X.\n2. **B** (80% match)",
		"**Also Consider**\n- **C** (50% match)",
		"- **D** (35% match): Builds X. _(Related to 'X')_",
		"- **E** (31% match)",
		"_Some picks were inferred from skills related to your request._",
		"Want details on any app? Just ask!",
	} {
		if !strings.Contains(reply, want) {
			t.Errorf("reply lacks %q:\n%s", want, reply)
		}
	}
	if strings.Contains(reply, "**F**") || strings.Contains(reply, "**G**") {
		t.Errorf("Also Consider holds at most 3 picks, and nothing under 30%%:\n%s", reply)
	}
}

func TestFormatReplyPromotesMediumPicks(t *testing.T) {
	res := &vrrec.Result{Query: "negotiation", Apps: []vrrec.AppRecommendation{pick("A", 0.49, vrrec.SourceSemanticBridge), pick("B", 0.4, vrrec.SourceSemanticBridge)}}
	reply := rag.FormatReply(res)
	if !strings.Contains(reply, "**Top Picks**\n1. **A** (49% match)") || strings.Contains(reply, "Also Consider") {
		t.Errorf("medium picks should become Top Picks when nothing reaches 60%%:\n%s", reply)
	}
	if !strings.HasPrefix(reply, "I didn't find apps explicitly for **negotiation**") {
		t.Errorf("all-bridged reply should say so:\n%s", reply)
	}
}

func TestFormatReplyNeutralisesMarkup(t *testing.T) {
	res := &vrrec.Result{Query: "**bold** <script>alert(1)</script> [x](javascript:alert(1))", Apps: []vrrec.AppRecommendation{
		{Name: "App_*", LikelinessScore: 1, MatchPercent: 100, Reasoning: "r", RetrievalSource: vrrec.SourceDirectSkill}}}
	reply := rag.FormatReply(res)
	for _, bad := range []string{"**bold**", "<script>", "[x](javascript", "App_*"} {
		if strings.Contains(reply, bad) {
			t.Errorf("reply keeps %q unescaped:\n%s", bad, reply)
		}
	}
	if !strings.Contains(reply, `\*\*bold\*\*`) {
		t.Errorf("the query should be quoted with its markup escaped:\n%s", reply)
	}
}

func TestInterest(t *testing.T) {
	for in, want := range map[string]string{
		"I want to learn cybersecurity":        "cybersecurity",
		"I'm learning Python":                  "Python",
		"Hi! I am interested in data science.": "data science",
		"teach me about astronomy":             "astronomy",
		"95-729":                               "95-729",
		"learn":                                "learn",
	} {
		if got := rag.Interest(in); got != want {
			t.Errorf("Interest(%q) = %q, want %q", in, got, want)
		}
	}
	if got := rag.Interest(strings.Repeat("x", 200)); len([]rune(got)) != 80 {
		t.Errorf("long interest not cut to 80 characters: %d", len(got))
	}
}
