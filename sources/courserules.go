package sources

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/vrrec/vrrec"
)

// The rules below read the course catalog layouts universities commonly
// publish, as markdown or text (Firecrawl's output, or webfetch's rendering
// of the HTML):
//
//   - a block per course whose first line starts with the number:
//     "15-112 Fundamentals of Programming (12 units)", "### 95-729: E-Commerce
//     Technology", "**15-122 Principles of Imperative Computation**",
//     followed by lines such as "All Semesters: 12 units", "Units: 9",
//     "Prerequisites: 15-112", "Department: ..." and the description;
//   - a table with a header row naming its columns ("Course", "Title",
//     "Units", "Description", "Prerequisites", "Department").
//
// Only what the page states is taken; a field the page does not give stays
// empty. The department is the page's nearest heading that names one
// ("School of Computer Science", "Department of ...") unless the block says.

// courseNumber is the catalog's course number, NN-NNN.
var courseNumber = regexp.MustCompile(`\b\d{2}-\d{3}\b`)

// courseHead is a line that starts a course block: the number, a separator
// and a title that starts like one.
var courseHead = regexp.MustCompile(`^(\d{2}-\d{3})\s*(?:[:.|\-–—]\s*)?([A-Z0-9"'“(].*)$`)

// unitsIn finds "12 units", "(9 units)", "Units: 12", "3 credits".
var (
	unitsAfter  = regexp.MustCompile(`(?i)\b(\d{1,2}(?:\.\d)?)\s*(?:units?|credits?)\b`)
	unitsBefore = regexp.MustCompile(`(?i)\b(?:units?|credits?)\s*:\s*(\d{1,2}(?:\.\d)?)\b`)
	// unitsLine is a line that only gives units, maybe by semester.
	unitsLine = regexp.MustCompile(`(?i)^(?:(?:all semesters|fall|spring|summer|fall and spring|intermittent)[^:]*:\s*)?(?:units?|credits?)?\s*:?\s*\d{1,2}(?:\.\d)?(?:\s*(?:units?|credits?))?\.?$`)
	// variableUnits ("9-12 units") are not one number: left unset.
	variableUnits = regexp.MustCompile(`(?i)\b\d{1,2}\s*-\s*\d{1,2}\s*(?:units?|credits?)\b`)
	// titleUnits is the units part at the end of a title line.
	titleUnits = regexp.MustCompile(`(?i)\s*[(\[]?\s*(?:\d{1,2}(?:\.\d)?(?:\s*-\s*\d{1,2})?\s*(?:units?|credits?)|(?:units?|credits?)\s*:\s*\d{1,2}(?:\.\d)?)\s*[)\]]?\s*$`)
	labelled   = regexp.MustCompile(`(?i)^(prerequisites?|pre-?reqs?|corequisites?|department|dept|units?|credits?|course website|instructors?|semesters? offered|notes?|cross-listed|location)\s*(?:\(s\))?\s*:\s*(.*)$`)
)

// departmentWords mark a heading that names a department.
var departmentWords = []string{"department", "school", "college", "institute", "faculty", "division", "program", "center"}

// line is a line of a page with its markdown stripped.
type line struct {
	text    string
	heading bool
	table   []string // the cells of a table row; empty for its rule line
}

var (
	mdLink     = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	mdEmphasis = strings.NewReplacer("**", "", "__", "", "`", "", `\-`, "-", `\_`, "_", `\*`, "*")
	tableRule  = regexp.MustCompile(`^\|?\s*:?-{2,}`)
)

func readLines(page string) []line {
	var out []line
	for raw := range strings.SplitSeq(page, "\n") {
		t := strings.TrimSpace(mdEmphasis.Replace(mdLink.ReplaceAllString(raw, "$1")))
		if t == "" {
			out = append(out, line{})
			continue
		}
		if tableRule.MatchString(t) {
			out = append(out, line{text: t, table: []string{}}) // | --- | --- |
			continue
		}
		if strings.HasPrefix(t, "|") {
			cells := strings.Split(strings.Trim(t, "|"), "|")
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			out = append(out, line{text: t, table: cells})
			continue
		}
		l := line{}
		if h := strings.TrimLeft(t, "#"); h != t {
			l.heading, t = true, strings.TrimSpace(h)
		}
		l.text = strings.TrimSpace(strings.TrimLeft(t, "-*+•· "))
		out = append(out, l)
	}
	return out
}

// ruleCourses returns the courses the rules read from a page.
func ruleCourses(page string) []vrrec.Course {
	lines := readLines(page)
	out := tableCourses(lines)
	dept := ""
	var cur *vrrec.Course
	var desc []string
	valueNext := false  // a label ended its line: the next line is its value, not description
	prereqList := false // "Prerequisites:" ended its line: the lines naming courses are its list
	flush := func() {
		if cur != nil {
			cur.Description = strings.Join(desc, " ")
			// A number and title alone is a mention (a prerequisite
			// listed on its own line), not the course's entry.
			if cur.Description != "" || cur.Units != 0 {
				out = append(out, *cur)
			}
		}
		cur, desc = nil, nil
	}
	for _, l := range lines {
		if l.table != nil {
			flush()
			continue
		}
		if m := courseHead.FindStringSubmatch(l.text); m != nil && !prereqList && !strings.Contains(strings.ToLower(m[2]), "prerequisite") {
			flush()
			cur = &vrrec.Course{CourseID: m[1], Department: dept, Prerequisites: []string{}, LearningOutcomes: []string{}}
			cur.Title, cur.Units = splitTitle(m[2])
			continue
		}
		if l.heading {
			flush()
			if namesDepartment(l.text) {
				dept = l.text
			}
			continue
		}
		if cur == nil || l.text == "" {
			continue
		}
		if prereqList && courseNumber.MatchString(l.text) {
			for _, n := range numbers(l.text) {
				if !slices.Contains(cur.Prerequisites, n) {
					cur.Prerequisites = append(cur.Prerequisites, n)
				}
			}
			continue
		}
		prereqList = false
		if valueNext {
			valueNext = false
			continue
		}
		if m := labelled.FindStringSubmatch(l.text); m != nil {
			label := strings.ToLower(m[1])
			valueNext = strings.TrimSpace(m[2]) == ""
			switch {
			case strings.HasPrefix(label, "pre"):
				cur.Prerequisites = numbers(m[2])
				prereqList, valueNext = valueNext, false
			case strings.HasPrefix(label, "dep"):
				cur.Department = strings.TrimSpace(m[2])
			case strings.HasPrefix(label, "unit") || strings.HasPrefix(label, "credit"):
				if cur.Units == 0 {
					cur.Units = units(l.text)
				}
			}
			continue
		}
		if unitsLine.MatchString(l.text) {
			if cur.Units == 0 {
				cur.Units = units(l.text)
			}
			continue
		}
		desc = append(desc, l.text)
	}
	flush()
	return out
}

// splitTitle takes the units off the end of a title line.
func splitTitle(s string) (string, float64) {
	s = strings.TrimSpace(s)
	if loc := titleUnits.FindStringIndex(s); loc != nil && loc[0] > 0 {
		return strings.TrimRight(strings.TrimSpace(s[:loc[0]]), ":,;-–—"), units(s[loc[0]:])
	}
	return strings.TrimRight(s, ":"), 0
}

// units reads one stated number of units; 0 when none or a range.
func units(s string) float64 {
	if variableUnits.MatchString(s) {
		return 0
	}
	for _, re := range []*regexp.Regexp{unitsAfter, unitsBefore} {
		if m := re.FindStringSubmatch(s); m != nil {
			if f, err := strconv.ParseFloat(m[1], 64); err == nil {
				return f
			}
		}
	}
	return 0
}

// numbers lists the course numbers a text names, once each, in order.
func numbers(s string) []string {
	out := []string{}
	for _, n := range courseNumber.FindAllString(s, -1) {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

func namesDepartment(heading string) bool {
	h := strings.ToLower(heading)
	if courseNumber.MatchString(h) {
		return false
	}
	for _, w := range departmentWords {
		if strings.Contains(h, w) {
			return true
		}
	}
	return false
}

// tableCourses reads the rows of tables whose header names a course
// number column.
func tableCourses(lines []line) []vrrec.Course {
	var out []vrrec.Course
	var cols map[string]int // field -> column, for the table being read
	dept := ""
	for _, l := range lines {
		if l.table == nil {
			cols = nil
			if l.heading && namesDepartment(l.text) {
				dept = l.text
			}
			continue
		}
		if len(l.table) == 0 {
			continue
		}
		if cols == nil {
			cols = tableColumns(l.table)
			continue
		}
		if cols["number"] < 0 {
			continue
		}
		cell := func(field string) string {
			if i, ok := cols[field]; ok && i >= 0 && i < len(l.table) {
				return l.table[i]
			}
			return ""
		}
		id := courseNumber.FindString(cell("number"))
		if id == "" {
			continue
		}
		c := vrrec.Course{CourseID: id, Title: cell("title"), Department: cmp.Or(cell("department"), dept), Description: cell("description"),
			Prerequisites: numbers(cell("prerequisites")), LearningOutcomes: []string{}}
		if c.Title == "" { // "15-112 Fundamentals of Programming" in one cell
			c.Title = strings.TrimSpace(strings.TrimLeft(strings.TrimPrefix(cell("number"), id), ":.-–— "))
		}
		if u := cell("units"); u != "" && !variableUnits.MatchString(u+" units") {
			if f, err := strconv.ParseFloat(strings.Fields(u)[0], 64); err == nil {
				c.Units = f
			}
		}
		out = append(out, c)
	}
	return out
}

// tableColumns maps a header row's cells to course fields; "number" is -1
// when no column holds course numbers.
func tableColumns(header []string) map[string]int {
	cols := map[string]int{"number": -1}
	for i, h := range header {
		h = strings.ToLower(h)
		field := ""
		switch {
		case strings.Contains(h, "prereq"):
			field = "prerequisites"
		case strings.Contains(h, "number") || strings.Contains(h, "code") || h == "course" || h == "course #" || h == "#":
			field = "number"
		case strings.Contains(h, "title") || strings.Contains(h, "name"):
			field = "title"
		case strings.Contains(h, "unit") || strings.Contains(h, "credit"):
			field = "units"
		case strings.Contains(h, "description"):
			field = "description"
		case strings.Contains(h, "department") || strings.Contains(h, "dept"):
			field = "department"
		}
		if _, taken := cols[field]; field != "" && (!taken || (field == "number" && cols[field] < 0)) {
			cols[field] = i
		}
	}
	return cols
}
