package neo4j

import (
	"context"
	"fmt"
	"slices"

	neo4jdriver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/vrrec/vrrec"
)

// The queries return edges unordered: Go sorts them with vrrec.SortEdges,
// because Cypher compares strings by UTF-16 code unit and Go by byte, which
// disagree on some non-ASCII names, and every backend must agree on order.

const appsDevelopingCypher = `
UNWIND $keys AS key
MATCH (:SkillKey {key: key})-[:RESOLVES_TO]->(s:Skill)
WITH DISTINCT s
MATCH (a:VRApp)-[d:DEVELOPS]->(s)
RETURN a.app_id AS from, s.name AS skill, d.weight AS weight`

const coursesTeachingCypher = `
UNWIND $keys AS key
MATCH (:SkillKey {key: key})-[:RESOLVES_TO]->(s:Skill)
WITH DISTINCT s
MATCH (c:Course)-[t:TEACHES]->(s)
RETURN c.course_id AS from, s.name AS skill, t.weight AS weight`

const skillsTaughtByCypher = `
UNWIND $ids AS id
WITH DISTINCT id
MATCH (c:Course {course_id: id})-[t:TEACHES]->(s:Skill)
RETURN c.course_id AS from, s.name AS skill, t.weight AS weight`

const activeSkillsCypher = `
MATCH (s:Skill)
WHERE EXISTS { (:VRApp)-[:DEVELOPS]->(s) }
RETURN s.name AS name`

// AppsDeveloping implements vrrec.Graph.
func (g *Graph) AppsDeveloping(ctx context.Context, skills []string) ([]vrrec.Edge, error) {
	return g.edges(ctx, "apps developing skills", appsDevelopingCypher, "keys", skillKeys(skills))
}

// CoursesTeaching implements vrrec.Graph.
func (g *Graph) CoursesTeaching(ctx context.Context, skills []string) ([]vrrec.Edge, error) {
	return g.edges(ctx, "courses teaching skills", coursesTeachingCypher, "keys", skillKeys(skills))
}

// SkillsTaughtBy implements vrrec.Graph.
func (g *Graph) SkillsTaughtBy(ctx context.Context, courseIDs []string) ([]vrrec.Edge, error) {
	return g.edges(ctx, "skills taught by courses", skillsTaughtByCypher, "ids", courseIDs)
}

// ActiveSkills implements vrrec.Graph.
func (g *Graph) ActiveSkills(ctx context.Context) ([]string, error) {
	records, err := g.read(ctx, activeSkillsCypher, nil)
	if err != nil {
		return nil, fmt.Errorf("neo4j: active skills: %w", err)
	}
	var names []string
	for _, r := range records {
		name, _, err := neo4jdriver.GetRecordValue[string](r, "name")
		if err != nil {
			return nil, fmt.Errorf("neo4j: active skills: %w", err)
		}
		names = append(names, name)
	}
	slices.Sort(names)
	return names, nil
}

// skillKeys turns names or aliases into the keys the graph resolves them by,
// the same keys graph.Memory looks up.
func skillKeys(names []string) []string {
	keys := make([]string, len(names))
	for i, n := range names {
		keys[i] = vrrec.SkillKey(n)
	}
	return keys
}

// edges runs a query returning (from, skill, weight) rows with the list of
// keys or ids as its one parameter. An empty list asks nothing: there is
// nothing to find.
func (g *Graph) edges(ctx context.Context, what, cypher, param string, list []string) ([]vrrec.Edge, error) {
	if len(list) == 0 {
		return nil, nil
	}
	records, err := g.read(ctx, cypher, map[string]any{param: list})
	if err != nil {
		return nil, fmt.Errorf("neo4j: %s: %w", what, err)
	}
	var out []vrrec.Edge
	for _, r := range records {
		e, err := edgeOf(r)
		if err != nil {
			return nil, fmt.Errorf("neo4j: %s: %w", what, err)
		}
		out = append(out, e)
	}
	vrrec.SortEdges(out)
	return out, nil
}

func edgeOf(r *neo4jdriver.Record) (vrrec.Edge, error) {
	from, _, err := neo4jdriver.GetRecordValue[string](r, "from")
	if err != nil {
		return vrrec.Edge{}, err
	}
	skill, _, err := neo4jdriver.GetRecordValue[string](r, "skill")
	if err != nil {
		return vrrec.Edge{}, err
	}
	// Weights are written as float64 and Bolt carries 64-bit floats, so they
	// come back bit for bit.
	weight, _, err := neo4jdriver.GetRecordValue[float64](r, "weight")
	if err != nil {
		return vrrec.Edge{}, err
	}
	return vrrec.Edge{From: from, Skill: skill, Weight: weight}, nil
}
