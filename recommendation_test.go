package vrrec_test

import (
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/vrrec/vrrec"
)

// An app shown without matched skills or a retrieval source (an app the
// answer described, or one stored before) reads as docs/openapi.yaml
// says: matched_skills [], no empty retrieval_source.
func TestAppRecommendationJSON(t *testing.T) {
	b, err := json.Marshal([]vrrec.AppRecommendation{{AppID: "beat-saber", Name: "Beat Saber"}})
	if err != nil {
		t.Fatal(err)
	}
	if s := string(b); !strings.Contains(s, `"matched_skills":[]`) || strings.Contains(s, "retrieval_source") {
		t.Errorf("JSON: %s", s)
	}
	b, _ = json.Marshal(&vrrec.AppRecommendation{MatchedSkills: []string{"Rhythm"}, RetrievalSource: vrrec.SourceAppNameMatch})
	if s := string(b); !strings.Contains(s, `"matched_skills":["Rhythm"]`) || !strings.Contains(s, `"retrieval_source":"app_name_match"`) {
		t.Errorf("JSON: %s", s)
	}
}

// README's row for vrrec recommend --json lists every field of the result
// it prints, marking with ? those left out when empty.
func TestREADMEListsRecommendJSON(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("`--json` prints the engine's whole result, `\\{([^}]*)\\}`").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README's recommend row no longer lists the --json fields")
	}
	listed := map[string]bool{}
	for _, f := range strings.Split(string(m[1]), ", ") {
		listed[f] = true
	}
	typ := reflect.TypeFor[vrrec.Result]()
	for i := range typ.NumField() {
		name, opts, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if name == "-" || name == "" {
			continue
		}
		if typ.Field(i).Type.Kind() == reflect.Slice && !strings.Contains(opts, "omit") {
			name += "[]"
		}
		if strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero") {
			name += "?"
		}
		if !listed[name] {
			t.Errorf("README does not list %s among recommend --json's fields", name)
		}
		delete(listed, name)
	}
	for f := range listed {
		t.Errorf("README lists %s, which recommend --json does not print", f)
	}
}
