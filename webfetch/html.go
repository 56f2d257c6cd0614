package webfetch

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// skipped elements hold no page text.
var skipped = map[atom.Atom]bool{atom.Head: true, atom.Title: true, atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Svg: true, atom.Nav: true, atom.Footer: true, atom.Iframe: true, atom.Button: true, atom.Select: true, atom.Form: true}

// blocks start a new line.
var blocks = map[atom.Atom]bool{atom.P: true, atom.Div: true, atom.Section: true, atom.Article: true, atom.Main: true,
	atom.Header: true, atom.Aside: true, atom.Ul: true, atom.Ol: true, atom.Dl: true, atom.Dt: true,
	atom.Dd: true, atom.Table: true, atom.Blockquote: true, atom.Pre: true, atom.Hr: true,
	atom.Figure: true, atom.Figcaption: true, atom.Address: true, atom.Details: true, atom.Summary: true}

var headings = map[atom.Atom]int{atom.H1: 1, atom.H2: 2, atom.H3: 3, atom.H4: 4, atom.H5: 5, atom.H6: 6}

// HTMLToMarkdown renders an HTML page as markdown-like text: headings as
// "#" lines, list items as "- " lines, table rows as "| a | b |" lines,
// other blocks as their own lines; the head, scripts, styles, navigation,
// footers and forms are left out. It fails only on input that is not text.
func HTMLToMarkdown(page []byte) (string, error) {
	if bytes.IndexByte(page, 0) >= 0 {
		return "", fmt.Errorf("the page is binary, not HTML")
	}
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return "", fmt.Errorf("read the page's HTML: %w", err)
	}
	w := &writer{}
	w.node(doc)
	return w.String(), nil
}

type writer struct {
	strings.Builder
	cell int // depth of table cells being written: blocks inside stay on the row
}

func (w *writer) newline() {
	if w.cell > 0 {
		w.WriteByte(' ')
		return
	}
	w.WriteByte('\n')
}

func (w *writer) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		// Spaces around a text count once, as a browser shows them.
		if t := strings.TrimLeft(n.Data, " \t\r\n"); t != n.Data {
			w.WriteByte(' ')
		}
		w.WriteString(strings.Join(strings.Fields(n.Data), " "))
		if t := strings.TrimRight(n.Data, " \t\r\n"); t != n.Data && t != "" {
			w.WriteByte(' ')
		}
		return
	case html.ElementNode:
		if skipped[n.DataAtom] {
			return
		}
	case html.DocumentNode:
	default:
		return
	}
	a := n.DataAtom
	switch {
	case headings[a] > 0 && w.cell == 0:
		w.WriteString("\n\n" + strings.Repeat("#", headings[a]) + " ")
		defer w.WriteString("\n\n")
	case a == atom.Li && w.cell == 0:
		w.WriteString("\n- ")
	case a == atom.Tr && w.cell == 0:
		w.WriteString("\n|")
	case a == atom.Td || a == atom.Th:
		w.cell++
		w.WriteByte(' ')
		defer func() { w.cell--; w.WriteString(" |") }()
	case a == atom.Br:
		w.newline()
	case blocks[a]:
		w.newline()
		defer w.newline()
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.node(c)
	}
}

var (
	spaceRuns = regexp.MustCompile(`[ \t]+`)
	blankRuns = regexp.MustCompile(`\n{3,}`)
)

// String returns the text with each line trimmed and blank runs cut to one
// empty line.
func (w *writer) String() string {
	lines := strings.Split(w.Builder.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(spaceRuns.ReplaceAllString(l, " "))
	}
	return strings.TrimSpace(blankRuns.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}
