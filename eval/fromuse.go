package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/vrrec/vrrec"
)

// FromUse names the set of queries staff labeled from the questions
// students really asked (the log's detail view); its queries are of kind
// KindFromUse and in the test split, since nothing is fitted on them.
const (
	FromUse = "from use"
	// Uploaded names a query file staff send with catalog files, measured
	// on that draft only.
	Uploaded    = "uploaded"
	KindFromUse = "from-use"
)

// Stored is the labeled-query store read and written as an evaluation set.
type Stored struct {
	vrrec.LabeledQueryStore
	// Catalog is the catalog served now: the apps a label may name.
	Catalog func() *vrrec.Catalog
}

// SaveLabeledQuery checks q and keeps it: a text, apps of the served
// catalog, none both relevant and acceptable (EINVALID otherwise). Repeated
// apps are kept once.
func (s Stored) SaveLabeledQuery(ctx context.Context, q vrrec.LabeledQuery) error {
	q.Query = strings.TrimSpace(q.Query)
	if q.Query == "" {
		return vrrec.Errorf(vrrec.EINVALID, "A labeled query needs its question")
	}
	known := map[string]bool{}
	if s.Catalog != nil {
		for _, a := range s.Catalog().Apps {
			known[a.AppID] = true
		}
	}
	q.Relevant, q.Acceptable = compactIDs(q.Relevant), compactIDs(q.Acceptable)
	for _, id := range append(slices.Clip(q.Relevant), q.Acceptable...) {
		if !known[id] {
			return vrrec.Errorf(vrrec.EINVALID, "App %q is not in the served catalog", id)
		}
		if slices.Contains(q.Relevant, id) && slices.Contains(q.Acceptable, id) {
			return vrrec.Errorf(vrrec.EINVALID, "App %q is marked both relevant and acceptable", id)
		}
	}
	if err := s.LabeledQueryStore.SaveLabeledQuery(ctx, q); err != nil {
		return vrrec.Unavailable(err, "The labeled query could not be saved; the database does not answer")
	}
	return nil
}

func compactIDs(ids []string) []string {
	out := []string{}
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// Set returns the stored labeled queries as the FromUse set (no queries
// when none were saved).
func (s Stored) Set(ctx context.Context) (*Set, error) {
	qs, err := s.LabeledQueries(ctx)
	if err != nil {
		return nil, fmt.Errorf("labeled queries from use: %w", err)
	}
	set := &Set{Catalog: FromUse, Queries: []Query{}}
	for _, q := range qs {
		set.Queries = append(set.Queries, Query{Query: q.Query, Relevant: q.Relevant, Acceptable: q.Acceptable,
			Kind: KindFromUse, Split: SplitTest})
	}
	return set, nil
}

// Export returns the stored labeled queries in the eval/ file format, for
// `vrrec eval --queries`.
func (s Stored) Export(ctx context.Context) ([]byte, error) {
	set, err := s.Set(ctx)
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(set, "", "  ")
}
