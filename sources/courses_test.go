package sources_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/internal/fakeopenai"
	"github.com/vrrec/vrrec/openai"
	"github.com/vrrec/vrrec/sources"
	"github.com/vrrec/vrrec/webfetch"
)

// report records what a fetch reports, as a job's log.
type report struct {
	mu    sync.Mutex
	lines []string
}

func (r *report) Progress(string, int, int) {}
func (r *report) Logf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, fmt.Sprintf(format, args...))
}
func (r *report) String() string { return strings.Join(r.lines, "\n") }

// catalogPages serves testdata over plain HTTP, as a university's site.
func catalogPages(t *testing.T) string {
	srv := httptest.NewServer(http.FileServer(http.Dir("testdata")))
	t.Cleanup(srv.Close)
	return srv.URL
}

// model is a chat client on a local OpenAI-compatible server.
func model(t *testing.T, reply func(n int, req fakeopenai.Request) fakeopenai.Answer) (sources.Completer, *fakeopenai.Server) {
	f := fakeopenai.Start(reply)
	t.Cleanup(f.Close)
	chat, err := openai.NewChat(openai.ChatConfig{BaseURL: f.URL, Model: "m", Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return chat, f
}

// fetchCourses runs the source over base and returns the courses file it
// brings, read.
func fetchCourses(t *testing.T, src sources.Source, base *vrrec.Catalog) ([]vrrec.Course, *report, error) {
	t.Helper()
	rep := &report{}
	files, err := src.Fetch(t.Context(), base, rep)
	if err != nil {
		return nil, rep, err
	}
	if len(files) != 1 || files[catalog.CoursesFile] == nil {
		t.Fatalf("files: %v", files)
	}
	var courses []vrrec.Course
	if err := json.Unmarshal(files[catalog.CoursesFile], &courses); err != nil {
		t.Fatal(err)
	}
	return courses, rep, nil
}

func course(id, title, dept string, units float64, desc string, prereqs ...string) vrrec.Course {
	return vrrec.Course{CourseID: id, Title: title, Department: dept, Units: units, Description: desc,
		Prerequisites: append([]string{}, prereqs...), LearningOutcomes: []string{}}
}

// The rules read the common layouts: CMU's course blocks (HTML, fetched
// plainly), headed markdown blocks with labelled lines (as Firecrawl
// returns), and tables.
func TestRulesReadCatalogLayouts(t *testing.T) {
	site := catalogPages(t)
	for _, tc := range []struct {
		page string
		want []vrrec.Course
	}{
		{"cmu-scs.html", []vrrec.Course{
			course("15-112", "Fundamentals of Programming and Computer Science", "School of Computer Science", 12,
				"A technical introduction to the fundamentals of programming with an emphasis on producing clear, robust, and reasonably efficient code using top-down design, informal analysis, and effective testing and debugging.",
				"15-110", "15-051"),
			course("15-122", "Principles of Imperative Computation", "School of Computer Science", 12,
				"For students with a basic understanding of programming (variables, expressions, loops, arrays, functions). Teaches imperative programming and methods for ensuring the correctness of programs.",
				"15-112"),
			course("15-466", "Computer Game Programming", "School of Computer Science", 12,
				"This course introduces the core systems of modern games: real-time rendering, physics, audio and networking, through the design and implementation of several small games.",
				"15-213", "15-462"),
		}},
		{"heinz.md", []vrrec.Course{
			course("95-729", "E-Commerce Technology", "Heinz College of Information Systems and Public Policy", 6,
				"An overview of the technologies behind electronic commerce: web architecture, payment systems, security and the design of online marketplaces.", "95-712"),
			course("95-888", "Data-Focused Python", "Information Systems Management", 6,
				"Python for data analysis: data structures, pandas, visualization and a project on a public data set."),
			course("94-806", "Privacy in the Digital Age", "Heinz College of Information Systems and Public Policy", 6,
				"How personal information is collected, used and protected; privacy law and policy in the US and EU."),
			course("95-702", "Distributed Systems for Information Systems Management", "Heinz College of Information Systems and Public Policy", 12,
				"Distributed systems concepts through programming projects.", "95-712", "95-706"),
		}},
		{"design-table.md", []vrrec.Course{
			course("05-418", "Design Educational Games", "Human-Computer Interaction Institute", 12,
				"Students design, build and test games that teach, working with a client.", "05-391"),
			course("05-499", "Special Topics in HCI", "Human-Computer Interaction Institute", 0, "Topics vary by semester."), // 6-12 units: not one number
		}},
	} {
		t.Run(tc.page, func(t *testing.T) {
			src, err := sources.NewCoursePages([]string{site + "/" + tc.page}, &webfetch.Client{}, "plain HTTP", nil)
			if err != nil {
				t.Fatal(err)
			}
			got, rep, err := fetchCourses(t, src, &vrrec.Catalog{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("courses:\n%+v\nwant:\n%+v", got, tc.want)
			}
			if !strings.Contains(rep.String(), fmt.Sprintf("%d courses read by the rules", len(tc.want))) {
				t.Errorf("log: %s", rep)
			}
		})
	}
}

// A page the rules cannot read fails without a model, saying so, and is
// read by the model when there is one; what the model says that the page
// does not is dropped.
func TestModelReadsOtherLayouts(t *testing.T) {
	site := catalogPages(t)
	pages := []string{site + "/other-layout.md"}
	src, _ := sources.NewCoursePages(pages, &webfetch.Client{}, "plain HTTP", nil)
	if _, _, err := fetchCourses(t, src, &vrrec.Catalog{}); err == nil || !strings.Contains(err.Error(), "no course found") || !strings.Contains(err.Error(), "configure an LLM") {
		t.Errorf("no model: %v", err)
	}
	chat, f := model(t, func(n int, req fakeopenai.Request) fakeopenai.Answer {
		return fakeopenai.Answer{Content: "Here they are:\n```json\n" + `{"courses": [
			{"course_id": "54-281", "title": "Acting for the Camera", "department": "Department of Drama", "description": "Students practice acting in front of a camera, from audition tapes to short scenes.", "units": 9, "prerequisites": []},
			{"course_id": "54-175", "title": "Voice and Speech", "department": "School of Drama", "description": "An intensive studio course on the voice.", "units": "6", "prerequisites": ["54-100"]},
			{"course_id": "54-999", "title": "Stage Combat", "description": "Invented by the model."},
			{"course_id": "Drama 1", "title": "Voice and Speech"}
		]}` + "\n```"}
	})
	src, _ = sources.NewCoursePages(pages, &webfetch.Client{}, "plain HTTP", chat)
	got, rep, err := fetchCourses(t, src, &vrrec.Catalog{})
	if err != nil {
		t.Fatal(err)
	}
	want := []vrrec.Course{
		// "Nine units" is not "9 units": the page does not state the number.
		course("54-281", "Acting for the Camera", "Department of Drama", 0, "Students practice acting in front of a camera, from audition tapes to short scenes."),
		// A department, description and prerequisite the page does not give are left out.
		course("54-175", "Voice and Speech", "", 6, ""),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("courses:\n%+v\nwant:\n%+v", got, want)
	}
	if !strings.Contains(f.Last().User(), "Acting for the Camera — course 54-281") {
		t.Errorf("the model was not given the page: %q", f.Last().User())
	}
	if !strings.Contains(rep.String(), "2 courses read by the LLM") {
		t.Errorf("log: %s", rep)
	}
	garbled, _ := model(t, func(int, fakeopenai.Request) fakeopenai.Answer {
		return fakeopenai.Answer{Content: `{"courses": [{"course_id": `}
	})
	src, _ = sources.NewCoursePages(pages, &webfetch.Client{}, "plain HTTP", garbled)
	if _, _, err := fetchCourses(t, src, &vrrec.Catalog{}); err == nil || !strings.Contains(err.Error(), "model") || !strings.Contains(err.Error(), "nothing was changed") {
		t.Errorf("garbled model answer: %v", err)
	}
	down, _ := model(t, func(int, fakeopenai.Request) fakeopenai.Answer { return fakeopenai.Answer{Status: 503} })
	src, _ = sources.NewCoursePages(pages, &webfetch.Client{}, "plain HTTP", down)
	if _, _, err := fetchCourses(t, src, &vrrec.Catalog{}); err == nil || !strings.Contains(err.Error(), "the LLM did not read the page") {
		t.Errorf("model down: %v", err)
	}
}

// Courses found replace the catalog's of the same number and add to the
// rest; one failing page fails the whole fetch.
func TestCoursePagesMergeAndFail(t *testing.T) {
	site := catalogPages(t)
	old := course("15-112", "Old title", "", 10, "old")
	old.LearningOutcomes = []string{"Write programs of a few hundred lines"}
	base := &vrrec.Catalog{Courses: []vrrec.Course{old, course("76-101", "Interpretation and Argument", "English", 9, "Writing.")}}
	src, _ := sources.NewCoursePages([]string{site + "/cmu-scs.html", site + "/heinz.md"}, &webfetch.Client{}, "plain HTTP", nil)
	got, rep, err := fetchCourses(t, src, base)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range got {
		ids = append(ids, c.CourseID)
	}
	if strings.Join(ids, " ") != "15-112 76-101 15-122 15-466 95-729 95-888 94-806 95-702" {
		t.Errorf("merged: %v", ids)
	}
	// What the page states replaces the stored fields; the rest stays.
	if c := got[0]; c.Title != "Fundamentals of Programming and Computer Science" || c.Units != 12 || c.Department != "School of Computer Science" ||
		!reflect.DeepEqual(c.LearningOutcomes, old.LearningOutcomes) || !reflect.DeepEqual(c.Prerequisites, []string{"15-110", "15-051"}) {
		t.Errorf("15-112 after the update: %+v", c)
	}
	if !strings.Contains(rep.String(), "7 courses found: 6 new, 1 updated") {
		t.Errorf("log: %s", rep)
	}
	src, _ = sources.NewCoursePages([]string{site + "/cmu-scs.html", site + "/gone.html"}, &webfetch.Client{}, "plain HTTP", nil)
	if _, _, err := fetchCourses(t, src, base); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("a missing page: %v", err)
	}
	for _, urls := range [][]string{nil, {"ftp://example.edu/courses"}, {"catalog.example.edu"}} {
		if _, err := sources.NewCoursePages(urls, &webfetch.Client{}, "plain HTTP", nil); vrrec.ErrorCode(err) != vrrec.EINVALID || !strings.Contains(err.Error(), "COURSE_CATALOG_URLS") {
			t.Errorf("URLs %q: %v", urls, err)
		}
	}
}
