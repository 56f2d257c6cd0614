package rag

import (
	"fmt"
	"math"
	"strings"

	"github.com/vrrec/vrrec"
)

// Likeliness bands of the reply (SPEC step 7).
const (
	topPickMin   = 0.60
	alsoMin      = 0.30
	maxTopPicks  = 5
	maxAlsoPicks = 3
)

// FormatReply renders a result as the chat reply in markdown: Top Picks
// (likeliness at least 0.60, up to five), Also Consider (0.30 to 0.60, up to
// three; promoted to Top Picks when nothing reaches 0.60) and a footer saying
// whether the picks came from the knowledge graph or were inferred from
// related skills. The student's words are quoted with markdown syntax
// neutralised, so a query cannot restyle the reply; the web page must still
// render it as text, never as HTML.
func FormatReply(res *vrrec.Result) string {
	interest := EscapeMarkdown(Interest(res.Query))
	top, also := Picks(res)
	if len(top) == 0 {
		return fmt.Sprintf("I couldn't find specific VR apps for '%s'. Try a different phrasing, "+
			"a skill (\"data visualization\"), a subject (\"anatomy\") or a course number (\"95-729\").", interest)
	}

	var b strings.Builder
	if res.AllBridged() {
		fmt.Fprintf(&b, "I didn't find apps explicitly for **%s**, but these build closely related skills:\n\n", interest)
	} else {
		fmt.Fprintf(&b, "Based on your interest in **%s**, here are VR apps that can help:\n\n", interest)
	}
	if res.Understanding != "" {
		fmt.Fprintf(&b, "_%s_\n\n", EscapeMarkdown(res.Understanding))
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
	b.WriteString("\n")
	inferred := false
	for _, a := range append(top, also...) {
		if a.RetrievalSource == vrrec.SourceSemanticBridge {
			inferred = true
		}
	}
	if inferred {
		b.WriteString("_Some picks were inferred from skills related to your request._\n")
	} else {
		b.WriteString("_Picks come from our knowledge graph of courses, skills and apps._\n")
	}
	b.WriteString("Want details on any app? Just ask!")
	return b.String()
}

// Picks splits a result into the reply's Top Picks and Also Consider
// groups; apps in neither are too weak to show a student.
func Picks(res *vrrec.Result) (top, also []vrrec.AppRecommendation) {
	for _, a := range res.Apps {
		switch {
		case a.LikelinessScore >= topPickMin && len(top) < maxTopPicks:
			top = append(top, a)
		case a.LikelinessScore >= alsoMin && a.LikelinessScore < topPickMin && len(also) < maxAlsoPicks:
			also = append(also, a)
		}
	}
	if len(top) == 0 {
		top, also = also, nil
	}
	return top, also
}

// Rescale makes the best direct match 100% again after some apps were
// removed (the app a "more like" question started from), keeping the
// proportions; bridged apps stay at most 49%.
func Rescale(apps []vrrec.AppRecommendation) []vrrec.AppRecommendation {
	best := 0.0
	for _, a := range apps {
		if a.RetrievalSource != vrrec.SourceSemanticBridge {
			best = max(best, a.LikelinessScore)
		}
	}
	if best <= 0 || best >= 1 {
		return apps
	}
	for i := range apps {
		like := min(apps[i].LikelinessScore/best, 1)
		if apps[i].RetrievalSource == vrrec.SourceSemanticBridge {
			like = min(like, bridgedCap)
		}
		like = math.Round(like*100) / 100
		apps[i].LikelinessScore, apps[i].MatchPercent = like, int(math.Round(like*100))
	}
	return apps
}

// bridgedCap is the highest likeliness a bridged app can have (SPEC step 6).
const bridgedCap = 0.49

// Shown returns the apps the reply shows, in order.
func Shown(res *vrrec.Result) []vrrec.AppRecommendation {
	top, also := Picks(res)
	return append(top, also...)
}

func writePick(b *strings.Builder, marker string, a vrrec.AppRecommendation) {
	fmt.Fprintf(b, "%s **%s** (%d%% match): %s", marker, EscapeMarkdown(a.Name), a.MatchPercent, EscapeMarkdown(a.Reasoning))
	if a.BridgeExplanation != "" {
		fmt.Fprintf(b, " _(%s)_", EscapeMarkdown(a.BridgeExplanation))
	}
	b.WriteString("\n")
}

var markdownEscaper = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "<", `\<`, ">", `\>`, "#", `\#`)

// EscapeMarkdown neutralises markdown syntax in s, for quoting text that must
// not restyle a reply.
func EscapeMarkdown(s string) string { return markdownEscaper.Replace(s) }
