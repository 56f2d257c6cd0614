package catalog_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/internal/testenv"
)

// A CSV of courses replaces the courses and keeps every other file; its bad
// rows are reported by the CSV's name and data-row index.
func TestReadUploadsCSVOverBase(t *testing.T) {
	base := testenv.DefaultCatalog(t)
	courses := "\xef\xbb\xbfcourse_id,title,department,description,units,prerequisites,learning_outcomes\n" +
		`95-888,Data-Focused Python,Heinz College,"Python for data, with pandas",12,15-112; 15-122,Write Python;Clean data` + "\n" +
		",No id,Heinz College,,,,\n" +
		"95-999,Bad units,Heinz College,x,twelve,,\n"
	cat, rep, err := catalog.ReadUploads(base, map[string][]byte{"courses.csv": []byte(courses)})
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Courses) != 1 || len(cat.Apps) != len(base.Apps) || len(cat.Skills) != len(base.Skills) {
		t.Fatalf("got %d courses, %d apps, %d skills; want 1 course and the base's %d apps, %d skills",
			len(cat.Courses), len(cat.Apps), len(cat.Skills), len(base.Apps), len(base.Skills))
	}
	c := cat.Courses[0]
	if c.Description != "Python for data, with pandas" || c.Units != 12 ||
		!slices.Equal(c.Prerequisites, []string{"15-112", "15-122"}) || !slices.Equal(c.LearningOutcomes, []string{"Write Python", "Clean data"}) {
		t.Errorf("course from CSV: %+v", c)
	}
	want := map[int]string{1: "course_id", 2: "malformed row"}
	for _, p := range rep.Problems {
		if p.File != "courses.csv" {
			continue
		}
		if w, ok := want[p.Index]; ok && strings.Contains(p.Reason, w) {
			delete(want, p.Index)
		}
	}
	if len(want) > 0 {
		t.Errorf("problems not reported for courses.csv rows %v; report: %v", want, rep.Problems)
	}
	if rep.Read["courses.csv"] != 3 || rep.Kept["courses.csv"] != 1 {
		t.Errorf("read/kept for courses.csv: %d/%d", rep.Read["courses.csv"], rep.Kept["courses.csv"])
	}
	// Mappings of the courses that are gone are dropped, not kept dangling.
	for _, m := range cat.CourseSkills {
		if m.SourceID != "95-888" {
			t.Fatalf("course skill of a removed course kept: %+v", m)
		}
	}
}

func TestReadUploadsJSON(t *testing.T) {
	base := testenv.DefaultCatalog(t)
	apps := `[{"app_id": "cubism", "name": "Cubism", "category": "entertainment", "description": "Spatial puzzles", "rating": 4.8, "price": "$9.99"}]`
	cat, _, err := catalog.ReadUploads(base, map[string][]byte{"uploads/vr_apps.json": []byte(apps)})
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Apps) != 1 || cat.Apps[0].AppID != "cubism" || len(cat.Courses) != len(base.Courses) {
		t.Errorf("apps %+v, %d courses", cat.Apps, len(cat.Courses))
	}
}

func TestReadUploadsRefusesBadFiles(t *testing.T) {
	base := testenv.DefaultCatalog(t)
	for name, tc := range map[string]struct {
		files map[string][]byte
		want  string
	}{
		"none":          {nil, "no files uploaded"},
		"unknown name":  {map[string][]byte{"students.json": []byte("[]")}, `"students.json" is not a catalog file`},
		"wrong type":    {map[string][]byte{"courses.xlsx": []byte("PK")}, "is not a catalog file"},
		"not an array":  {map[string][]byte{"courses.json": []byte(`{"courses": []}`)}, "courses.json"},
		"broken csv":    {map[string][]byte{"skills.csv": []byte("name,category\n\"Python,technical\n")}, "skills.csv"},
		"same rows did": {map[string][]byte{"skills.csv": []byte("name\n"), "skills.json": []byte("[]")}, "hold the same rows"},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := catalog.ReadUploads(base, tc.files)
			if vrrec.ErrorCode(err) != vrrec.EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want EINVALID containing %q", err, tc.want)
			}
		})
	}
}
