// Package testenv finds what tests need from outside the repository and
// decides what happens when it is missing: a skip normally, a failure when
// REQUIRE_INTEGRATION=1 (as CI sets), so nothing is silently left untested.
package testenv

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Required reports whether missing services must fail tests instead of
// skipping them.
func Required() bool { return os.Getenv("REQUIRE_INTEGRATION") == "1" }

// Missing skips the test, or fails it when integration is required.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if Required() {
		t.Fatalf("REQUIRE_INTEGRATION=1 but "+format, args...)
	}
	t.Skipf(format, args...)
}

// RepoRoot returns the repository's root directory: found from this source
// file's path, or, when that path is not usable (a -trimpath build), by
// walking up from the working directory (a test runs in its package's
// directory) to the go.mod.
func RepoRoot() string {
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		root := filepath.Join(filepath.Dir(file), "..", "..")
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			return root
		}
	}
	dir, err := os.Getwd()
	if err != nil {
		return "."
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

// UpstreamData returns the old system's catalog directory
// (../shared/upstream-data beside the repository, or UPSTREAM_DATA_DIR).
func UpstreamData(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("UPSTREAM_DATA_DIR")
	if dir == "" {
		dir = filepath.Join(RepoRoot(), "..", "shared", "upstream-data")
	}
	if _, err := os.Stat(filepath.Join(dir, "skills.json")); err != nil {
		Missing(t, "upstream catalog not found at %s", dir)
	}
	return dir
}
