package neo4j_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/vrrec/vrrec/internal/fixture"
	"github.com/vrrec/vrrec/rag/ragtest"

	neo4jdriver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/graph"
	"github.com/vrrec/vrrec/graph/graphtest"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/neo4j"
)

// cypher runs a query on the shared server with the bare driver, to look at
// the database behind the package's back.
func cypher(t *testing.T, query string) []*neo4jdriver.Record {
	t.Helper()
	ctx := context.Background()
	d, err := neo4jdriver.NewDriverWithContext(testenv.SharedNeo4j(t).URI, neo4jdriver.NoAuth())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close(ctx)
	res, err := neo4jdriver.ExecuteQuery(ctx, d, query, nil, neo4jdriver.EagerResultTransformer)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return res.Records
}

// census counts every node and relationship in the database by label and
// type, so two states of it can be compared.
func census(t *testing.T) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, r := range cypher(t, "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n") {
		out[r.Values[0].(string)] = r.Values[1].(int64)
	}
	for _, r := range cypher(t, "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n") {
		out["-"+r.Values[0].(string)+"-"] = r.Values[1].(int64)
	}
	return out
}

func mustStats(t *testing.T, g *neo4j.Graph) vrrec.GraphStats {
	t.Helper()
	st, err := g.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestStatsMatchInMemory(t *testing.T) {
	for name, cat := range map[string]*vrrec.Catalog{"default": testenv.DefaultCatalog(t), "fixture": fixture.Small()} {
		g := buildShared(t, cat)
		if got, want := mustStats(t, g), graph.StatsOf(cat); !reflect.DeepEqual(got, want) {
			t.Errorf("%s catalog: Neo4j stats\n%+v\nin-memory stats\n%+v", name, got, want)
		}
	}
}

func TestStatsMatchInMemoryUpstream(t *testing.T) {
	cat := upstreamCatalog(t)
	g := buildShared(t, cat)
	if got, want := mustStats(t, g), graph.StatsOf(cat); !reflect.DeepEqual(got, want) {
		t.Errorf("Neo4j stats\n%+v\nin-memory stats\n%+v", got, want)
	}
}

func TestBuildTwiceChangesNothing(t *testing.T) {
	ctx := context.Background()
	cat := testenv.DefaultCatalog(t)
	g := buildShared(t, cat)
	before, stats := census(t), mustStats(t, g)
	if err := g.Build(ctx, cat, neo4j.BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	if after := census(t); !reflect.DeepEqual(after, before) {
		t.Errorf("a second build changed the database\nbefore %v\nafter  %v", before, after)
	}
	if again := mustStats(t, g); !reflect.DeepEqual(again, stats) {
		t.Errorf("a second build changed the stats\nbefore %+v\nafter  %+v", stats, again)
	}
	ragtest.SameRecommendations(t, cat, g)
}

func TestRebuildRemovesWhatTheCatalogDropped(t *testing.T) {
	ctx := context.Background()
	g := buildShared(t, testenv.DefaultCatalog(t))
	small := fixture.Small()
	if err := g.Build(ctx, small, neo4j.BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, want := mustStats(t, g), graph.StatsOf(small); !reflect.DeepEqual(got, want) {
		t.Errorf("after rebuilding with a smaller catalog\n got %+v\nwant %+v", got, want)
	}
	want := map[string]int64{
		"Course": 2, "VRApp": 3, "Skill": 4, "SkillKey": int64(len(vrrec.SkillKeys(small.Skills))), "GraphBuild": 1,
		"-TEACHES-": 4, "-DEVELOPS-": 4, "-RESOLVES_TO-": int64(len(vrrec.SkillKeys(small.Skills))),
	}
	if got := census(t); !reflect.DeepEqual(got, want) {
		t.Errorf("stale nodes or relationships left\n got %v\nwant %v", got, want)
	}
	graphtest.Run(t, func(*testing.T, *vrrec.Catalog) vrrec.Graph { return g })
}

func TestRebuildFollowsChangedAliasesAndWeights(t *testing.T) {
	ctx := context.Background()
	g := buildShared(t, fixture.Small())
	changed := fixture.Small()
	// "Python" moves from Python Programming to Teamwork; a weight changes.
	changed.Skills[0].Aliases = nil
	changed.Skills[1].Aliases = []string{"Python"}
	changed.AppSkills[0].Weight = 0.25
	if err := g.Build(ctx, changed, neo4j.BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	mem := graph.New(changed)
	for _, skills := range [][]string{{"python"}, {"Teamwork"}, {"Python Programming"}, {"collaboration"}} {
		got, err := g.AppsDeveloping(ctx, skills)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := mem.AppsDeveloping(ctx, skills)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("AppsDeveloping(%q) = %+v, want %+v", skills, got, want)
		}
	}
}

// Aliases that collide resolve as in graph.Memory: the canonical name wins
// over an alias, and the first skill to claim an alias keeps it.
func TestAliasCollisionsResolveAsInMemory(t *testing.T) {
	ctx := context.Background()
	cat := fixture.Small()
	cat.Skills[0].Aliases = []string{"Python", "Shared Alias", "teamwork"}
	cat.Skills[2].Aliases = []string{"shared-alias", "Anatomy"}
	cat.Skills[3].Aliases = []string{"ANATOMY", "Human Anatomy"}
	g := buildShared(t, cat)
	mem := graph.New(cat)
	for _, name := range []string{"Shared Alias", "teamwork", "anatomy", "human anatomy", "python", "Cyber Security", ""} {
		for _, query := range []func(vrrec.Graph) ([]vrrec.Edge, error){
			func(gr vrrec.Graph) ([]vrrec.Edge, error) { return gr.AppsDeveloping(ctx, []string{name}) },
			func(gr vrrec.Graph) ([]vrrec.Edge, error) { return gr.CoursesTeaching(ctx, []string{name}) },
		} {
			got, err := query(g)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := query(mem)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%q: got %+v, want %+v", name, got, want)
			}
		}
	}
}

func TestClear(t *testing.T) {
	ctx := context.Background()
	g := buildShared(t, fixture.Small())
	cypher(t, "CREATE (:Unrelated {note: 'someone else'})")
	if err := g.Build(ctx, fixture.Small(), neo4j.BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	if census(t)["Unrelated"] != 1 {
		t.Error("a build without Clear deleted a node that was not its own")
	}
	if err := g.Build(ctx, fixture.Small(), neo4j.BuildOptions{Clear: true}); err != nil {
		t.Fatal(err)
	}
	if n := census(t)["Unrelated"]; n != 0 {
		t.Errorf("Clear left %d unrelated nodes", n)
	}
	if got, want := mustStats(t, g), graph.StatsOf(fixture.Small()); !reflect.DeepEqual(got, want) {
		t.Errorf("after Clear got %+v, want %+v", got, want)
	}
}

func TestBuildReportsProgress(t *testing.T) {
	cat := testenv.DefaultCatalog(t)
	g := openShared(t)
	type call struct {
		done, total int
		stage       string
	}
	var calls []call
	err := g.Build(context.Background(), cat, neo4j.BuildOptions{Clear: true, BatchSize: 100, Progress: func(done, total int, stage string) {
		calls = append(calls, call{done, total, stage})
	}})
	if err != nil {
		t.Fatal(err)
	}
	total := len(cat.Skills) + len(cat.Courses) + len(cat.Apps) + len(cat.CourseSkills) + len(cat.AppSkills)
	if len(calls) < total/100 {
		t.Fatalf("%d progress calls for %d rows in batches of 100", len(calls), total)
	}
	stages := []string{neo4j.StageSkills, neo4j.StageCourses, neo4j.StageApps, neo4j.StageTeaches, neo4j.StageDevelops, neo4j.StageCleanup}
	prev := call{stage: neo4j.StageSkills}
	for i, c := range calls {
		switch {
		case c.total != total:
			t.Fatalf("call %d: total %d, want %d", i, c.total, total)
		case c.done < prev.done || slices.Index(stages, c.stage) < slices.Index(stages, prev.stage):
			t.Fatalf("call %d went backwards: %+v after %+v", i, c, prev)
		case c.done-prev.done > 100:
			t.Fatalf("call %d: a batch larger than 100 rows: %+v after %+v", i, c, prev)
		}
		prev = c
	}
	if last := calls[len(calls)-1]; last.done != total || last.stage != neo4j.StageCleanup {
		t.Errorf("last progress call %+v, want %d done, stage %q", last, total, neo4j.StageCleanup)
	}
}

func TestBuiltVersion(t *testing.T) {
	ctx := context.Background()
	g := openShared(t)
	cat := fixture.Small()
	if err := g.Build(ctx, cat, neo4j.BuildOptions{Clear: true, Version: "v1"}); err != nil {
		t.Fatal(err)
	}
	if v, err := g.BuiltVersion(ctx); err != nil || v != "v1" {
		t.Errorf("BuiltVersion = %q, %v; want v1", v, err)
	}
	// A build cancelled half way (a job stopped by staff) claims no version.
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	err := g.Build(cctx, testenv.DefaultCatalog(t), neo4j.BuildOptions{Version: "v2", BatchSize: 50, Progress: func(int, int, string) { cancel() }})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled build returned %v, want context.Canceled", err)
	}
	if v, err := g.BuiltVersion(ctx); err != nil || v != "" {
		t.Errorf("BuiltVersion after a cancelled build = %q, %v; want \"\"", v, err)
	}
	if err := g.Build(ctx, cat, neo4j.BuildOptions{Version: "v3"}); err != nil {
		t.Fatal(err)
	}
	if v, err := g.BuiltVersion(ctx); err != nil || v != "v3" {
		t.Errorf("BuiltVersion = %q, %v; want v3", v, err)
	}
	cypher(t, "MATCH (n) DETACH DELETE n") // an empty server, as after losing its data
	if v, err := g.BuiltVersion(ctx); err != nil || v != "" {
		t.Errorf("BuiltVersion of an empty database = %q, %v; want \"\"", v, err)
	}
}

func TestBuildRefusesUnvalidatedCatalog(t *testing.T) {
	ctx := context.Background()
	g := buildShared(t, fixture.Small())
	before := census(t)
	for name, spoil := range map[string]func(*vrrec.Catalog){
		"unknown skill":     func(c *vrrec.Catalog) { c.AppSkills[0].SkillName = "Basket Weaving" },
		"alias as skill":    func(c *vrrec.Catalog) { c.AppSkills[0].SkillName = "Python" },
		"unknown app":       func(c *vrrec.Catalog) { c.AppSkills[0].SourceID = "nope" },
		"unknown course":    func(c *vrrec.Catalog) { c.CourseSkills[0].SourceID = "00-000" },
		"duplicate mapping": func(c *vrrec.Catalog) { c.CourseSkills = append(c.CourseSkills, c.CourseSkills[0]) },
		"duplicate skill":   func(c *vrrec.Catalog) { c.Skills = append(c.Skills, c.Skills[0]) },
		"duplicate course":  func(c *vrrec.Catalog) { c.Courses = append(c.Courses, c.Courses[0]) },
		"duplicate app":     func(c *vrrec.Catalog) { c.Apps = append(c.Apps, c.Apps[0]) },
	} {
		cat := fixture.Small()
		spoil(cat)
		err := g.Build(ctx, cat, neo4j.BuildOptions{Clear: true})
		if err == nil || !strings.Contains(err.Error(), "validate the catalog") {
			t.Errorf("%s: Build error %v, want a refusal", name, err)
		}
	}
	if after := census(t); !reflect.DeepEqual(after, before) {
		t.Errorf("a refused build changed the database\nbefore %v\nafter  %v", before, after)
	}
}
