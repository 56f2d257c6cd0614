package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vrrec/vrrec/config"
	"github.com/vrrec/vrrec/internal/testenv"
)

// runCLIOut runs the command in-process on dataDir and returns what it
// wrote on stdout and on stderr.
func runCLIOut(t *testing.T, dataDir string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	t.Setenv("DATA_DIR", dataDir)
	t.Setenv("EMBEDDER", "")
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, nil, &out, &errOut)
	return out.String(), errOut.String(), err
}

// Durations in the log read as people write them.
func TestLogWritesDurationsAsText(t *testing.T) {
	var logs testenv.LogBuffer
	serviceLogger(&logs, slog.LevelInfo).Info("shutting down", slog.Duration("grace", 30e9))
	if !strings.Contains(logs.String(), `"grace":"30s"`) {
		t.Errorf("a duration logged as %s", logs.String())
	}
	var text bytes.Buffer
	slog.New(slog.NewTextHandler(&text, logOptions(slog.LevelInfo))).Info("x", slog.Duration("took", 1500e6))
	if !strings.Contains(text.String(), "took=1.5s") {
		t.Errorf("a duration logged as %s", text.String())
	}
}

// A catalog directory that is not there, or lacks a file, is named.
func TestCatalogDirectoryErrorsNameIt(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing")
	for _, args := range [][]string{{"recommend", "--catalog", missing, "python"}, {"import", "--dir", missing}} {
		_, _, err := runCLIOut(t, dir, args...)
		if err == nil || !strings.Contains(err.Error(), "catalog directory "+missing+": no such directory") {
			t.Errorf("vrrec %s: %v, want the directory named", strings.Join(args, " "), err)
		}
	}
	half := t.TempDir()
	os.WriteFile(filepath.Join(half, "courses.json"), []byte("[]"), 0o644)
	_, _, err := runCLIOut(t, dir, "recommend", "--catalog", half, "python")
	if err == nil || !strings.Contains(err.Error(), "catalog directory "+half+": ") || !strings.Contains(err.Error(), ".json is missing") ||
		strings.Contains(err.Error(), "open ") || strings.Contains(err.Error(), "vrrec ") {
		t.Errorf("a directory without the files: %v", err)
	}
}

// build-graph needs no secret: it neither warns about SECRET_KEY nor
// writes a key file.
func TestBuildGraphMakesNoSecret(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SECRET_KEY", "")
	t.Setenv("GRAPH_BACKEND", "memory")
	out, stderr, err := runCLIOut(t, dir, "build-graph")
	if err != nil || !strings.Contains(out, "Nodes:") {
		t.Fatalf("build-graph: %v\n%s", err, out)
	}
	if strings.Contains(stderr, "SECRET_KEY") {
		t.Errorf("build-graph warned about SECRET_KEY:\n%s", stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, secretKeyFile)); err == nil {
		t.Error("build-graph wrote a secret key file")
	}
}

// A bad METRICS_ADDR stops the start naming the setting, and no warning
// that is not true (the database is fine) comes before it.
func TestBadMetricsAddrIsNamedAlone(t *testing.T) {
	t.Setenv("DATA_DIR", t.TempDir())
	t.Setenv("METRICS_ADDR", "bad")
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Port = 0
	var logs testenv.LogBuffer
	m := NewMain(cfg, serviceLogger(&logs, cfg.LogLevel))
	err = m.Run(context.Background())
	m.Close()
	if err == nil || !strings.Contains(err.Error(), `METRICS_ADDR "bad"`) {
		t.Errorf("a bad METRICS_ADDR: %v", err)
	}
	if strings.Contains(logs.String(), "retention not checked") {
		t.Errorf("an untrue warning before the error:\n%s", logs.String())
	}
}

// import --publish refused by the quality gate still prints the import
// report, then fails saying how to confirm.
func TestImportPublishRefusedPrintsTheReport(t *testing.T) {
	dir := t.TempDir()
	src, _ := renamedCatalog(t, 0)
	// Without the apps' skills the draft finds less: it scores worse.
	if err := os.WriteFile(filepath.Join(src, "app_skills.json"), []byte("[]"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLIOut(t, dir, "import", "--dir", src, "--publish")
	if err == nil || !strings.Contains(err.Error(), "the draft is kept but not published") || !strings.Contains(err.Error(), "--confirm-") {
		t.Fatalf("import --publish of a draft the gate refuses: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Importing "+src) || !strings.Contains(out, "vr_apps.json") || !strings.Contains(out, "Students still get version") {
		t.Errorf("no import report before the refusal:\n%s", out)
	}
}
