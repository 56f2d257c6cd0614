package chat

import (
	"fmt"
	"strings"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/lang"
	"github.com/vrrec/vrrec/rag"
)

// Reply groups (SPEC step 7, on calibrated probabilities).
const (
	maxTopPicks  = 5
	maxAlsoPicks = 3
)

// Topic is what res understood the question to ask for, as the answer
// quotes it: the engine's reading, else the query without its framing.
func Topic(res *vrrec.Result) string {
	if res.Topic != "" {
		return res.Topic
	}
	return rag.Interest(res.Query)
}

// BudgetSpentNote ends a reply the language model did not explain because
// the day's LLM budget is spent.
const BudgetSpentNote = "_Today's budget for AI-written explanations is used up, so these picks and reasons come from our search alone._"

// FormatReply renders a result as the chat reply in markdown: Top Picks
// (probability of fitting at least rag.TopPickMin, up to five), Also Consider
// (rag.FitMin to rag.TopPickMin, up to three; they become the picks when no app
// reaches rag.TopPickMin). When nothing reaches rag.FitMin the reply says the
// catalog has nothing for the topic and names the nearest areas it covers;
// a question in a language the model cannot read is answered in that
// language. The student's words are quoted with markdown syntax
// neutralised, so a query cannot restyle the reply; the web page must still
// render it as text, never as HTML.
func FormatReply(res *vrrec.Result) string {
	if res.Language != "" && (res.Translated == "" || res.ExplainedBy == vrrec.ExplainedByLLM) {
		return otherLanguageReply(res)
	}
	var b strings.Builder
	if len(res.Constraints) > 0 {
		fmt.Fprintf(&b, "_%s._\n\n", EscapeMarkdown(constraintLabels(res.Constraints)))
	}
	if res.Corrected != "" && len(res.Needs) == 0 {
		fmt.Fprintf(&b, "_Showing results for %s._\n\n", EscapeMarkdown(res.Corrected))
	}
	if len(res.Needs) > 0 {
		b.WriteString(needsReply(res))
	} else {
		b.WriteString(oneNeedReply(res))
	}
	return b.String()
}

// constraintLabels lists what an answer applied: "Free apps only · Seated
// play".
func constraintLabels(cs []vrrec.Constraint) string {
	labels := make([]string, len(cs))
	for i, c := range cs {
		labels[i] = c.Label
	}
	return strings.Join(labels, " · ")
}

// needsReply answers each need of a question that asked for several, under
// its own heading.
func needsReply(res *vrrec.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "You asked for %s. For each:\n", countWord(len(res.Needs), "thing"))
	for _, n := range res.Needs {
		fmt.Fprintf(&b, "\n**For %s**\n", EscapeMarkdown(n.Topic))
		shown := Shown(&vrrec.Result{Apps: n.Apps, NothingFits: n.NothingFits})
		switch {
		case n.NothingFits && len(shown) == 0:
			b.WriteString("Nothing in our catalog fits this.\n")
		case n.NothingFits:
			b.WriteString("Nothing fits this well; the nearest:\n")
		}
		for i, a := range shown {
			writePick(&b, fmt.Sprintf("%d.", i+1), a)
		}
	}
	b.WriteString("\n_Match percentages estimate how likely each app fits what you asked._")
	return b.String()
}

// oneNeedReply answers a question about one thing.
func oneNeedReply(res *vrrec.Result) string {
	interest := EscapeMarkdown(Topic(res))
	top, also := Picks(res)
	unknown := ""
	if len(res.UnknownCourses) > 0 {
		unknown = fmt.Sprintf("Course %s isn't in our catalog", EscapeMarkdown(joinWords(res.UnknownCourses)))
	}
	if len(res.Apps) == 0 && len(res.Alternatives) == 0 && unknown != "" {
		return unknown + ". Tell me what the course covers (\"web development\", \"statistics\") and I'll look for VR apps that build those skills."
	}
	if len(top) == 0 {
		var b strings.Builder
		if unknown != "" {
			b.WriteString(unknown + ". ")
		}
		if res.Relaxed != "" {
			// The topic has apps; the constraints left none.
			b.WriteString(EscapeMarkdown(res.Relaxed) + "\n")
			for _, a := range res.Alternatives {
				writePick(&b, "-", a)
			}
			b.WriteString("\nRemove a condition to see more.")
			return b.String()
		}
		what := "VR app in our catalog that clearly fits"
		if len(res.Constraints) > 0 {
			what = "VR app in our catalog that fits, with " + EscapeMarkdown(strings.ToLower(constraintLabels(res.Constraints))) + ","
		}
		fmt.Fprintf(&b, "I couldn't find a %s **%s**.", what, interest)
		if len(res.NearestAreas) > 0 {
			areas := make([]string, len(res.NearestAreas))
			for i, a := range res.NearestAreas {
				areas[i] = EscapeMarkdown(a)
			}
			fmt.Fprintf(&b, " The closest areas it covers are %s.", joinWords(areas))
		}
		if weak := Closest(res); len(weak) > 0 {
			b.WriteString("\n\nThe nearest apps, none of them a strong match:\n")
			for _, a := range weak {
				writePick(&b, "-", a)
			}
			b.WriteString("\n")
		} else {
			b.WriteString(" ")
		}
		b.WriteString("Try a related skill (\"data visualization\"), a subject (\"anatomy\") or a course number (\"15-112\").")
		return b.String()
	}

	var b strings.Builder
	switch {
	case top[0].LikelinessScore >= rag.TopPickMin && res.InCourse != "":
		// A question with no topic of its own on a course's page.
		fmt.Fprintf(&b, "For **%s**, the course of this page:\n\n", interest)
	case top[0].LikelinessScore >= rag.TopPickMin:
		fmt.Fprintf(&b, "VR apps that fit **%s**:\n\n", interest)
	default:
		// Weak fits only: said as such, never as apps "that can help".
		fmt.Fprintf(&b, "Nothing fits **%s** closely; these fit in part:\n\n", interest)
	}
	if res.Understanding != "" {
		fmt.Fprintf(&b, "_%s_\n\n", EscapeMarkdown(res.Understanding))
	}
	if unknown != "" {
		fmt.Fprintf(&b, "_%s; these fit the rest of your question._\n\n", unknown)
	}
	b.WriteString("**Top Picks**\n")
	for i, a := range top {
		writePick(&b, fmt.Sprintf("%d.", i+1), a)
	}
	if len(also) > 0 {
		b.WriteString("\n**Also Consider**\n")
		for _, a := range also {
			writePick(&b, "-", a)
		}
	}
	b.WriteString("\n_Match percentages estimate how likely each app fits what you asked._\n")
	if res.LLMBudgetSpent {
		b.WriteString(BudgetSpentNote + "\n")
	}
	b.WriteString("Want details on any app? Just ask!")
	return b.String()
}

// countWord is "1 thing", "3 things".
func countWord(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// Picks splits a result into the reply's Top Picks and Also Consider
// groups; apps in neither are too weak to recommend. When no app reaches
// rag.TopPickMin, the Also Consider apps are the picks; when nothing fits
// (retrieval or the language model said so), there are none.
func Picks(res *vrrec.Result) (top, also []vrrec.AppRecommendation) {
	if res.NothingFits || !readable(res) { // the model may say none fits
		return nil, nil
	}
	for _, a := range res.Apps {
		switch {
		case a.LikelinessScore >= rag.TopPickMin && len(top) < maxTopPicks:
			top = append(top, a)
		case a.LikelinessScore >= rag.FitMin && a.LikelinessScore < rag.TopPickMin && len(also) < maxAlsoPicks:
			also = append(also, a)
		}
	}
	if len(top) == 0 {
		top, also = also, nil
	}
	return top, also
}

// Shown returns the apps the reply shows, in order: the picks, or when
// nothing fits the closest weak matches.
func Shown(res *vrrec.Result) []vrrec.AppRecommendation {
	top, also := Picks(res)
	if len(top) == 0 {
		return Closest(res)
	}
	return append(top, also...)
}

// Closest returns, when nothing fits, the few apps that come nearest
// (probability at least rag.WeakMin) and develop one of the nearest areas
// the reply names: shown as such, never as picks, and never an unrelated
// game that happens to score.
func Closest(res *vrrec.Result) []vrrec.AppRecommendation {
	if !readable(res) || !res.NothingFits {
		return []vrrec.AppRecommendation{} // a JSON array, never null
	}
	out := []vrrec.AppRecommendation{}
	for _, a := range res.Apps {
		if a.LikelinessScore >= rag.WeakMin && len(a.NearAreas) > 0 && len(out) < maxAlsoPicks {
			out = append(out, a)
		}
	}
	return out
}

// writePick writes one app of a reply: its name, its price and, when it is
// not available, its status, its match and the reason.
func writePick(b *strings.Builder, marker string, a vrrec.AppRecommendation) {
	var facts []string
	if a.Price != "" {
		facts = append(facts, EscapeMarkdown(a.Price))
	}
	if a.Status != "" && a.Status != vrrec.StatusAvailable {
		facts = append(facts, EscapeMarkdown(a.Status))
	}
	for _, f := range a.Facets {
		facts = append(facts, EscapeMarkdown(f))
	}
	for _, u := range a.Unconfirmed {
		facts = append(facts, EscapeMarkdown(strings.ToLower(u))+" not confirmed")
	}
	facts = append(facts, fmt.Sprintf("%d%% match", a.MatchPercent))
	fmt.Fprintf(b, "%s **%s** (%s): %s", marker, EscapeMarkdown(a.Name), strings.Join(facts, ", "), EscapeMarkdown(a.Reasoning))
	b.WriteString("\n")
}

var markdownEscaper = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "<", `\<`, ">", `\>`, "#", `\#`)

// EscapeMarkdown neutralises markdown syntax in s, for quoting text that must
// not restyle a reply.
func EscapeMarkdown(s string) string { return markdownEscaper.Replace(s) }

// joinWords joins names as English: "A", "A and B", "A, B and C".
func joinWords(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// readable reports whether the answer may be shown: an English question,
// or one in another language that a language model read and explained.
func readable(res *vrrec.Result) bool {
	return res.Language == "" || res.Translated != "" || res.ExplainedBy == vrrec.ExplainedByLLM
}

// otherLanguageReply answers a question in another language. When a
// language model explained the answer, its understanding and reasons are
// in the student's language, and the reply is those alone, with no
// English around them (when nothing fits, the model's understanding and
// the English reply saying so); otherwise the reply asks, in that
// language, for the question in English.
func otherLanguageReply(res *vrrec.Result) string {
	top, also := Picks(res)
	if len(top) == 0 && res.ExplainedBy == vrrec.ExplainedByLLM {
		// The model read the question; the catalog has nothing for it,
		// which only the English reply can say.
		understood := ""
		if res.Understanding != "" {
			understood = fmt.Sprintf("_%s_\n\n", EscapeMarkdown(res.Understanding))
		}
		return understood + oneNeedReply(res)
	}
	if len(top) == 0 {
		return lang.NothingUnderstood(res.Language)
	}
	var b strings.Builder
	if res.Understanding != "" {
		fmt.Fprintf(&b, "_%s_\n\n", EscapeMarkdown(res.Understanding))
	}
	for i, a := range append(top, also...) {
		fmt.Fprintf(&b, "%d. **%s** (%d%%): %s\n", i+1, EscapeMarkdown(a.Name), a.MatchPercent, EscapeMarkdown(a.Reasoning))
	}
	return strings.TrimRight(b.String(), "\n")
}
