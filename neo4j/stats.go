package neo4j

import (
	"context"
	"fmt"

	neo4jdriver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/vrrec/vrrec"
)

const countsCypher = `
RETURN COUNT { (:Course) } AS courses, COUNT { (:VRApp) } AS apps, COUNT { (:Skill) } AS skills,
       COUNT { (:Course)-[:TEACHES]->(:Skill) } AS teaches,
       COUNT { (:VRApp)-[:DEVELOPS]->(:Skill) } AS develops`

// The rankings fetch every candidate and rank them in Go with
// vrrec.TopCounts, so ties break exactly as in graph.StatsOf; the graph
// holds thousands of nodes at most, so that is cheap.
const (
	skillMentionsCypher = `
MATCH (s:Skill)
RETURN s.name AS id, s.name AS name, coalesce(s.source_count, 0) AS count`
	courseSkillsCypher = `
MATCH (c:Course)
RETURN c.course_id AS id, c.title AS name, COUNT { (c)-[:TEACHES]->(:Skill) } AS count`
	appSkillsCypher = `
MATCH (a:VRApp)
RETURN a.app_id AS id, a.name AS name, COUNT { (a)-[:DEVELOPS]->(:Skill) } AS count`
)

// Stats counts the graph's nodes and edges and ranks its skills by
// mentions, courses by skills taught and apps by skills developed, by the
// same rules as graph.StatsOf.
func (g *Graph) Stats(ctx context.Context) (vrrec.GraphStats, error) {
	var st vrrec.GraphStats
	records, err := g.read(ctx, countsCypher, nil)
	if err != nil {
		return st, fmt.Errorf("neo4j: stats: %w", err)
	}
	if len(records) != 1 {
		return st, fmt.Errorf("neo4j: stats: %d rows of counts", len(records))
	}
	for key, dst := range map[string]*int{"courses": &st.Courses, "apps": &st.Apps, "skills": &st.Skills, "teaches": &st.Teaches, "develops": &st.Develops} {
		n, _, err := neo4jdriver.GetRecordValue[int64](records[0], key)
		if err != nil {
			return st, fmt.Errorf("neo4j: stats: %s: %w", key, err)
		}
		*dst = int(n)
	}
	for _, r := range []struct {
		what, cypher string
		dst          *[]vrrec.RankedCount
	}{
		{"top skills", skillMentionsCypher, &st.TopSkills},
		{"top courses", courseSkillsCypher, &st.TopCourses},
		{"top apps", appSkillsCypher, &st.TopApps},
	} {
		counts, err := g.rankedCounts(ctx, r.cypher)
		if err != nil {
			return st, fmt.Errorf("neo4j: stats: %s: %w", r.what, err)
		}
		*r.dst = vrrec.TopCounts(counts, vrrec.GraphStatsTop)
	}
	return st, nil
}

func (g *Graph) rankedCounts(ctx context.Context, cypher string) ([]vrrec.RankedCount, error) {
	records, err := g.read(ctx, cypher, nil)
	if err != nil {
		return nil, err
	}
	out := make([]vrrec.RankedCount, 0, len(records))
	for _, r := range records {
		id, _, err := neo4jdriver.GetRecordValue[string](r, "id")
		if err != nil {
			return nil, err
		}
		name, _, err := neo4jdriver.GetRecordValue[string](r, "name")
		if err != nil {
			return nil, err
		}
		n, _, err := neo4jdriver.GetRecordValue[int64](r, "count")
		if err != nil {
			return nil, err
		}
		out = append(out, vrrec.RankedCount{ID: id, Name: name, Count: int(n)})
	}
	return out, nil
}
