package vrrec_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The speed figures README quotes come from the latest run of
// scripts/bench.sh, which writes its figures into a section of
// docs/benchmarks.md: a figure quoted without a run behind it, or left
// behind by a newer run, fails here.
func TestREADMEFiguresComeFromBench(t *testing.T) {
	doc, err := os.ReadFile("docs/benchmarks.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)<!-- scripts/bench.sh writes this section: begin -->(.*)<!-- scripts/bench.sh writes this section: end -->`).FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/benchmarks.md has no section written by scripts/bench.sh")
	}
	section := string(m[1])
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := strings.Join(strings.Fields(string(raw)), " ") // a figure may wrap across lines
	for _, f := range []struct{ name, inRun, inREADME string }{
		{"cold start", `serve to ready: ([0-9.]+) s wall`, "cold start to ready %s s"},
		{"binary size", `binary: ([0-9.]+) MB`, "%s MB binary"},
		{"offline load", `offline-64: ([0-9.]+) answers/s`, "distinct questions with no LLM: %s answers/s"},
		{"repeated question", `offline-64-repeated: ([0-9.]+) answers/s`, "one repeated question: %s answers/s"},
		{"1 s LLM load", `vrrec: ([0-9.]+) answers/s`, "256 against a 1 s LLM: %s answers/s"},
		{"time to first card", `stream-64: [0-9.]+ answers/s, first answer p50 [0-9]+ ms, p99 ([0-9]+) ms`, "first card at p99 %s ms"},
	} {
		got := regexp.MustCompile(f.inRun).FindStringSubmatch(section)
		if got == nil {
			t.Errorf("%s: the bench.sh section has no %q", f.name, f.inRun)
			continue
		}
		if want := strings.Replace(f.inREADME, "%s", got[1], 1); !strings.Contains(readme, want) {
			t.Errorf("%s: README does not quote %q from the latest bench.sh run", f.name, want)
		}
	}
}
