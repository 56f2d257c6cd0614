package catalog_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/internal/testenv"
)

// Logs, links, feedback and the labeled query sets name apps by id: every
// id the embedded catalog ever had stays.
func TestDefaultAppIDsAreStable(t *testing.T) {
	b, err := os.ReadFile("testdata/stable_app_ids.txt")
	if err != nil {
		t.Fatal(err)
	}
	cat, _, err := catalog.ReadDir(catalog.DefaultFS())
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, a := range cat.Apps {
		ids[a.AppID] = true
	}
	for _, id := range strings.Fields(string(b)) {
		if !ids[id] {
			t.Errorf("app id %q is gone from the embedded catalog", id)
		}
	}
}

func TestDefaultCatalogIsCleanAndRich(t *testing.T) {
	cat, rep, err := catalog.ReadDir(catalog.DefaultFS())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Problems {
		// Horizon Workrooms ended; it stays so logs that name it resolve.
		if p.Action == catalog.Flagged && p.ID == "horizon-workrooms" {
			continue
		}
		t.Errorf("embedded catalog problem: %s", p)
	}
	if rep.Count(catalog.Flagged) != 1 {
		t.Errorf("%d apps flagged, want 1 (Horizon Workrooms): %v", rep.Count(catalog.Flagged), rep.Problems)
	}
	available := 0
	for _, a := range cat.Apps {
		if a.Servable() {
			available++
		}
	}
	if available < 90 {
		t.Errorf("embedded catalog has %d available Quest apps, want at least 90", available)
	}
	if len(cat.Courses) < 120 {
		t.Errorf("embedded catalog has %d courses, want at least 120", len(cat.Courses))
	}
	perApp := map[string]int{}
	for _, m := range cat.AppSkills {
		perApp[m.SourceID]++
	}
	for _, a := range cat.Apps {
		if perApp[a.AppID] < 3 {
			t.Errorf("app %s develops %d skills, want at least 3", a.AppID, perApp[a.AppID])
		}
		// A rating of 0 is "not rated": none was invented for the apps added in 2026.
		if a.Description == "" || a.Rating < 0 || a.Rating > 5 || len(a.Features) == 0 {
			t.Errorf("app %s lacks a description or features, or has a rating outside 0-5: %+v", a.AppID, a)
		}
		if a.Status != vrrec.StatusAvailable && a.Status != vrrec.StatusDiscontinued || a.Platform == "" {
			t.Errorf("app %s has no status or platform: %q, %q", a.AppID, a.Status, a.Platform)
		}
		if a.Status == vrrec.StatusDiscontinued && a.Discontinued == "" {
			t.Errorf("app %s is discontinued without a date", a.AppID)
		}
		if catalog.IsPlaceholderApp(a.Name) {
			t.Errorf("app %s is a placeholder", a.Name)
		}
	}
	id := regexp.MustCompile(`^\d{2}-\d{3}$`)
	for _, c := range cat.Courses {
		if !id.MatchString(c.CourseID) || strings.HasPrefix(c.Title, "Course ") || c.Description == "" || c.Department == "" {
			t.Errorf("course %s is incomplete: %+v", c.CourseID, c)
		}
	}
	keys := map[string]string{}
	for _, s := range cat.Skills {
		for _, n := range append([]string{s.Name}, s.Aliases...) {
			if other, dup := keys[vrrec.SkillKey(n)]; dup {
				t.Errorf("%q of skill %q collides with skill %q", n, s.Name, other)
			}
			keys[vrrec.SkillKey(n)] = s.Name
		}
	}
	// The embedded files must agree with what validation computes, so the
	// default and an import of the same files are the same catalog.
	def, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	if catalog.Version(def) != catalog.Version(cat) {
		t.Error("Default() differs from a fresh read of the embedded files")
	}
	for _, s := range cat.Skills {
		if s.SourceCount < 0 {
			t.Errorf("skill %s has negative source count", s.Name)
		}
	}
}

// badFiles is a small catalog with one bad row of every kind the importer
// must report.
var badFiles = fstest.MapFS{
	"skills.json": {Data: []byte(`[
		{"name": "Python Programming", "aliases": ["Python"], "category": "technical", "weight": 0.9},
		{"name": "python-programming", "aliases": ["Py"], "category": "technical", "weight": 0.8},
		{"name": "", "aliases": [], "category": "soft", "weight": 0.5},
		{"name": "Teamwork", "aliases": ["Python"], "category": "teamish", "weight": 0},
		"not an object"
	]`)},
	"courses.json": {Data: []byte(`[
		{"course_id": "95-888", "title": "Data-Focused Python", "department": "Heinz College", "description": "Python for data."},
		{"course_id": "95-888", "title": "Again", "department": "Heinz College"},
		{"course_id": "", "title": "No id"},
		{"course_id": "9588", "title": "Bad id"},
		{"course_id": "90-100", "title": "", "department": "Heinz College"}
	]`)},
	"vr_apps.json": {Data: []byte(`[
		{"app_id": "cubism", "name": "Cubism", "category": "Entertainment", "rating": 4.8, "price": "$9.99"},
		{"app_id": "cubism", "name": "Cubism again"},
		{"app_id": "", "name": "Nameless id"},
		{"app_id": "VR_education", "name": "VR education"},
		{"app_id": "weird", "name": "Weird Rating", "rating": 7}
	]`)},
	"course_skills.json": {Data: []byte(`[
		{"source_id": "95-888", "source_type": "course", "skill_name": "Python", "weight": 0.9},
		{"source_id": "95-888", "source_type": "course", "skill_name": "PYTHON PROGRAMMING", "weight": 0.7},
		{"source_id": "99-999", "source_type": "course", "skill_name": "Teamwork", "weight": 0.5},
		{"source_id": "95-888", "source_type": "course", "skill_name": "Basket Weaving", "weight": 0.5},
		{"source_id": "95-888", "source_type": "course", "skill_name": "Teamwork", "weight": 1.5}
	]`)},
	"app_skills.json": {Data: []byte(`[
		{"source_id": "cubism", "source_type": "vr_app", "skill_name": "Teamwork", "weight": 0.6},
		{"source_id": "VR_education", "source_type": "app", "skill_name": "Teamwork", "weight": 0.6},
		{"source_id": "cubism", "source_type": "course", "skill_name": "Teamwork", "weight": 0.6},
		{"source_id": "cubism", "source_type": "app", "skill_name": "Py", "weight": null}
	]`)},
}

func TestReadDirReportsEveryBadRow(t *testing.T) {
	cat, rep, err := catalog.ReadDir(badFiles)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		file   string
		index  int
		reason string
		action string
	}{
		{"skills.json", 1, `duplicate of skill "Python Programming" (index 0); merged into it`, catalog.Fixed},
		{"skills.json", 2, "missing name", catalog.Dropped},
		{"skills.json", 3, `unknown category "teamish"`, catalog.Fixed},
		{"skills.json", 3, "missing weight", catalog.Fixed},
		{"skills.json", 3, `alias "Python" already names skill "Python Programming"`, catalog.Fixed},
		{"skills.json", 4, "malformed row", catalog.Dropped},
		{"courses.json", 1, "duplicate course_id (first at index 0)", catalog.Dropped},
		{"courses.json", 2, "missing course_id", catalog.Dropped},
		{"courses.json", 3, `course_id "9588" does not match NN-NNN`, catalog.Dropped},
		{"courses.json", 4, "missing title", catalog.Fixed},
		{"vr_apps.json", 1, "duplicate app_id (first at index 0)", catalog.Dropped},
		{"vr_apps.json", 2, "missing app_id", catalog.Dropped},
		{"vr_apps.json", 3, "placeholder app", catalog.Dropped},
		{"vr_apps.json", 4, "rating 7 outside 0-5", catalog.Fixed},
		{"course_skills.json", 1, "duplicate of row 0", catalog.Dropped},
		{"course_skills.json", 2, `unknown course "99-999"`, catalog.Dropped},
		{"course_skills.json", 3, `unknown skill "Basket Weaving"`, catalog.Dropped},
		{"course_skills.json", 4, "weight 1.5 outside 0-1", catalog.Dropped},
		{"app_skills.json", 1, `app "VR_education" was not imported (a placeholder`, catalog.Dropped},
		{"app_skills.json", 2, `source_type "course" where "app" belongs`, catalog.Dropped},
		{"app_skills.json", 3, "missing weight", catalog.Fixed},
	}
	for _, w := range want {
		found := false
		for _, p := range rep.Problems {
			if p.File == w.file && p.Index == w.index && strings.Contains(p.Reason, w.reason) && p.Action == w.action {
				found = true
			}
		}
		if !found {
			t.Errorf("missing problem %s[%d] %q [%s]", w.file, w.index, w.reason, w.action)
		}
	}
	if len(rep.Problems) != len(want) {
		for _, p := range rep.Problems {
			t.Log(p)
		}
		t.Errorf("got %d problems, want %d", len(rep.Problems), len(want))
	}

	// What survives is clean and resolved to canonical names.
	if rep.Read["skills.json"] != 5 || rep.Kept["skills.json"] != 2 {
		t.Errorf("skills read/kept = %d/%d, want 5/2", rep.Read["skills.json"], rep.Kept["skills.json"])
	}
	py := cat.Skills[0]
	if py.Name != "Python Programming" || !contains(py.Aliases, "Py") {
		t.Errorf("twin not merged into the first skill: %+v", py)
	}
	if cat.Skills[1].Category != "domain" || cat.Skills[1].Weight != 0.5 || contains(cat.Skills[1].Aliases, "Python") {
		t.Errorf("Teamwork not fixed: %+v", cat.Skills[1])
	}
	if len(cat.CourseSkills) != 1 || cat.CourseSkills[0].SkillName != "Python Programming" {
		t.Errorf("course mapping by alias not resolved: %+v", cat.CourseSkills)
	}
	if len(cat.AppSkills) != 2 || cat.AppSkills[0].SourceType != vrrec.SourceApp || cat.AppSkills[1].SkillName != "Python Programming" {
		t.Errorf("app mappings: %+v", cat.AppSkills)
	}
	if cat.Apps[0].Category != "entertainment" {
		t.Errorf("category not normalised: %q", cat.Apps[0].Category)
	}
	if py.SourceCount != 2 || cat.Skills[1].SourceCount != 1 {
		t.Errorf("source counts = %d, %d, want 2, 1", py.SourceCount, cat.Skills[1].SourceCount)
	}
	if cat.Courses[1].Title != "Course 90-100" {
		t.Errorf("missing title not filled: %q", cat.Courses[1].Title)
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestReadDirRefusesMissingOrNonArrayFiles(t *testing.T) {
	missing := fstest.MapFS{}
	for k, v := range badFiles {
		if k != "app_skills.json" {
			missing[k] = v
		}
	}
	if _, _, err := catalog.ReadDir(missing); err == nil || !strings.Contains(err.Error(), "app_skills.json") {
		t.Errorf("missing file: err = %v, want one naming app_skills.json", err)
	}
	notArray := fstest.MapFS{}
	for k, v := range badFiles {
		notArray[k] = v
	}
	notArray["courses.json"] = &fstest.MapFile{Data: []byte(`{"course_id": "95-888"}`)}
	_, _, err := catalog.ReadDir(notArray)
	if vrrec.ErrorCode(err) != vrrec.EINVALID || !strings.Contains(err.Error(), "courses.json") {
		t.Errorf("object instead of array: err = %v, want EINVALID naming courses.json", err)
	}
	notArray["courses.json"] = &fstest.MapFile{Data: []byte(`[{"course_id": "95-888"`)}
	if _, _, err := catalog.ReadDir(notArray); vrrec.ErrorCode(err) != vrrec.EINVALID {
		t.Errorf("truncated JSON: err = %v, want EINVALID", err)
	}
}

func TestUpstreamImport(t *testing.T) {
	dir := testenv.UpstreamData(t)
	cat, rep, err := catalog.ReadDir(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read["skills.json"] != 1544 || rep.Read["courses.json"] != 455 || rep.Read["vr_apps.json"] != 77 ||
		rep.Read["course_skills.json"] != 3576 || rep.Read["app_skills.json"] != 470 {
		t.Errorf("rows read = %v", rep.Read)
	}
	dropped := rep.Count(catalog.Dropped)
	if dropped < 24 {
		t.Errorf("only %d rows dropped; the upstream data has dozens of bad rows", dropped)
	}
	placeholders := 0
	for _, p := range rep.Problems {
		if p.Index < 0 || p.Index >= rep.Read[p.File] {
			t.Errorf("problem index out of range: %s", p)
		}
		if strings.HasPrefix(p.Reason, "placeholder app") {
			placeholders++
		}
	}
	if placeholders < 5 {
		t.Errorf("%d placeholder apps reported, want the upstream ones (VR education, Meta, ...)", placeholders)
	}
	for _, a := range cat.Apps {
		if catalog.IsPlaceholderApp(a.Name) {
			t.Errorf("placeholder %q kept", a.Name)
		}
	}
	// Mappings naming skills by alias ("Ethics Analysis") are resolved, not lost.
	if len(cat.CourseSkills) < 3300 {
		t.Errorf("%d course-skill rows kept, want the alias-named ones resolved", len(cat.CourseSkills))
	}
	// Apps known to be gone or not on a Quest are flagged, kept and never servable.
	flagged := map[string]string{}
	ranges := 0
	for _, p := range rep.Problems {
		if p.Action == catalog.Flagged {
			flagged[p.ID] = p.Reason
		}
		if strings.Contains(p.Reason, "is a range, not one price") {
			ranges++
		}
	}
	byID := map[string]vrrec.VRApp{}
	for _, a := range cat.Apps {
		byID[a.AppID] = a
	}
	for id, why := range map[string]string{"AltspaceVR": "discontinued (2023-03-10)", "Mozilla_Hubs": "discontinued (2024-05-31)",
		"Google_Expeditions": "discontinued (2021-06-30)", "Touch_Surgery": "not a Quest app (mobile)",
		"Horizon_Workrooms": "discontinued (2026-02-16)"} {
		if !strings.HasPrefix(flagged[id], why) {
			t.Errorf("%s flagged as %q, want %q...", id, flagged[id], why)
		}
		if a, ok := byID[id]; !ok || a.Servable() {
			t.Errorf("%s: kept %v, servable %v; want kept and never served", id, ok, a.Servable())
		}
	}
	if a := byID["Beat_Saber"]; !a.Servable() || flagged["Beat_Saber"] != "" {
		t.Errorf("Beat Saber is not served: %+v", a)
	}
	// PC VR apps play on a Quest through Link: served, and their cards say so.
	for _, id := range []string{"Half_Life_Alyx", "Boneworks"} {
		if a := byID[id]; !a.Servable() || flagged[id] != "" || !strings.Contains(a.StatusText(), "through Link") {
			t.Errorf("%s: servable %v, flagged %q, status %q; want served as PC VR through Link", id, a.Servable(), flagged[id], a.StatusText())
		}
	}
	// Every upstream price is a range ("$0-29.99") or "Unknown".
	if ranges < 60 {
		t.Errorf("%d price ranges reported, want the upstream ones", ranges)
	}
	again, _, _ := catalog.ReadDir(os.DirFS(dir))
	if catalog.Version(again) != catalog.Version(cat) {
		t.Error("reading the same files twice gave different catalogs")
	}
}

// An import keeps what a row says of its status and platform, fixes what it
// cannot use, and flags apps known to be gone or not on a Quest, by name,
// when the row does not say.
func TestStatusAndPlatformValidatedAndFlagged(t *testing.T) {
	raw := &vrrec.Catalog{Apps: []vrrec.VRApp{
		{AppID: "alt", Name: "AltspaceVR"},
		{AppID: "alyx", Name: "Half-Life: Alyx"},
		{AppID: "own", Name: "Half-Life: Alyx", Platform: "Quest"}, // the row's own word wins
		{AppID: "odd", Name: "Odd App", Status: "retired", Platform: "psvr"},
		{AppID: "late", Name: "Late App", Discontinued: "March 2024"},
		{AppID: "ended", Name: "Ended App", Status: "Discontinued", Discontinued: "2024-03"},
		{AppID: "range", Name: "Range App", Price: vrrec.Price{Raw: "$0-29.99"}},
	}}
	cat, rep := catalog.Validate(raw)
	byID := map[string]vrrec.VRApp{}
	for _, a := range cat.Apps {
		byID[a.AppID] = a
	}
	if len(byID) != len(raw.Apps) {
		t.Fatalf("kept %d of %d apps: flagged apps must stay", len(byID), len(raw.Apps))
	}
	reasons := map[string][]string{}
	for _, p := range rep.Problems {
		reasons[p.ID] = append(reasons[p.ID], p.Action+": "+p.Reason)
	}
	for id, want := range map[string]struct {
		servable bool
		status   string
		reason   string
	}{
		"alt":   {false, "discontinued (2023-03-10)", "flagged: discontinued (2023-03-10): Microsoft shut AltspaceVR down"},
		"alyx":  {true, "PC VR: plays on a Quest through Link with a VR-ready PC", ""},
		"own":   {true, "available", ""},
		"odd":   {true, "available", `fixed: status "retired" is neither`},
		"late":  {false, "discontinued", `fixed: discontinued date "March 2024" is not YYYY-MM-DD`},
		"ended": {false, "discontinued (2024-03)", "flagged: discontinued (2024-03): as its row says"},
		"range": {true, "available", `fixed: price "$0-29.99" is a range, not one price; stored as an unknown price`},
	} {
		a := byID[id]
		if a.Servable() != want.servable || a.StatusText() != want.status {
			t.Errorf("%s: servable %v, status %q; want %v, %q", id, a.Servable(), a.StatusText(), want.servable, want.status)
		}
		got := strings.Join(reasons[id], " | ")
		if want.reason == "" && got != "" || !strings.Contains(got, want.reason) {
			t.Errorf("%s reported %q, want %q", id, got, want.reason)
		}
	}
	if byID["odd"].Platform != "" || !strings.Contains(strings.Join(reasons["odd"], " "), `platform "psvr" is not one of`) {
		t.Errorf("an unknown platform was kept or not reported: %q, %v", byID["odd"].Platform, reasons["odd"])
	}
	if p := byID["range"].Price; p.Known() || p.Raw != "$0-29.99" {
		t.Errorf("the range price became %+v, want unknown with its text kept", p)
	}
}

// Apps whose description is a template shared by many apps get the row the
// embedded catalog has for them, reported; apps it does not know keep
// theirs, and validating the result again changes nothing.
func TestBoilerplateAppsFilledFromKnownApps(t *testing.T) {
	const template = "Productivity-focused VR application for enhanced workflow and collaboration."
	raw := &vrrec.Catalog{
		Skills: []vrrec.Skill{{Name: "Productivity", Category: "soft", Weight: 0.5}, {Name: "Cardio", Category: "domain", Weight: 0.5}},
		Apps: []vrrec.VRApp{
			{AppID: "Some_App", Name: "Some App", Category: "productivity", Description: template},
			{AppID: "FitXR", Name: "FitXR", Category: "productivity", Description: template, Price: vrrec.Price{Raw: "$0-29.99"}},
			{AppID: "Other_App", Name: "Other App", Category: "productivity", Description: template},
			{AppID: "BoxVR", Name: "BoxVR", Category: "productivity", Description: template, Rating: 4.3},
			{AppID: "Titans", Name: "Titans of Space", Category: "education", Description: "A tour of the solar system at scale."},
		},
		AppSkills: []vrrec.Mapping{
			{SourceID: "FitXR", SourceType: vrrec.SourceApp, SkillName: "Productivity", Weight: 0.8},
			{SourceID: "Some_App", SourceType: vrrec.SourceApp, SkillName: "Productivity", Weight: 0.8},
		},
	}
	cat, rep := catalog.Validate(raw)
	def, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	var known vrrec.VRApp
	for _, a := range def.Apps {
		if a.Name == "FitXR" {
			known = a
		}
	}
	byID := map[string]vrrec.VRApp{}
	for _, a := range cat.Apps {
		byID[a.AppID] = a
	}
	fit := byID["FitXR"]
	if fit.Description != known.Description || fit.Category != "fitness" || fit.Price != known.Price || fit.Name != "FitXR" {
		t.Errorf("FitXR not filled from the embedded catalog: %+v", fit)
	}
	// Apps the embedded catalog does not serve are known too (catalog/known).
	if box := byID["BoxVR"]; box.Description == template || box.Category == "productivity" || box.Rating != 4.3 {
		t.Errorf("BoxVR not filled from the built-in knowledge, or its rating lost: %+v", box)
	}
	if byID["Some_App"].Description != template || byID["Titans"].Description != "A tour of the solar system at scale." {
		t.Error("an app the embedded catalog does not know, or one with its own description, was changed")
	}
	skills := map[string]bool{}
	for _, m := range cat.AppSkills {
		if m.SourceID == "FitXR" {
			skills[m.SkillName] = true
		}
	}
	if skills["Productivity"] || !skills["Physical Fitness"] {
		t.Errorf("FitXR's skills %v: want the known ones instead of the template's", skills)
	}
	names := map[string]bool{}
	for _, s := range cat.Skills {
		names[s.Name] = true
	}
	if !names["Physical Fitness"] {
		t.Error("a known skill the catalog lacked was not added")
	}
	var reported bool
	for _, p := range rep.Problems {
		if p.ID == "FitXR" && p.Index == 1 && p.Action == catalog.Fixed && strings.Contains(p.Reason, "boilerplate shared by 4 apps") {
			reported = true
		}
	}
	if !reported {
		t.Errorf("the fill is not reported on FitXR's row: %v", rep.Problems)
	}
	again, _ := catalog.Validate(cat)
	if catalog.Version(again) != catalog.Version(cat) {
		t.Error("validating a filled catalog again changed it")
	}
}

func TestDefaultCatalogHasNoBoilerplate(t *testing.T) {
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, a := range cat.Apps {
		if other, dup := seen[a.Description]; dup {
			t.Errorf("%s and %s share a description", a.AppID, other)
		}
		seen[a.Description] = a.AppID
	}
}

// The built-in knowledge loads without a problem, adds apps the embedded
// catalog lacks, and gives no two apps one description or one name.
func TestKnownAppsAreCleanAndDistinct(t *testing.T) {
	known, err := catalog.LoadKnown()
	if err != nil {
		t.Fatal(err)
	}
	def, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	if len(known.Apps) <= len(def.Apps) {
		t.Fatalf("%d known apps, no more than the embedded catalog's %d", len(known.Apps), len(def.Apps))
	}
	desc, names := map[string]string{}, map[string]string{}
	for _, a := range known.Apps {
		if other, dup := desc[a.Description]; dup {
			t.Errorf("%s and %s share a description", a.AppID, other)
		}
		desc[a.Description] = a.AppID
		key := strings.ToLower(a.Name)
		if other, dup := names[key]; dup {
			t.Errorf("%s and %s share a name", a.AppID, other)
		}
		names[key] = a.AppID
		if a.Description == "" || len(a.Features) == 0 || len(a.SkillsDeveloped) == 0 {
			t.Errorf("known app %s is incomplete: %+v", a.AppID, a)
		}
	}
}
