package web

import (
	"os"
	"regexp"
	"testing"
)

// docs/operations.md's route-by-role table lists every admin route with
// the role the router checks, and nothing else.
func TestOperationsDocListsEveryAdminRoute(t *testing.T) {
	doc, err := os.ReadFile("../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]string{}
	for _, m := range regexp.MustCompile("(?m)^\\| `((?:GET|POST|PATCH|PUT|DELETE) /api/admin/[^`]*)` \\| (\\w+) \\|$").FindAllStringSubmatch(string(doc), -1) {
		documented[m[1]] = m[2]
	}
	routes := (&Server{}).adminRoutes()
	if len(documented) != len(routes) {
		t.Errorf("docs/operations.md lists %d admin routes, the router has %d", len(documented), len(routes))
	}
	for _, rt := range routes {
		if got, ok := documented[rt.pattern]; !ok {
			t.Errorf("%s (%s) is missing from docs/operations.md", rt.pattern, rt.role)
		} else if got != string(rt.role) {
			t.Errorf("%s: docs/operations.md says %s, the router checks %s", rt.pattern, got, rt.role)
		}
	}
}
