package lang_test

import (
	"slices"
	"testing"

	"github.com/vrrec/vrrec/lang"
)

func TestCognates(t *testing.T) {
	for word, want := range map[string]string{
		"experimentos": "experiments", "virtuais": "virtual", "biología": "biology", "geografía": "geography",
		"química": "chemical", "matemáticas": "mathematics", "simulación": "simulation", "creatividad": "creativity",
		"psicología": "psychology", "université": "university", "nerveux": "nervous", "interactivo": "interactive",
		"artista": "artist", "planète": "planet", "música": "music", "anatomie": "anatomy",
	} {
		if got := lang.Cognates(word); !slices.Contains(got, want) {
			t.Errorf("Cognates(%q) = %q, lacks %q", word, got, want)
		}
	}
	for _, short := range []string{"sala", "mesa", "arte", "123abc"} {
		if got := lang.Cognates(short); got != nil {
			t.Errorf("Cognates(%q) = %q, want none", short, got)
		}
	}
}

// Words the tables do not know are read as the English cognates the caller
// knows; those it does not know stay unknown, and Understood counts both.
func TestResolve(t *testing.T) {
	known := map[string]bool{"experiments": true, "virtual": true, "physics": true}
	r := lang.Read("Sou estudante de física e quero fazer experimentos virtuais")
	if len(r.Unknown) == 0 {
		t.Fatalf("the test needs words the table lacks: %+v", r)
	}
	got := r.Resolve(func(w string) bool { return known[w] })
	if got.English != "I study physics and I want do experiments virtual" || len(got.Unknown) != 0 || got.Understood != 1 {
		t.Errorf("resolved %+v", got)
	}
	none := r.Resolve(func(string) bool { return false })
	if none.English != r.English || !slices.Equal(none.Unknown, r.Unknown) || none.Understood != r.Understood {
		t.Errorf("nothing known changed the reading: %+v, was %+v", none, r)
	}
	if en := lang.Read("I want to learn anatomy"); en.Resolve(func(string) bool { return true }).English != "I want to learn anatomy" {
		t.Error("an English message changed")
	}
}
