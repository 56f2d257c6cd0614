package vrrec_test

import (
	"encoding/json"
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
