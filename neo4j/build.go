package neo4j

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"

	neo4jdriver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/vrrec/vrrec"
)

// BuildOptions tune Build. The zero value writes in batches of
// DefaultBatchSize without clearing anything.
type BuildOptions struct {
	// Clear deletes every node and relationship in the database first, this
	// graph's or not, as the old system's --clear did.
	Clear bool
	// BatchSize is the number of rows per write transaction; default
	// DefaultBatchSize.
	BatchSize int
	// Version is stored with the build (see BuiltVersion); normally the
	// catalog's version, so a service can tell whether Neo4j holds the
	// catalog it serves.
	Version string
	// Progress, when set, is told after every batch how many catalog rows
	// (skills, courses, apps, then TEACHES and DEVELOPS mappings) are
	// written of how many, and what the batch wrote: "skills", "courses",
	// "apps", "teaches", "develops"; then "cleanup" when rows of earlier
	// builds are being removed. done never decreases and ends at total.
	Progress func(done, total int, stage string)
}

// DefaultBatchSize is the rows per write transaction when
// BuildOptions.BatchSize is zero.
const DefaultBatchSize = 500

// Progress stages of a build, in order.
const (
	StageSkills   = "skills"
	StageCourses  = "courses"
	StageApps     = "apps"
	StageTeaches  = "teaches"
	StageDevelops = "develops"
	StageCleanup  = "cleanup"
)

// The schema the old system created, plus the key lookup of alias
// resolution. IF NOT EXISTS makes a rebuild leave it alone.
var schemaCypher = []string{
	"CREATE CONSTRAINT course_id IF NOT EXISTS FOR (c:Course) REQUIRE c.course_id IS UNIQUE",
	"CREATE CONSTRAINT app_id IF NOT EXISTS FOR (a:VRApp) REQUIRE a.app_id IS UNIQUE",
	"CREATE CONSTRAINT skill_name IF NOT EXISTS FOR (s:Skill) REQUIRE s.name IS UNIQUE",
	"CREATE CONSTRAINT skill_key IF NOT EXISTS FOR (k:SkillKey) REQUIRE k.key IS UNIQUE",
	"CREATE INDEX course_department IF NOT EXISTS FOR (c:Course) ON (c.department)",
	"CREATE INDEX app_category IF NOT EXISTS FOR (a:VRApp) ON (a.category)",
	"CREATE INDEX skill_category IF NOT EXISTS FOR (s:Skill) ON (s.category)",
	"CREATE INDEX skill_source_count IF NOT EXISTS FOR (s:Skill) ON (s.source_count)",
}

// Every node and relationship a build writes carries the build's id, so the
// rows an earlier build wrote and this catalog no longer has can be found
// and deleted at the end, leaving exactly this catalog's graph.

const writeSkillsCypher = `
UNWIND $rows AS row
MERGE (s:Skill {name: row.name})
SET s.aliases = row.aliases, s.category = row.category, s.source_count = row.source_count,
    s.weight = row.weight, s.build = $build
WITH s, row
UNWIND row.keys AS key
MERGE (k:SkillKey {key: key})
SET k.build = $build
MERGE (k)-[r:RESOLVES_TO]->(s)
SET r.build = $build`

const writeCoursesCypher = `
UNWIND $rows AS row
MERGE (c:Course {course_id: row.course_id})
SET c.title = row.title, c.department = row.department, c.description = row.description,
    c.units = row.units, c.prerequisites = row.prerequisites,
    c.learning_outcomes = row.learning_outcomes, c.build = $build`

const writeAppsCypher = `
UNWIND $rows AS row
MERGE (a:VRApp {app_id: row.app_id})
SET a.name = row.name, a.category = row.category, a.description = row.description,
    a.features = row.features, a.skills_developed = row.skills_developed,
    a.rating = row.rating, a.price = row.price, a.status = row.status, a.build = $build`

const writeTeachesCypher = `
UNWIND $rows AS row
MATCH (c:Course {course_id: row.from})
MATCH (s:Skill {name: row.skill})
MERGE (c)-[r:TEACHES]->(s)
SET r.weight = row.weight, r.build = $build`

const writeDevelopsCypher = `
UNWIND $rows AS row
MATCH (a:VRApp {app_id: row.from})
MATCH (s:Skill {name: row.skill})
MERGE (a)-[r:DEVELOPS]->(s)
SET r.weight = row.weight, r.build = $build`

// Deletes run in batches ($limit rows per transaction) until one deletes
// nothing, so a large graph never needs one huge transaction.
const (
	clearCypher = `
MATCH (n) WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted`
	staleRelationshipsCypher = `
MATCH (:Course|VRApp|SkillKey)-[r:TEACHES|DEVELOPS|RESOLVES_TO]->(:Skill)
WHERE coalesce(r.build, '') <> $build
WITH r LIMIT $limit
DELETE r
RETURN count(*) AS deleted`
	staleNodesCypher = `
MATCH (n:Course|VRApp|Skill|SkillKey)
WHERE coalesce(n.build, '') <> $build
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted`
)

// The build record is deleted first and written last: a version there means
// a build finished, and a build that failed half way claims none.
const (
	forgetBuildCypher = `MATCH (b:GraphBuild {graph: 'vrrec'}) DELETE b`
	writeBuildCypher  = `
MERGE (b:GraphBuild {graph: 'vrrec'})
SET b.build = $build, b.version = $version, b.built_at = datetime()`
	builtVersionCypher = `MATCH (b:GraphBuild {graph: 'vrrec'}) RETURN b.version AS version`
)

// Build writes the graph of a validated catalog: the schema (constraints
// and indexes), Skill (with their aliases' keys), Course and VRApp nodes,
// then TEACHES and DEVELOPS relationships with their weights, in batches of
// UNWIND/MERGE, and finally deletes whatever an earlier build wrote that
// this catalog no longer has. Building the same catalog twice gives the same
// graph. While a build runs, queries may see a mix of the old and the new
// graph; two builds must not run at once.
//
// The catalog must be validated (catalog.Validate): unique ids and skill
// names, mappings naming known entities and canonical skills, at most one
// mapping per source and skill. Anything else is an error before anything is
// written, as Neo4j could not hold the graph graph.Memory would build.
func (g *Graph) Build(ctx context.Context, cat *vrrec.Catalog, opts BuildOptions) error {
	if err := checkCatalog(cat); err != nil {
		return fmt.Errorf("neo4j: build: %w", err)
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.Progress == nil {
		opts.Progress = func(int, int, string) {}
	}
	build, err := newBuildID()
	if err != nil {
		return fmt.Errorf("neo4j: build: %w", err)
	}
	b := builder{g: g, opts: opts, build: build,
		total: len(cat.Skills) + len(cat.Courses) + len(cat.Apps) + len(cat.CourseSkills) + len(cat.AppSkills)}

	if _, err := g.write(ctx, forgetBuildCypher, nil); err != nil {
		return fmt.Errorf("neo4j: build: %w", err)
	}
	if opts.Clear {
		if err := b.deleteAll(ctx, "clear", clearCypher); err != nil {
			return err
		}
	}
	for _, stmt := range schemaCypher {
		if _, err := g.write(ctx, stmt, nil); err != nil {
			return fmt.Errorf("neo4j: build: schema: %w", err)
		}
	}
	// MERGE only uses the constraints' indexes once they are online.
	if _, err := g.write(ctx, "CALL db.awaitIndexes(300)", nil); err != nil {
		return fmt.Errorf("neo4j: build: wait for indexes: %w", err)
	}
	steps := []struct {
		stage, cypher string
		rows          []map[string]any
	}{
		{StageSkills, writeSkillsCypher, skillRows(cat.Skills)},
		{StageCourses, writeCoursesCypher, courseRows(cat.Courses)},
		{StageApps, writeAppsCypher, appRows(cat.Apps)},
		{StageTeaches, writeTeachesCypher, mappingRows(cat.CourseSkills)},
		{StageDevelops, writeDevelopsCypher, mappingRows(cat.AppSkills)},
	}
	for _, s := range steps {
		if err := b.writeRows(ctx, s.stage, s.cypher, s.rows); err != nil {
			return err
		}
	}
	opts.Progress(b.done, b.total, StageCleanup)
	for _, stmt := range []string{staleRelationshipsCypher, staleNodesCypher} {
		if err := b.deleteAll(ctx, StageCleanup, stmt); err != nil {
			return err
		}
	}
	if _, err := g.write(ctx, writeBuildCypher, map[string]any{"build": build, "version": opts.Version}); err != nil {
		return fmt.Errorf("neo4j: build: record build: %w", err)
	}
	return nil
}

// BuiltVersion returns the Version of the last build that finished, or ""
// when the database holds none (a new or cleared server, or a build that
// failed or is still running).
func (g *Graph) BuiltVersion(ctx context.Context) (string, error) {
	records, err := g.read(ctx, builtVersionCypher, nil)
	if err != nil {
		return "", fmt.Errorf("neo4j: built version: %w", err)
	}
	if len(records) == 0 {
		return "", nil
	}
	v, _, err := neo4jdriver.GetRecordValue[string](records[0], "version")
	if err != nil {
		return "", fmt.Errorf("neo4j: built version: %w", err)
	}
	return v, nil
}

type builder struct {
	g           *Graph
	opts        BuildOptions
	build       string
	done, total int
}

func (b *builder) writeRows(ctx context.Context, stage, cypher string, rows []map[string]any) error {
	for start := 0; start < len(rows); start += b.opts.BatchSize {
		batch := rows[start:min(start+b.opts.BatchSize, len(rows))]
		if _, err := b.g.write(ctx, cypher, map[string]any{"rows": batch, "build": b.build}); err != nil {
			return fmt.Errorf("neo4j: build: write %s %d-%d of %d: %w", stage, start+1, start+len(batch), len(rows), err)
		}
		b.done += len(batch)
		b.opts.Progress(b.done, b.total, stage)
	}
	return nil
}

// deleteAll runs a batched delete until it deletes nothing.
func (b *builder) deleteAll(ctx context.Context, what, cypher string) error {
	for {
		records, err := b.g.write(ctx, cypher, map[string]any{"build": b.build, "limit": b.opts.BatchSize})
		if err != nil {
			return fmt.Errorf("neo4j: build: %s: %w", what, err)
		}
		if len(records) == 0 {
			return nil
		}
		n, _, err := neo4jdriver.GetRecordValue[int64](records[0], "deleted")
		if err != nil {
			return fmt.Errorf("neo4j: build: %s: %w", what, err)
		}
		if n == 0 {
			return nil
		}
	}
}

func newBuildID() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// checkCatalog refuses what a validated catalog cannot contain and Neo4j
// could not represent as graph.Memory does: MERGE would fold duplicate ids
// or mappings into one, and an edge to an unknown node could not be written.
func checkCatalog(cat *vrrec.Catalog) error {
	skills := map[string]bool{}
	for _, s := range cat.Skills {
		if skills[s.Name] {
			return fmt.Errorf("skill %q listed twice; validate the catalog first", s.Name)
		}
		skills[s.Name] = true
	}
	courses := map[string]bool{}
	for _, c := range cat.Courses {
		if courses[c.CourseID] {
			return fmt.Errorf("course %q listed twice; validate the catalog first", c.CourseID)
		}
		courses[c.CourseID] = true
	}
	apps := map[string]bool{}
	for _, a := range cat.Apps {
		if apps[a.AppID] {
			return fmt.Errorf("app %q listed twice; validate the catalog first", a.AppID)
		}
		apps[a.AppID] = true
	}
	check := func(kind string, mappings []vrrec.Mapping, sources map[string]bool) error {
		seen := map[[2]string]bool{}
		for _, m := range mappings {
			switch k := [2]string{m.SourceID, m.SkillName}; {
			case !sources[m.SourceID]:
				return fmt.Errorf("%s mapping names unknown source %q; validate the catalog first", kind, m.SourceID)
			case !skills[m.SkillName]:
				return fmt.Errorf("%s mapping %q names unknown skill %q; validate the catalog first", kind, m.SourceID, m.SkillName)
			case seen[k]:
				return fmt.Errorf("%s mapping %q -> %q listed twice; validate the catalog first", kind, m.SourceID, m.SkillName)
			default:
				seen[k] = true
			}
		}
		return nil
	}
	if err := check("course", cat.CourseSkills, courses); err != nil {
		return err
	}
	return check("app", cat.AppSkills, apps)
}

// Rows are plain maps and slices of the types Bolt carries; nil slices
// become empty lists so a property is never left over from an earlier build.

func skillRows(skills []vrrec.Skill) []map[string]any {
	keysOf := map[string][]string{}
	for key, name := range vrrec.SkillKeys(skills) {
		keysOf[name] = append(keysOf[name], key)
	}
	for _, keys := range keysOf {
		slices.Sort(keys) // map order is random; keep writes repeatable
	}
	rows := make([]map[string]any, len(skills))
	for i, s := range skills {
		rows[i] = map[string]any{
			"name": s.Name, "aliases": list(s.Aliases), "category": s.Category,
			"source_count": int64(s.SourceCount), "weight": s.Weight, "keys": list(keysOf[s.Name]),
		}
	}
	return rows
}

func courseRows(courses []vrrec.Course) []map[string]any {
	rows := make([]map[string]any, len(courses))
	for i, c := range courses {
		rows[i] = map[string]any{
			"course_id": c.CourseID, "title": c.Title, "department": c.Department, "description": c.Description,
			"units": c.Units, "prerequisites": list(c.Prerequisites), "learning_outcomes": list(c.LearningOutcomes),
		}
	}
	return rows
}

func appRows(apps []vrrec.VRApp) []map[string]any {
	rows := make([]map[string]any, len(apps))
	for i, a := range apps {
		rows[i] = map[string]any{
			"app_id": a.AppID, "name": a.Name, "category": a.Category, "description": a.Description,
			"features": list(a.Features), "skills_developed": list(a.SkillsDeveloped),
			"rating": a.Rating, "price": a.Price.String(), "status": a.StatusText(),
		}
	}
	return rows
}

func mappingRows(mappings []vrrec.Mapping) []map[string]any {
	rows := make([]map[string]any, len(mappings))
	for i, m := range mappings {
		rows[i] = map[string]any{"from": m.SourceID, "skill": m.SkillName, "weight": m.Weight}
	}
	return rows
}

func list(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
