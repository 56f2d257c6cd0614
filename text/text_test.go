package text

import (
	"reflect"
	"testing"
)

func TestStem(t *testing.T) {
	same := [][]string{
		{"programming", "program", "programs"},
		{"visualization", "visualize", "visualizing", "visualisation"},
		{"studies", "study"},
		{"negotiation", "negotiate", "negotiating"},
		{"meetings", "meeting"},
		{"code", "coding", "coded"},
		{"planned", "planning", "plan"},
	}
	for _, group := range same {
		for _, w := range group[1:] {
			if Stem(w) != Stem(group[0]) {
				t.Errorf("Stem(%q) = %q, Stem(%q) = %q; want equal", w, Stem(w), group[0], Stem(group[0]))
			}
		}
	}
	different := [][2]string{{"fitness", "fit"}, {"organization", "organ"}, {"ux", "us"}, {"3d", "3"}}
	for _, p := range different {
		if Stem(p[0]) == Stem(p[1]) {
			t.Errorf("stem merges %q and %q into %q", p[0], p[1], Stem(p[0]))
		}
	}
}

func TestTokensAndWords(t *testing.T) {
	got := Tokens("SafeFire VR: C++ and Node.js, VRChat.")
	want := []string{"safe", "fire", "vr", "", "cplusplus", "and", "nodejs", "", "vr", "chat", ""}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tokens = %q, want %q", got, want)
	}
	if w := Words("Hand-Eye Coordination"); !reflect.DeepEqual(w, []string{"hand", "eye", "coordination"}) {
		t.Errorf("Words = %q", w)
	}
}

func TestEditDistance(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"python", "python", 0}, {"pyhton", "python", 1}, {"pythn", "python", 1},
		{"cybersecurty", "cybersecurity", 1}, {"astronmy", "astronomy", 1}, {"abc", "xyz", 3}, // beyond the limit: limit+1
	}
	for _, c := range cases {
		if got := EditDistance(c.a, c.b, 2); got != c.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestSpellerSuggestsKnownWords(t *testing.T) {
	s := NewSpeller(map[string]int{"python": 5, "astronomy": 2, "anatomy": 3, "pythons": 1}, nil)
	for in, want := range map[string]string{"pyhton": "python", "astronmy": "astronomy", "anatomyy": "anatomy"} {
		if got, ok := s.Suggest(in); !ok || got != want {
			t.Errorf("suggest(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if got, ok := s.Suggest("galaxies"); ok {
		t.Errorf("suggest(galaxies) = %q; no known word is close", got)
	}
}

func TestSpellerNeverSuggestsBeyondTheLimit(t *testing.T) {
	s := NewSpeller(map[string]int{"teams": 3}, nil)
	if got, ok := s.Suggest("exams"); ok {
		t.Errorf("suggest(exams) = %q; two edits away from a short word is too far", got)
	}
}

func TestStemBritishSpellings(t *testing.T) {
	for _, g := range [][]string{{"exercise", "exercising", "exercised"}, {"visualise", "visualising", "visualize"}} {
		for _, w := range g[1:] {
			if Stem(w) != Stem(g[0]) {
				t.Errorf("Stem(%q) = %q, Stem(%q) = %q", w, Stem(w), g[0], Stem(g[0]))
			}
		}
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0 apps", 1: "1 app", 2: "2 apps"} {
		if got := Count(n, "app", "apps"); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}
