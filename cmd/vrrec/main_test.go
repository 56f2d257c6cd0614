package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/config"
	"github.com/vrrec/vrrec/internal/testenv"
)

// runCLI runs the command in-process with DATA_DIR set to dataDir.
func runCLI(t *testing.T, dataDir string, args ...string) (string, error) {
	t.Helper()
	t.Setenv("DATA_DIR", dataDir)
	t.Setenv("EMBEDDER", "")
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, nil, &out, &errOut)
	return out.String(), err
}

func TestRecommendOnFreshMachine(t *testing.T) {
	dir := t.TempDir()
	out, err := runCLI(t, dir, "recommend", "I want to learn cybersecurity")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^ 1\. .+\d+%`).MatchString(out) {
		t.Errorf("no ranked list with match percentages:\n%s", out)
	}
	// The embedded catalog has no welding app: the list says so.
	if out, err := runCLI(t, dir, "recommend", "I want to learn welding"); err != nil || !strings.Contains(out, "Nothing in the catalog fits well") {
		t.Errorf("a weak list is not marked as such (%v):\n%s", err, out)
	}
	if out, err := runCLI(t, dir, "recommend", "public speaking"); err != nil || strings.Contains(out, "Nothing in the catalog fits") {
		t.Errorf("a clear match marked as nothing fitting (%v):\n%s", err, out)
	}

	out, err = runCLI(t, dir, "recommend", "I want to learn cybersecurity", "--json", "--top", "5")
	if err != nil {
		t.Fatal(err)
	}
	var res vrrec.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("--json output does not parse: %v\n%s", err, out)
	}
	cat, _ := catalog.Default()
	known := map[string]bool{}
	for _, a := range cat.Apps {
		known[a.AppID] = true
	}
	if len(res.Apps) < 3 || len(res.Apps) > 5 {
		t.Errorf("%d apps, want 3 to 5", len(res.Apps))
	}
	for _, a := range res.Apps {
		if !known[a.AppID] {
			t.Errorf("app %q is not in the catalog", a.AppID)
		}
	}

	out, err = runCLI(t, dir, "recommend", "--reply", "public speaking")
	if err != nil || !strings.Contains(out, "**Top Picks**") {
		t.Errorf("--reply: %v\n%s", err, out)
	}
}

func TestCommandErrors(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"recommend"},
		{"recommend", "x", "--top", "0"},
		{"import"},
		{"import", "--dir", filepath.Join(dir, "missing")},
		{"eval", "--split", "bogus"},
		{"eval", "--queries", filepath.Join(dir, "missing.json")},
		{"frobnicate"},
	} {
		if _, err := runCLI(t, dir, args...); err == nil {
			t.Errorf("vrrec %q succeeded", args)
		}
	}
	if out, err := runCLI(t, dir, "help"); err != nil || !strings.Contains(out, "vrrec recommend") {
		t.Errorf("help: %v\n%s", err, out)
	}
}

func TestImportUpstreamThenRecommendAndEval(t *testing.T) {
	upstream := testenv.UpstreamData(t)
	dir := t.TempDir()
	out, err := runCLI(t, dir, "import", "--dir", upstream)
	if err != nil {
		t.Fatal(err)
	}
	problem := regexp.MustCompile(`(?m)^  (app_skills|course_skills|vr_apps|skills|courses)\.json\[\d+\] .+ \[(dropped|fixed)\]$`)
	if n := len(problem.FindAllString(out, -1)); n < 24 {
		t.Errorf("%d bad rows reported by file and index, want dozens:\n%s", n, out)
	}
	if !strings.Contains(out, "rows dropped") || !strings.Contains(out, "Students still get version") {
		t.Errorf("no summary:\n%s", out)
	}
	// Apps known to be gone or not on a Quest are flagged on their rows and counted.
	if !regexp.MustCompile(`(?m)^  vr_apps\.json\[\d+\] \(AltspaceVR\): discontinued \(2023-03-10\): .+ \[flagged\]$`).MatchString(out) ||
		!strings.Contains(out, "17 apps flagged (kept, never recommended)") {
		t.Errorf("AltspaceVR not flagged, or the flagged apps not counted:\n%s", out)
	}
	// A draft: the database serves nothing yet.
	if db, err := openDB(context.Background(), config.Config{DataDir: dir}); err != nil {
		t.Fatal(err)
	} else if v, err := db.CatalogVersion(context.Background()); err != nil || v != "" {
		t.Errorf("the import published version %q, %v", v, err)
	} else {
		db.Close()
	}
	out, err = runCLI(t, dir, "catalog", "list")
	draft := regexp.MustCompile(`(?m)^([0-9a-f]{16})  draft `).FindStringSubmatch(out)
	if err != nil || draft == nil || !regexp.MustCompile(`(?m)^[0-9a-f]{16}  live +.+embedded default`).MatchString(out) {
		t.Fatalf("catalog list: %v\n%s", err, out)
	}
	out, err = runCLI(t, dir, "catalog", "diff", draft[1])
	if err != nil || !strings.Contains(out, "apps:") || !strings.Contains(out, "Quality on the labeled queries") {
		t.Errorf("catalog diff: %v\n%s", err, out)
	}
	// The old system's catalog answers the embedded catalog's labeled
	// queries worse: publishing needs a confirmation.
	if _, err := runCLI(t, dir, "catalog", "publish", draft[1]); err == nil || !strings.Contains(err.Error(), "--confirm-worse") {
		t.Errorf("publishing a worse draft without confirmation: %v", err)
	}
	if out, err := runCLI(t, dir, "catalog", "publish", draft[1], "--confirm-worse"); err != nil || !strings.Contains(out, "Published version "+draft[1]) {
		t.Fatalf("publish: %v\n%s", err, out)
	}
	out, err = runCLI(t, dir, "import", "--dir", upstream)
	if err != nil || !strings.Contains(out, "Nothing to publish") {
		t.Errorf("re-import: %v\n%s", err, out)
	}

	out, err = runCLI(t, dir, "recommend", "--json", "surgery training")
	if err != nil {
		t.Fatal(err)
	}
	var res vrrec.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	imported := loadStored(t, dir)
	known := map[string]bool{}
	for _, a := range imported.Apps {
		known[a.AppID] = true
	}
	if len(res.Apps) == 0 {
		t.Fatal("no apps for surgery training on the imported catalog")
	}
	for _, a := range res.Apps {
		if !known[a.AppID] {
			t.Errorf("app %q is not in the imported catalog", a.AppID)
		}
	}

	out, err = runCLI(t, dir, "eval", "--queries", filepath.Join(testenv.RepoRoot(), "eval", "upstream.json"))
	if err != nil || !strings.Contains(out, "nDCG@5") {
		t.Errorf("eval on the imported catalog: %v\n%s", err, out)
	}
	// The default query set does not fit the imported catalog: said clearly.
	if _, err := runCLI(t, dir, "eval", "--queries", filepath.Join(testenv.RepoRoot(), "eval", "default.json")); err == nil ||
		!strings.Contains(err.Error(), "not in the catalog") {
		t.Errorf("mismatched query set: %v", err)
	}
	// Roll back: the embedded catalog is live again.
	if out, err := runCLI(t, dir, "catalog", "rollback"); err != nil || !strings.Contains(out, "embedded default") {
		t.Fatalf("rollback: %v\n%s", err, out)
	}
	if def := testenv.DefaultCatalog(t); len(loadStored(t, dir).Apps) != len(def.Apps) {
		t.Error("after the rollback the database does not hold the embedded catalog")
	}
}

func TestSecretKeyRefusesWeakSecrets(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir := t.TempDir()
	if _, err := secretKey(config.Config{SecretKey: "x", DataDir: dir}, log); err == nil {
		t.Error("a one-character SECRET_KEY was accepted")
	}
	a, err := secretKey(config.Config{DataDir: dir}, log)
	if err != nil {
		t.Fatal(err)
	}
	b, err := secretKey(config.Config{DataDir: dir}, log)
	if err != nil || string(a) != string(b) {
		t.Error("the generated key must survive a restart")
	}
	if err := os.WriteFile(filepath.Join(dir, secretKeyFile), []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := secretKey(config.Config{DataDir: dir}, log); err == nil {
		t.Error("an empty key file was accepted")
	}
}

func TestExtractSkillsOfflineAndResume(t *testing.T) {
	dir := t.TempDir()
	out, err := runCLI(t, dir, "extract-skills", "--offline", "--import")
	if err != nil {
		t.Fatal(err)
	}
	def := testenv.DefaultCatalog(t)
	items := len(def.Courses) + len(def.Apps)
	draft := regexp.MustCompile(`Kept as draft ([0-9a-f]{16})`).FindStringSubmatch(out)
	if !regexp.MustCompile(fmt.Sprintf(`%d of %d items read; \d+ skills`, items, items)).MatchString(out) || draft == nil {
		t.Fatalf("output:\n%s", out)
	}
	if out, err := runCLI(t, dir, "catalog", "publish", draft[1], "--confirm-worse"); err != nil {
		t.Fatalf("publish the extraction: %v\n%s", err, out)
	}
	if imported := loadStored(t, dir); len(imported.AppSkills) == 0 || len(imported.CourseSkills) == 0 {
		t.Fatal("the imported catalog has no mappings")
	}
	state, _ := os.ReadFile(filepath.Join(dir, "extract-skills.jsonl"))
	if n := strings.Count(string(state), "\n"); n != items {
		t.Errorf("state holds %d items, want %d", n, items)
	}
	// A rerun reads nothing again: the state is unchanged.
	if _, err := runCLI(t, dir, "extract-skills", "--offline", "--catalog", filepath.Join(dir, "extracted")); err != nil {
		t.Fatal(err)
	}
	again, _ := os.ReadFile(filepath.Join(dir, "extract-skills.jsonl"))
	if len(again) != len(state) {
		t.Error("a rerun extracted finished items again")
	}
}

// loadStored reads the catalog imported into the database under dir.
func loadStored(t *testing.T, dir string) *vrrec.Catalog {
	t.Helper()
	db, err := openDB(context.Background(), config.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cat, _, err := db.LoadCatalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// hash-password reads no configuration and healthcheck only PORT: a
// broken environment, which stops serve, stops neither.
func TestCommandsReadOnlyTheConfigurationTheyUse(t *testing.T) {
	m, _, _ := startServe(t, nil)
	t.Setenv("PORT", strconv.Itoa(m.Addr().(*net.TCPAddr).Port))
	t.Setenv("LOG_LEVEL", "chatty")
	t.Setenv("RATE_LIMIT_DEFAULT", "lots")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"hash-password"}, strings.NewReader("a long enough password\n"), &out, io.Discard); err != nil ||
		!strings.HasPrefix(out.String(), "$argon2id$") {
		t.Errorf("hash-password with a broken environment: %v, printed %q", err, out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"healthcheck"}, nil, &out, io.Discard); err != nil || out.String() != "healthy\n" {
		t.Errorf("healthcheck with a broken environment: %v, printed %q", err, out.String())
	}
	err := run(context.Background(), []string{"serve"}, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "LOG_LEVEL") || !strings.Contains(err.Error(), "RATE_LIMIT_DEFAULT") {
		t.Errorf("serve with a broken environment: %v, want both bad variables named", err)
	}
	t.Setenv("PORT", "not-a-port")
	if err := run(context.Background(), []string{"healthcheck"}, nil, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "PORT") {
		t.Errorf("healthcheck with a bad PORT: %v", err)
	}
}

func TestHashPasswordAndProductionSecret(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := cmdHashPassword(strings.NewReader("a long enough password\n"), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "$argon2id$") {
		t.Errorf("hash-password printed %q", out.String())
	}
	if err := cmdHashPassword(strings.NewReader("short\n"), &out, &errOut); err == nil {
		t.Error("a short password was hashed")
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := secretKey(config.Config{DataDir: t.TempDir(), Env: "production"}, log); err == nil || !strings.Contains(err.Error(), "SECRET_KEY") {
		t.Errorf("production without SECRET_KEY: %v", err)
	}
}

// MODEL_DIR loads another sentence model in place of the built-in one; the
// catalog is then embedded with it (once, stored) and queries are answered.
func TestModelDir(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("MODEL_DIR", testenv.TinyBERT(t))
	out, err := runCLI(t, dir, "eval", "--queries", filepath.Join(testenv.RepoRoot(), "eval", "default.json"), "--split", "test")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "embedder bert:tiny-random-bert:f32:") {
		t.Errorf("eval did not run on the MODEL_DIR model:\n%s", out)
	}
	out, err = runCLI(t, dir, "recommend", "--json", "anatomy")
	if err != nil {
		t.Fatal(err)
	}
	var res vrrec.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Apps) == 0 {
		t.Errorf("recommend with MODEL_DIR: %v\n%s", err, out)
	}
	t.Setenv("MODEL_DIR", filepath.Join(dir, "nowhere"))
	if _, err := runCLI(t, dir, "recommend", "anatomy"); err == nil || !strings.Contains(err.Error(), "MODEL_DIR") {
		t.Errorf("a missing MODEL_DIR: %v, want an error naming it", err)
	}
}

// Importing files that leave no app changes nothing and says so.
func TestImportRefusesAnEmptyCatalog(t *testing.T) {
	src := t.TempDir()
	for _, f := range catalog.Files {
		if err := os.WriteFile(filepath.Join(src, f), []byte("[]"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	if _, err := runCLI(t, dir, "import", "--dir", src); err == nil || !strings.Contains(err.Error(), "no app survived") {
		t.Fatalf("empty import: %v", err)
	}
	out, err := runCLI(t, dir, "recommend", "--json", "anatomy")
	if err != nil || !strings.Contains(out, "3d-organon-vr-anatomy") {
		t.Errorf("after a refused import the embedded catalog still answers: %v\n%s", err, out)
	}
}
