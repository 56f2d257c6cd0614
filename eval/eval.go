// Package eval measures recommendation quality against labeled queries:
// precision@5, recall@8 and nDCG@5 with binary relevance.
package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"

	"github.com/vrrec/vrrec"
)

// Query is a student query with the app ids a knowledgeable advisor would
// call relevant.
type Query struct {
	Query    string   `json:"query"`
	Relevant []string `json:"relevant"`
}

// Set is a file of labeled queries for one catalog.
type Set struct {
	Catalog string  `json:"catalog"`
	Queries []Query `json:"queries"`
}

// LoadSet reads a query set and checks that every query has a text and at
// least one relevant app.
func LoadSet(path string) (*Set, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load query set: %w", err)
	}
	var s Set
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("load query set %s: %w", path, err)
	}
	if len(s.Queries) == 0 {
		return nil, fmt.Errorf("load query set %s: no queries", path)
	}
	for i, q := range s.Queries {
		if q.Query == "" || len(q.Relevant) == 0 {
			return nil, fmt.Errorf("load query set %s: query %d needs a text and relevant apps", path, i)
		}
	}
	return &s, nil
}

// Check returns an error naming the first relevant app id the catalog lacks,
// since such a label could never be retrieved.
func (s *Set) Check(cat *vrrec.Catalog) error {
	ids := make(map[string]bool, len(cat.Apps))
	for _, a := range cat.Apps {
		ids[a.AppID] = true
	}
	for i, q := range s.Queries {
		for _, id := range q.Relevant {
			if !ids[id] {
				return fmt.Errorf("query %d (%q): app %q is not in the catalog", i, q.Query, id)
			}
		}
	}
	return nil
}

// QueryResult is the score of one query.
type QueryResult struct {
	Query        string   `json:"query"`
	Relevant     []string `json:"relevant"`
	Retrieved    []string `json:"retrieved"`
	PrecisionAt5 float64  `json:"precision_at_5"`
	RecallAt8    float64  `json:"recall_at_8"`
	NDCGAt5      float64  `json:"ndcg_at_5"`
}

// Report holds the per-query scores and their means.
type Report struct {
	Queries      []QueryResult `json:"queries"`
	PrecisionAt5 float64       `json:"precision_at_5"`
	RecallAt8    float64       `json:"recall_at_8"`
	NDCGAt5      float64       `json:"ndcg_at_5"`
}

// Run asks rec for the top 8 apps of every query and scores them.
func Run(ctx context.Context, rec vrrec.Recommender, s *Set) (*Report, error) {
	rep := &Report{}
	for _, q := range s.Queries {
		res, err := rec.Recommend(ctx, q.Query, 8)
		if err != nil {
			return nil, fmt.Errorf("eval %q: %w", q.Query, err)
		}
		ids := make([]string, len(res.Apps))
		for i, a := range res.Apps {
			ids[i] = a.AppID
		}
		qr := Score(ids, q.Relevant)
		qr.Query = q.Query
		rep.Queries = append(rep.Queries, qr)
		rep.PrecisionAt5 += qr.PrecisionAt5
		rep.RecallAt8 += qr.RecallAt8
		rep.NDCGAt5 += qr.NDCGAt5
	}
	n := float64(len(rep.Queries))
	rep.PrecisionAt5 /= n
	rep.RecallAt8 /= n
	rep.NDCGAt5 /= n
	return rep, nil
}

// Score computes the metrics of one ranked list against the relevant ids.
func Score(retrieved, relevant []string) QueryResult {
	rel := make(map[string]bool, len(relevant))
	for _, id := range relevant {
		rel[id] = true
	}
	r := QueryResult{Relevant: relevant, Retrieved: retrieved}
	var hits5, hits8 int
	var dcg float64
	for i, id := range retrieved {
		if !rel[id] {
			continue
		}
		if i < 5 {
			hits5++
			dcg += 1 / math.Log2(float64(i)+2)
		}
		if i < 8 {
			hits8++
		}
	}
	var idcg float64
	for i := 0; i < min(5, len(rel)); i++ {
		idcg += 1 / math.Log2(float64(i)+2)
	}
	r.PrecisionAt5 = float64(hits5) / 5
	if len(rel) > 0 {
		r.RecallAt8 = float64(hits8) / float64(len(rel))
		r.NDCGAt5 = dcg / idcg
	}
	return r
}
