package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/internal/testenv"
)

// renamedCatalog writes the embedded catalog in the upstream format to a
// new directory, with the apps at idx renamed: a catalog a little different
// from the one served. It returns the directory and the version it makes.
func renamedCatalog(t *testing.T, idx ...int) (dir, version string) {
	t.Helper()
	dir = t.TempDir()
	def := filepath.Join(testenv.RepoRoot(), "catalog", "default")
	for _, f := range catalog.Files {
		b, err := os.ReadFile(filepath.Join(def, f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "vr_apps.json" {
			var apps []map[string]any
			if err := json.Unmarshal(b, &apps); err != nil {
				t.Fatal(err)
			}
			for _, i := range idx {
				apps[i]["name"] = apps[i]["name"].(string) + " (renamed)"
			}
			b, _ = json.Marshal(apps)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cat, _, err := readCatalogDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, catalog.Version(cat)
}

// cliCommands lists every command and subcommand the usage texts name.
func cliCommands() []string {
	var out []string
	for _, m := range regexp.MustCompile(`(?m)^  vrrec ([a-z-]+)`).FindAllStringSubmatch(usage, -1) {
		out = append(out, m[1])
	}
	for _, u := range []string{catalogUsage, staffUsage, studentUsage} {
		for _, m := range regexp.MustCompile(`(?m)^  vrrec ([a-z-]+ [a-z-]+)`).FindAllStringSubmatch(u, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

// Every command that changes something records exactly one entry per
// change in the audit trail, naming who ran it (cli: and the operating
// system user), when and what; commands that only read record nothing.
// A command the usage names that this test does not run fails it.
func TestAuditContractCLI(t *testing.T) {
	dir := t.TempDir()
	a, va := renamedCatalog(t, 0)
	b, vb := renamedCatalog(t, 1)
	c, _ := renamedCatalog(t, 2)
	steps := []struct {
		args    []string
		stdin   string
		actions []string // newest last; none for a command that only reads
	}{
		{[]string{"staff", "add", "ada@uni.example", "--role", "editor"}, "a long enough password\n", []string{"add_staff"}},
		{[]string{"staff", "role", "ada@uni.example", "admin"}, "", []string{"set_staff_role"}},
		{[]string{"staff", "add", "bob@uni.example", "--sso"}, "", []string{"add_staff"}},
		{[]string{"staff", "disable", "bob@uni.example"}, "", []string{"disable_staff"}},
		{[]string{"staff", "disable", "bob@uni.example", "--enable"}, "", []string{"enable_staff"}},
		{[]string{"staff", "reset-password", "ada@uni.example"}, "another long password\n", []string{"reset_staff_password"}},
		{[]string{"staff", "list"}, "", nil},
		{[]string{"import", "--dir", a}, "", []string{"start_job"}},
		{[]string{"catalog", "list"}, "", nil},
		{[]string{"catalog", "diff", va}, "", nil},
		{[]string{"catalog", "publish", va, "--confirm-worse", "--confirm-unknown"}, "", []string{"publish_catalog"}},
		{[]string{"catalog", "rollback"}, "", []string{"publish_catalog"}},
		{[]string{"import", "--dir", b}, "", []string{"start_job"}},
		{[]string{"catalog", "discard", vb}, "", []string{"discard_catalog_draft"}},
		{[]string{"import", "--dir", c, "--publish", "--confirm-worse", "--confirm-unknown"}, "", []string{"start_job", "publish_catalog"}},
		{[]string{"extract-skills", "--offline", "--import"}, "", []string{"start_job"}},
		{[]string{"build-graph"}, "", nil}, // GRAPH_BACKEND=memory: statistics only
		{[]string{"recommend", "anatomy"}, "", nil},
		{[]string{"student", "export", "student-1"}, "", []string{"export_student"}},
		{[]string{"student", "forget", "student-1"}, "", []string{"forget_student"}},
	}
	// Not run here: they change nothing a person could be accountable for
	// (eval, healthcheck and hash-password only read or print; serve's
	// routes are TestAuditContractAPI's).
	notRun := []string{"serve", "healthcheck", "hash-password", "eval", "catalog", "staff", "student"}
	ran := map[string]bool{}
	for _, s := range steps {
		ran[s.args[0]] = true
		if len(s.args) > 1 {
			ran[s.args[0]+" "+s.args[1]] = true
		}
	}
	for _, cmd := range cliCommands() {
		if !ran[cmd] && !slices.Contains(notRun, cmd) {
			t.Errorf("vrrec %s is not covered by the audit contract: add it to the steps", cmd)
		}
	}

	t.Setenv("GRAPH_BACKEND", "memory")
	seen := len(auditTrail(t, dir))
	for _, s := range steps {
		start := time.Now()
		out, err := runCLIWithInput(t, dir, s.stdin, s.args...)
		if err != nil {
			t.Fatalf("vrrec %s: %v\n%s", strings.Join(s.args, " "), err, out)
		}
		entries := auditTrail(t, dir) // newest first
		added := entries[:len(entries)-seen]
		seen = len(entries)
		if len(added) != len(s.actions) {
			t.Errorf("vrrec %s: %d audit entries %+v, want %v", strings.Join(s.args, " "), len(added), added, s.actions)
			continue
		}
		for i, action := range s.actions {
			checkCLIEntry(t, added[len(added)-1-i], start, action, "vrrec "+s.args[0])
		}
	}
}
