package rag

import (
	"fmt"
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
	interest := escapeMarkdown(Interest(res.Query))
	var top, also []vrrec.AppRecommendation
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

func writePick(b *strings.Builder, marker string, a vrrec.AppRecommendation) {
	fmt.Fprintf(b, "%s **%s** (%d%% match): %s", marker, escapeMarkdown(a.Name), a.MatchPercent, escapeMarkdown(a.Reasoning))
	if a.BridgeExplanation != "" {
		fmt.Fprintf(b, " _(%s)_", escapeMarkdown(a.BridgeExplanation))
	}
	b.WriteString("\n")
}

var markdownEscaper = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "<", `\<`, ">", `\>`, "#", `\#`)

func escapeMarkdown(s string) string { return markdownEscaper.Replace(s) }
