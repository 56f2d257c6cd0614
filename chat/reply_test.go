package chat_test

import (
	"strings"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/chat"
	"github.com/vrrec/vrrec/rag"
)

func pick(name string, like float64) vrrec.AppRecommendation {
	return vrrec.AppRecommendation{AppID: name, Name: name, LikelinessScore: like, MatchPercent: int(like*100 + 0.5),
		Reasoning: "Builds X.", RetrievalSource: vrrec.SourceDirectSkill}
}

func TestFormatReplyShowsPriceAndStatus(t *testing.T) {
	a, b := pick("A", 0.97), pick("B", 0.9)
	a.Price, a.Status = "Subscription, $18.99/month", vrrec.StatusAvailable
	b.Price, b.Status = "$9.99", "discontinued (2026-02-16)"
	reply := chat.FormatReply(&vrrec.Result{Query: "fitness", Apps: []vrrec.AppRecommendation{a, b}})
	for _, want := range []string{
		"1. **A** (Subscription, $18.99/month, 97% match): Builds X.",
		"2. **B** ($9.99, discontinued (2026-02-16), 90% match)",
	} {
		if !strings.Contains(reply, want) {
			t.Errorf("reply lacks %q:\n%s", want, reply)
		}
	}
}

func TestFormatReplyGroupsPicks(t *testing.T) {
	res := &vrrec.Result{Query: "I'm learning Python", Apps: []vrrec.AppRecommendation{
		pick("A", 0.97), pick("B", 0.8), pick("C", 0.45), pick("D", 0.35),
		pick("E", 0.31), pick("F", 0.3), pick("G", 0.1),
	}}
	reply := chat.FormatReply(res)
	for _, want := range []string{
		"VR apps that fit **Python**",
		"**Top Picks**\n1. **A** (97% match): Builds X.\n2. **B** (80% match)",
		"**Also Consider**\n- **C** (45% match)",
		"- **D** (35% match)",
		"- **E** (31% match)",
		"Match percentages estimate how likely each app fits",
		"Want details on any app? Just ask!",
	} {
		if !strings.Contains(reply, want) {
			t.Errorf("reply lacks %q:\n%s", want, reply)
		}
	}
	if strings.Contains(reply, "**F**") || strings.Contains(reply, "**G**") {
		t.Errorf("Also Consider holds at most 3 picks, and nothing under FitMin:\n%s", reply)
	}
}

func TestFormatReplyPromotesMediumPicks(t *testing.T) {
	res := &vrrec.Result{Query: "negotiation", Apps: []vrrec.AppRecommendation{pick("A", 0.45), pick("B", 0.4)}}
	reply := chat.FormatReply(res)
	if !strings.Contains(reply, "**Top Picks**\n1. **A** (45% match)") || strings.Contains(reply, "Also Consider") {
		t.Errorf("medium picks should become Top Picks when nothing reaches TopPickMin:\n%s", reply)
	}
}

// When nothing fits, the reply says so, names the nearest areas, and
// offers the closest weak matches as such, never as picks.
func TestFormatReplyNothingFits(t *testing.T) {
	res := &vrrec.Result{Query: "I want to learn tax law", NothingFits: true, NearestAreas: []string{"Public Finance", "Negotiation"},
		Apps: []vrrec.AppRecommendation{pick("Cities", 0.22), pick("Beat Saber", 0.2), pick("Demeo", 0.05)}}
	// Only an app that develops a nearest area is offered as the nearest;
	// Beat Saber scores, but is an unrelated game.
	res.Apps[0].NearAreas = []string{"Public Finance"}
	reply := chat.FormatReply(res)
	for _, want := range []string{"I couldn't find a VR app in our catalog that clearly fits **tax law**.",
		"The closest areas it covers are Public Finance and Negotiation.",
		"The nearest apps, none of them a strong match:\n- **Cities** (22% match)"} {
		if !strings.Contains(reply, want) {
			t.Errorf("reply lacks %q:\n%s", want, reply)
		}
	}
	if strings.Contains(reply, "Top Picks") || strings.Contains(reply, "Demeo") || strings.Contains(reply, "Beat Saber") {
		t.Errorf("a weak match is offered as a pick, or one under WeakMin shown:\n%s", reply)
	}
	if shown := chat.Shown(res); len(shown) != 1 || shown[0].AppID != "Cities" {
		t.Errorf("shown %v, want the one weak match", shown)
	}
	if top, also := chat.Picks(res); len(top)+len(also) != 0 {
		t.Errorf("picks %v %v when nothing fits", top, also)
	}
}

// A question the model cannot read is answered in its language.
func TestFormatReplyUnknownCourse(t *testing.T) {
	alone := chat.FormatReply(&vrrec.Result{Query: "99-999", NothingFits: true, UnknownCourses: []string{"99-999"}})
	if !strings.Contains(alone, "Course 99-999 isn't in our catalog") || strings.Contains(alone, "clearly fits") {
		t.Errorf("unknown course alone:\n%s", alone)
	}
	withTopic := chat.FormatReply(&vrrec.Result{Query: "99-999 speaking", Topic: "speaking", UnknownCourses: []string{"99-999"},
		Apps: []vrrec.AppRecommendation{{Name: "VirtualSpeech", LikelinessScore: 0.9, MatchPercent: 90, Reasoning: "Covers speaking."}}})
	if !strings.Contains(withTopic, "Course 99-999 isn't in our catalog; these fit the rest") || !strings.Contains(withTopic, "VirtualSpeech") {
		t.Errorf("unknown course with a topic:\n%s", withTopic)
	}
}

func TestFormatReplyOtherLanguage(t *testing.T) {
	res := &vrrec.Result{Query: "¿Hay algo para aprender anatomía?", Language: "es", Apps: []vrrec.AppRecommendation{pick("A", 0.9)}}
	reply := chat.FormatReply(res)
	if !strings.HasPrefix(reply, "Por ahora solo entiendo preguntas en inglés.") {
		t.Errorf("reply: %s", reply)
	}
	if len(chat.Shown(res)) != 0 {
		t.Error("apps shown for a question the model could not read")
	}
}

func TestFormatReplyNeutralisesMarkup(t *testing.T) {
	res := &vrrec.Result{Query: "**bold** <script>alert(1)</script> [x](javascript:alert(1))", Apps: []vrrec.AppRecommendation{
		{Name: "App_*", LikelinessScore: 1, MatchPercent: 100, Reasoning: "r", RetrievalSource: vrrec.SourceDirectSkill}}}
	reply := chat.FormatReply(res)
	for _, bad := range []string{"**bold**", "<script>", "[x](javascript", "App_*"} {
		if strings.Contains(reply, bad) {
			t.Errorf("reply keeps %q unescaped:\n%s", bad, reply)
		}
	}
	if !strings.Contains(reply, "**bold script alert 1") {
		t.Errorf("the interest should be quoted as its words:\n%s", reply)
	}
}

func TestInterest(t *testing.T) {
	for in, want := range map[string]string{
		"I want to learn cybersecurity":                        "cybersecurity",
		"I'm learning Python":                                  "Python",
		"Hi! I am interested in data science.":                 "data science",
		"I'm taking statistics":                                "statistics",
		"psych major, interested in empathy and social skills": "psych empathy and social skills",
		"anything for learning sign language?":                 "sign language",
		"what should I try if I like History":                  "History",
		"95-729":                                               "95 729",
		"learn":                                                "learn",
	} {
		if got := rag.Interest(in); got != want {
			t.Errorf("Interest(%q) = %q, want %q", in, got, want)
		}
	}
	if got := rag.Interest(strings.Repeat("x", 200)); len([]rune(got)) != 80 {
		t.Errorf("long interest not cut to 80 characters: %d", len(got))
	}
}

// With a language model, a question in another language is answered in
// it: the model's understanding and reasons, no English around them.
func TestFormatReplyOtherLanguageWithModel(t *testing.T) {
	res := &vrrec.Result{Query: "¿Hay algo para aprender anatomía?", Language: "es", ExplainedBy: vrrec.ExplainedByLLM,
		Understanding: "Quieres aprender anatomía.", Apps: []vrrec.AppRecommendation{pick("Organon", 0.9)}}
	res.Apps[0].Reasoning = "Explora el cuerpo humano en 3D."
	reply := chat.FormatReply(res)
	if reply != "_Quieres aprender anatomía._\n\n1. **Organon** (90%): Explora el cuerpo humano en 3D." {
		t.Errorf("reply %q", reply)
	}
	// The model read the question: nothing fitting is no reason to ask
	// for English; its understanding comes first, then the catalog's
	// answer.
	res.NothingFits, res.Topic = true, "anatomy"
	if reply := chat.FormatReply(res); !strings.HasPrefix(reply, "_Quieres aprender anatomía._\n\nI couldn't find a VR app in our catalog that clearly fits **anatomy**.") {
		t.Errorf("nothing fits in Spanish: %q", reply)
	}
}
