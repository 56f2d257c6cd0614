package eval_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/eval"
	"github.com/vrrec/vrrec/internal/fixture"
	"github.com/vrrec/vrrec/internal/testenv"
)

func TestStoredLabeledQueries(t *testing.T) {
	ctx := context.Background()
	s := eval.Stored{LabeledQueryStore: testenv.SQLite(t), Catalog: fixture.Small}
	for _, bad := range []vrrec.LabeledQuery{
		{Query: "  "},
		{Query: "anatomy", Relevant: []string{"no-such-app"}},
		{Query: "anatomy", Relevant: []string{"organon"}, Acceptable: []string{"organon"}},
	} {
		if err := s.SaveLabeledQuery(ctx, bad); vrrec.ErrorCode(err) != vrrec.EINVALID {
			t.Errorf("save %+v: %v, want EINVALID", bad, err)
		}
	}
	if set, err := s.Set(ctx); err != nil || len(set.Queries) != 0 {
		t.Fatalf("bad labels were kept: %+v, %v", set, err)
	}
	good := vrrec.LabeledQuery{Query: " human anatomy ", Relevant: []string{"organon", "organon"}, Acceptable: []string{"cubism"},
		InteractionID: "i1", CreatedBy: "staff", CreatedAt: time.Now()}
	if err := s.SaveLabeledQuery(ctx, good); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveLabeledQuery(ctx, vrrec.LabeledQuery{Query: "knitting", CreatedBy: "staff", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	b, err := s.Export(ctx)
	if err != nil {
		t.Fatal(err)
	}
	set, err := eval.ParseSet("export", b)
	if err != nil {
		t.Fatalf("the export is not an eval/ file: %v\n%s", err, b)
	}
	if set.Catalog != eval.FromUse || len(set.Queries) != 2 {
		t.Fatalf("exported set: %+v", set)
	}
	q := set.Queries[0]
	if q.Query != "human anatomy" || !slices.Equal(q.Relevant, []string{"organon"}) || !slices.Equal(q.Acceptable, []string{"cubism"}) ||
		q.Split != eval.SplitTest || q.Kind != eval.KindFromUse {
		t.Errorf("exported query: %+v", q)
	}
	if !set.Queries[1].Unsupported() {
		t.Errorf("a question labeled with no app is an unsupported topic: %+v", set.Queries[1])
	}
	if err := set.Check(fixture.Small()); err != nil {
		t.Errorf("the set does not fit the catalog it was labeled on: %v", err)
	}
}
