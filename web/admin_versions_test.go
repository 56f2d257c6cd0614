package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	quality "github.com/vrrec/vrrec/eval"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/web"
)

// Staff review a draft (its diff and quality), must confirm publishing one
// that scores worse, and can roll back; students see only published
// versions.
func TestCatalogVersionsReviewPublishRollBack(t *testing.T) {
	sets, err := quality.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	e := newDataEnv(t, func(_ *web.Config, e *dataEnv) {
		e.data.Engine = func(_ context.Context, cat *vrrec.Catalog, _ func(done, total int)) (vrrec.Recommender, error) {
			return testenv.Engine(t, cat), nil
		}
		e.data.Sets = func(context.Context) (map[string]*quality.Set, error) {
			return map[string]*quality.Set{"default": {Queries: sets["default"].Queries[:30]}}, nil
		}
	})
	def := e.current()
	half, err := json.Marshal(def.Apps[:len(def.Apps)/2])
	if err != nil {
		t.Fatal(err)
	}
	if job := e.wait(t, jobID(t, e.upload(t, map[string]string{"vr_apps.json": string(half)}))); job.State != vrrec.JobCompleted {
		t.Fatalf("upload: %+v", job)
	}

	var list struct {
		Live     string          `json:"live"`
		Versions []catalog.Entry `json:"versions"`
	}
	res := do(t, e.client, "GET", e.base+"/api/admin/data/versions", "", "", nil)
	if err := json.Unmarshal(res.body, &list); err != nil || len(list.Versions) != 2 || list.Live != catalog.Version(def) ||
		list.Versions[0].State != catalog.StateDraft || list.Versions[1].State != catalog.StateLive {
		t.Fatalf("versions: %d %s", res.status, res.body)
	}
	draft := list.Versions[0].Version
	var detail struct {
		Version catalog.Entry `json:"version"`
		Diff    catalog.Diff  `json:"diff"`
	}
	res = do(t, e.client, "GET", e.base+"/api/admin/data/versions/"+draft, "", "", nil)
	if err := json.Unmarshal(res.body, &detail); err != nil || len(detail.Diff.Apps.Removed) != len(def.Apps)-len(def.Apps)/2 {
		t.Fatalf("draft detail: %d %s", res.status, res.body)
	}
	var q quality.Quality
	if err := json.Unmarshal(detail.Version.Quality, &q); err != nil || !q.Worsened || len(q.Sets) != 1 || q.Sets[0].Worse == 0 {
		t.Errorf("quality of a draft missing half the apps: %s, %v", detail.Version.Quality, err)
	}

	// Worse: publishing needs a confirmation.
	res = do(t, e.client, "POST", e.base+"/api/admin/data/versions/"+draft+"/publish", "application/json", `{}`, nil)
	if res.status != http.StatusBadRequest || !strings.Contains(string(res.body), "confirm") {
		t.Fatalf("publishing a worse draft unconfirmed: %d %s", res.status, res.body)
	}
	if len(e.current().Apps) != len(def.Apps) {
		t.Fatal("students lost apps before anything was published")
	}
	e.publishNewest(t) // confirms
	if got := len(e.current().Apps); got != len(def.Apps)/2 {
		t.Fatalf("after publishing students get %d apps, want %d", got, len(def.Apps)/2)
	}
	audit, _ := e.db.AuditEntries(context.Background(), vrrec.AuditFilter{Limit: 10})
	confirmed := false
	for _, a := range audit {
		confirmed = confirmed || (a.Action == "publish_catalog" && strings.Contains(a.Detail, "confirmed although it scores worse"))
	}
	if !confirmed {
		t.Errorf("the audit trail does not record the confirmed worse publication: %+v", audit)
	}

	// Roll back to the embedded catalog.
	job := e.wait(t, jobID(t, do(t, e.client, "POST", e.base+"/api/admin/data/versions/"+catalog.Version(def)+"/publish", "", "", nil)))
	if job.State != vrrec.JobCompleted || job.Params["rollback"] != "true" || len(e.current().Apps) != len(def.Apps) {
		t.Fatalf("rollback: %+v; %d apps served", job, len(e.current().Apps))
	}

	for _, c := range []struct {
		method, path string
		status       int
	}{
		{"DELETE", "/api/admin/data/versions/" + catalog.Version(def), http.StatusBadRequest}, // live
		{"DELETE", "/api/admin/data/versions/" + draft, http.StatusBadRequest},                // published once
		{"GET", "/api/admin/data/versions/0123456789abcdef", http.StatusNotFound},
		{"POST", "/api/admin/data/versions/0123456789abcdef/publish", http.StatusNotFound},
		{"GET", "/api/admin/data/versions/..%2Fetc", http.StatusBadRequest},
		{"POST", "/api/admin/data/versions/" + draft + "/publish", http.StatusBadRequest}, // body not JSON
	} {
		body, ctype := "", ""
		if c.method == "POST" && strings.HasSuffix(c.path, draft+"/publish") {
			body, ctype = "confirm", "text/plain"
		}
		if res := do(t, e.client, c.method, e.base+c.path, ctype, body, nil); res.status != c.status {
			t.Errorf("%s %s: %d %s, want %d", c.method, c.path, res.status, res.body, c.status)
		}
	}
}
