package catalog_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/internal/testenv"
)

// The counts of the embedded catalog that README.md and docs/ quote are
// its counts: a catalog change that forgets the documents fails here.
func TestDocsQuoteTheEmbeddedCatalogsCounts(t *testing.T) {
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	available, served := 0, 0
	for _, a := range cat.Apps {
		if a.Status != vrrec.StatusDiscontinued {
			available++
		}
		if a.Servable() {
			served++
		}
	}
	apps, courses, skills := len(cat.Apps), len(cat.Courses), len(cat.Skills)
	claims := []struct {
		file string
		re   *regexp.Regexp
		want []int // one per group; quoted at least once
	}{
		{"README.md", regexp.MustCompile(`(\d+) real Quest apps, (\d+) of them available, (\d+) courses, (\d+)\s+skills`), []int{apps, available, courses, skills}},
		{"README.md", regexp.MustCompile(`embedded catalog, (\d+) apps`), []int{apps}},
		{"docs/benchmarks.md", regexp.MustCompile(`embedded default \(2026: (\d+) apps, (\d+) served\)`), []int{apps, served}},
		{"docs/retrieval.md", regexp.MustCompile(`embedded \((\d+) apps, (\d+) served\)`), []int{apps, served}},
		{"docs/retrieval.md", regexp.MustCompile(`the embedded catalog's (\d+) apps`), []int{apps}},
	}
	for _, c := range claims {
		b, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), c.file))
		if err != nil {
			t.Fatal(err)
		}
		found := c.re.FindAllSubmatch(b, -1)
		if len(found) == 0 {
			t.Errorf("%s no longer says %q: update this test with what it says now", c.file, c.re)
		}
		for _, m := range found {
			for i, want := range c.want {
				if got, _ := strconv.Atoi(string(m[i+1])); got != want {
					t.Errorf("%s: %q quotes %d where the embedded catalog has %d", c.file, m[0], got, want)
				}
			}
		}
	}
}
