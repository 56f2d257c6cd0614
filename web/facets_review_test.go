package web_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
)

// An upload that changes an app's facets, one of them to a value the
// catalog does not know, reports the bad one on its row and keeps the
// draft; the draft's review names each facet that changed.
func TestUploadedFacetsInTheDraftReview(t *testing.T) {
	e := newDataEnv(t)
	apps := e.current().Apps
	rows := make([]map[string]any, len(apps))
	for i, a := range apps {
		b, _ := json.Marshal(a)
		json.Unmarshal(b, &rows[i])
	}
	facets := rows[0]["facets"].(map[string]any)
	facets["comfort"] = "moderate"
	facets["hand_tracking"] = "maybe"
	facets["players"].(map[string]any)["max"] = 3
	upload, _ := json.Marshal(rows)
	res := e.upload(t, map[string]string{"vr_apps.json": string(upload)})
	var body struct {
		Report catalog.Report `json:"report"`
	}
	json.Unmarshal(res.body, &body)
	reported := slices.ContainsFunc(body.Report.Problems, func(p catalog.Problem) bool {
		return p.File == "vr_apps.json" && p.Index == 0 && p.ID == apps[0].AppID && p.Action == catalog.Fixed &&
			strings.HasPrefix(p.Reason, `facets.hand_tracking: "maybe" is not yes, no or unknown`)
	})
	if !reported {
		t.Errorf("the bad facet is not reported on its row: %+v", body.Report.Problems)
	}
	if job := e.wait(t, jobID(t, res)); job.State != vrrec.JobCompleted {
		t.Fatalf("upload: %+v", job)
	}
	var list struct {
		Versions []catalog.Entry `json:"versions"`
	}
	json.Unmarshal(do(t, e.client, "GET", e.base+"/api/admin/data/versions", "", "", nil).body, &list)
	if len(list.Versions) == 0 || list.Versions[0].State != catalog.StateDraft {
		t.Fatalf("no draft: %+v", list.Versions)
	}
	var detail struct {
		Diff catalog.Diff `json:"diff"`
	}
	res = do(t, e.client, "GET", e.base+"/api/admin/data/versions/"+list.Versions[0].Version, "", "", nil)
	if err := json.Unmarshal(res.body, &detail); err != nil {
		t.Fatal(err)
	}
	want := []catalog.Changed{{Key: apps[0].AppID, Fields: []string{"facets.comfort", "facets.hand_tracking", "facets.players.max"}}}
	if apps[0].Facets.HandTracking == vrrec.Unknown { // the bad value leaves an unknown facet unknown
		want[0].Fields = []string{"facets.comfort", "facets.players.max"}
	}
	if got := detail.Diff.Apps.Changed; len(got) != 1 || strings.Join(got[0].Fields, ",") != strings.Join(want[0].Fields, ",") || got[0].Key != want[0].Key {
		t.Errorf("draft review: %+v, want %+v", got, want)
	}
}
