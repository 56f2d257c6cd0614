package catalog_test

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"testing"

	"github.com/vrrec/vrrec/catalog"
)

// The import report pages and downloads as CSV whole; a cell from a file
// that would start a spreadsheet formula does not.
func TestReportPagesAndCSV(t *testing.T) {
	rep := &catalog.Report{Read: map[string]int{catalog.AppsFile: 3}, Kept: map[string]int{catalog.AppsFile: 1}, Problems: []catalog.Problem{
		{File: catalog.AppsFile, Index: 0, ID: "=HYPERLINK(\"http://x\")", Reason: "missing name", Action: catalog.Dropped},
		{File: catalog.AppsFile, Index: 1, ID: "a", Reason: "+1 rating outside 0-5, cleared", Action: catalog.Fixed},
		{File: catalog.AppsFile, Index: 2, ID: "b", Reason: "discontinued", Action: catalog.Flagged},
	}}
	page := rep.Page(2, 2).(catalog.ReportPage)
	if page.Total != 3 || page.Dropped != 1 || page.Fixed != 1 || page.Flagged != 1 || len(page.Problems) != 1 || page.Problems[0].ID != "b" {
		t.Errorf("page from 2: %+v", page)
	}
	if past := rep.Page(10, 5).(catalog.ReportPage); len(past.Problems) != 0 || past.Total != 3 {
		t.Errorf("a page past the end: %+v", past)
	}
	var b bytes.Buffer
	if err := rep.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"file", "index", "id", "action", "reason"},
		{"vr_apps.json", "0", "'=HYPERLINK(\"http://x\")", "dropped", "missing name"},
		{"vr_apps.json", "1", "a", "fixed", "'+1 rating outside 0-5, cleared"},
		{"vr_apps.json", "2", "b", "flagged", "discontinued"}}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("CSV:\n%q\nwant\n%q", rows, want)
	}
}
