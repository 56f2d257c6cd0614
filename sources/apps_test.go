package sources_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/internal/fakeopenai"
	"github.com/vrrec/vrrec/internal/fakeweb"
	"github.com/vrrec/vrrec/sources"
	"github.com/vrrec/vrrec/tavily"
)

// chemistryResults are what a search for chemistry apps finds.
var chemistryResults = []fakeweb.Result{
	{Title: "Nanome on Meta Quest | Quest VR Games", URL: "https://www.meta.com/experiences/nanome/",
		Content: "Nanome is a collaborative molecular design platform. Build, edit and study molecules with colleagues in VR. Free. Platform: Meta Quest 3, Meta Quest Pro.", Score: 0.93},
	{Title: "MEL Chemistry VR Lessons", URL: "https://melscience.com/vr",
		Content: "MEL Chemistry VR lessons let students see atoms and molecules up close. Available on Oculus Quest. $4.99 per month.", Score: 0.81},
	{Title: "The 10 best science apps for SteamVR", URL: "https://example.com/steamvr-science",
		Content: "Molecule Lab is a chemistry sandbox for SteamVR headsets such as the Valve Index.", Score: 0.4},
}

// chemistryModel answers like a model reading chemistryResults: two good
// records, and the kinds a model gets wrong.
const chemistryModel = `{"apps": [
	{"result": 1, "name": "Nanome", "category": "Education", "description": "Nanome is a collaborative molecular design platform.", "price": "Free", "platform": "Meta Quest 3"},
	{"result": 2, "name": "MEL Chemistry VR Lessons", "category": "science", "description": "Award-winning lessons loved by teachers.", "price": "$9.99", "platform": ""},
	{"result": 3, "name": "Molecule Lab", "category": "education", "description": "Molecule Lab is a chemistry sandbox", "price": "", "platform": "SteamVR"},
	{"result": 1, "name": "ChemCraft VR", "category": "education", "description": "", "price": "", "platform": "Meta Quest"},
	{"result": 2, "name": "VR Education", "category": "education"},
	{"result": 9, "name": "Nanome"}
]}`

func appSearch(t *testing.T, search *fakeweb.Tavily, reply func(int, fakeopenai.Request) fakeopenai.Answer, topics ...string) (*sources.AppSearch, *fakeopenai.Server) {
	chat, f := model(t, reply)
	src, err := sources.NewAppSearch(topics, &tavily.Client{BaseURL: search.URL, APIKey: fakeweb.TavilyKey}, chat)
	if err != nil {
		t.Fatal(err)
	}
	return src, f
}

func fetchApps(t *testing.T, src sources.Source, base *vrrec.Catalog) ([]vrrec.VRApp, *report, error) {
	t.Helper()
	rep := &report{}
	files, err := src.Fetch(t.Context(), base, rep)
	if err != nil {
		return nil, rep, err
	}
	var apps []vrrec.VRApp
	if err := json.Unmarshal(files[catalog.AppsFile], &apps); err != nil || len(files) != 1 {
		t.Fatalf("files %v: %v", files, err)
	}
	return apps, rep, nil
}

// A search becomes app records holding only what the results say; records
// the results do not support, apps not on Quest and apps the catalog has
// are left out.
func TestAppSearchReadsResults(t *testing.T) {
	search := fakeweb.StartTavily(func(n int, q string) fakeweb.Results {
		if q == "Meta Quest VR app for chemistry" {
			return fakeweb.Results{Results: chemistryResults}
		}
		return fakeweb.Results{}
	})
	defer search.Close()
	src, f := appSearch(t, search, func(n int, req fakeopenai.Request) fakeopenai.Answer {
		if strings.Contains(req.User(), `"topic":"chemistry"`) {
			return fakeopenai.Answer{Content: chemistryModel}
		}
		return fakeopenai.Answer{Content: `{"apps": []}`}
	}, "chemistry", "pottery")
	base := &vrrec.Catalog{Apps: []vrrec.VRApp{{AppID: "mel-chemistry-vr-lessons", Name: "MEL  chemistry VR lessons", Category: "education"}}}
	got, rep, err := fetchApps(t, src, base)
	if err != nil {
		t.Fatal(err)
	}
	want := []vrrec.VRApp{base.Apps[0],
		{AppID: "nanome", Name: "Nanome", Category: "education", Description: "Nanome is a collaborative molecular design platform.", Price: vrrec.Price{Kind: vrrec.PriceFree}, Status: vrrec.StatusAvailable, Platform: vrrec.PlatformQuest, Features: []string{}, SkillsDeveloped: []string{}}}
	b, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(b) != string(w) {
		t.Errorf("apps:\n%s\nwant:\n%s", b, w)
	}
	if q := search.Queries(); strings.Join(q, "|") != "Meta Quest VR app for chemistry|Meta Quest VR app for pottery" {
		t.Errorf("queries: %q", q)
	}
	if f.Calls() != 1 {
		t.Errorf("model calls: %d (the empty search needs none)", f.Calls())
	}
	log := rep.String()
	for _, line := range []string{`"chemistry": 3 results, 1 new apps, 1 already in the catalog, 4 records dropped`,
		`"Molecule Lab": https://example.com/steamvr-science does not say it runs on Meta Quest`,
		`"ChemCraft VR": https://www.meta.com/experiences/nanome/ does not name it`,
		`"VR Education" from https://melscience.com/vr: not an app's name`, `"Nanome": names no search result`,
		`"pottery": the search found nothing`} {
		if !strings.Contains(log, line) {
			t.Errorf("log lacks %q:\n%s", line, log)
		}
	}
}

// Search and model failures, and a search that finds nothing new, end the
// fetch with a message and no rows.
func TestAppSearchFailures(t *testing.T) {
	good := func(int, fakeopenai.Request) fakeopenai.Answer { return fakeopenai.Answer{Content: chemistryModel} }
	for _, tc := range []struct {
		name   string
		search fakeweb.Results
		model  func(int, fakeopenai.Request) fakeopenai.Answer
		want   string
	}{
		{"rate limit", fakeweb.Results{Reply: fakeweb.Reply{Status: 429, Header: http.Header{"Retry-After": {"20"}}}}, good, "start the job again in 20s"},
		{"garbage", fakeweb.Results{Reply: fakeweb.Reply{Raw: "<!doctype html>"}}, good, "not its JSON"},
		{"model garbage", fakeweb.Results{Results: chemistryResults}, func(int, fakeopenai.Request) fakeopenai.Answer { return fakeopenai.Answer{Content: "Sure! Nanome."} },
			`"chemistry": the model answered no JSON; nothing was changed`},
		{"model down", fakeweb.Results{Results: chemistryResults}, func(int, fakeopenai.Request) fakeopenai.Answer { return fakeopenai.Answer{Status: 401} },
			"the LLM did not read the search results"},
		{"nothing new", fakeweb.Results{Results: chemistryResults[2:]}, good, "found no new Meta Quest app for chemistry; nothing was changed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			search := fakeweb.StartTavily(func(int, string) fakeweb.Results { return tc.search })
			defer search.Close()
			src, _ := appSearch(t, search, tc.model, "chemistry")
			if apps, _, err := fetchApps(t, src, &vrrec.Catalog{}); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("apps %v, error %v; want %q", apps, err, tc.want)
			}
		})
	}
	for _, missing := range []struct {
		topics []string
		search sources.Searcher
		model  sources.Completer
		want   string
	}{
		{nil, &tavily.Client{}, fakeChat(t), "APP_SEARCH_TOPICS"},
		{[]string{"chemistry"}, nil, fakeChat(t), "TAVILY_API_KEY"},
		{[]string{"chemistry"}, &tavily.Client{}, nil, "OPENROUTER_API_KEY"},
	} {
		if _, err := sources.NewAppSearch(missing.topics, missing.search, missing.model); vrrec.ErrorCode(err) != vrrec.EINVALID || !strings.Contains(err.Error(), missing.want) {
			t.Errorf("without %s: %v", missing.want, err)
		}
	}
}

func fakeChat(t *testing.T) sources.Completer {
	chat, _ := model(t, func(int, fakeopenai.Request) fakeopenai.Answer { return fakeopenai.Answer{} })
	return chat
}

// A facet the result states is kept; one it does not state, or states
// otherwise than the model read it, stays unknown, and the log says why.
func TestAppSearchKeepsOnlyStatedFacets(t *testing.T) {
	search := fakeweb.StartTavily(func(int, string) fakeweb.Results {
		return fakeweb.Results{Results: []fakeweb.Result{{Title: "Walkabout Mini Golf on Meta Quest", URL: "https://www.meta.com/experiences/walkabout/",
			Content: "Walkabout Mini Golf: play mini golf online with up to 8 friends, or alone. Comfort rating: Comfortable. Supported play area: Sitting, Standing. Languages: English, German. $14.99. Meta Quest 3.",
			Score:   0.9}}}
	})
	defer search.Close()
	const answer = `{"apps": [{"result": 1, "name": "Walkabout Mini Golf", "category": "entertainment", "description": "", "price": "$14.99", "platform": "Meta Quest 3",
	  "facets": {
	    "players.online": {"value": "yes", "quote": "play mini golf online with up to 8 friends"},
	    "players.max": {"value": 8, "quote": "online with up to 8 friends"},
	    "comfort": {"value": "comfortable", "quote": "Comfort rating: Comfortable"},
	    "play_modes": {"value": ["sitting", "standing"], "quote": "Supported play area: Sitting, Standing"},
	    "languages": {"value": ["en", "de"], "quote": "Languages: English, German"},
	    "mixed_reality": {"value": "yes", "quote": "Mixed reality mode"},
	    "hand_tracking": {"value": "yes", "quote": "play mini golf online"},
	    "players.competitive": {"value": "yes", "quote": "with up to 8 friends"},
	    "genres": {"value": ["sports", "golf"], "quote": "play mini golf online"}
	  }}]}`
	src, _ := appSearch(t, search, func(int, fakeopenai.Request) fakeopenai.Answer { return fakeopenai.Answer{Content: answer} }, "golf")
	apps, rep, err := fetchApps(t, src, &vrrec.Catalog{})
	if err != nil {
		t.Fatal(err)
	}
	want := vrrec.Facets{PlayModes: []string{"sitting", "standing"}, Comfort: "comfortable",
		Players: vrrec.Players{Online: vrrec.Yes, Max: 8}, Languages: []string{"en", "de"}}
	if len(apps) != 1 || !reflect.DeepEqual(apps[0].Facets, want) {
		t.Fatalf("facets %+v\nwant %+v", apps, want)
	}
	log := rep.String()
	for _, line := range []string{`facet mixed_reality: the result does not say "Mixed reality mode"`,
		`facet hand_tracking: "play mini golf online" does not state "yes"`,
		`facet players.competitive: "with up to 8 friends" does not state "yes"`,
		`facet genres: "play mini golf online" does not state ["sports", "golf"]`} {
		if !strings.Contains(log, line) {
			t.Errorf("log lacks %q:\n%s", line, log)
		}
	}
}
