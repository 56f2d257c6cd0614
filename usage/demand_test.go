package usage_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/embedding"
	"github.com/vrrec/vrrec/internal/fixture"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/usage"
)

// asked answers each question with the real engine on the small test
// catalog and logs it as the web server does: topic, nothing fits, best
// match.
func asked(t *testing.T, db vrrec.InteractionLog, questions map[string]string, at time.Time) {
	t.Helper()
	ctx := context.Background()
	eng := testenv.Engine(t, fixture.Small())
	i := 0
	for q, user := range questions {
		res, err := eng.Recommend(ctx, q, 5)
		if err != nil {
			t.Fatal(err)
		}
		it := vrrec.Interaction{ID: fmt.Sprint("q", i), UserID: user, Query: q, Intent: "recommendation",
			Topic: res.Topic, NothingFits: res.NothingFits, Time: at.Add(time.Duration(i) * time.Hour)}
		if it.Topic == "" {
			it.Topic = q
		}
		for _, a := range res.Apps {
			it.Apps = append(it.Apps, a.AppID)
			it.BestMatch = max(it.BestMatch, a.MatchPercent)
		}
		if err := db.Record(ctx, it); err != nil {
			t.Fatal(err)
		}
		i++
	}
}

func TestDemandGroupsParaphrasesOfOneUnmetTopic(t *testing.T) {
	db := testenv.SQLite(t)
	origami := []string{"origami", "paper folding", "how to fold paper cranes", "I want to learn origami", "any apps for folding paper?"}
	others := []string{"knitting", "scuba diving", "wine tasting", "tax law"}
	questions := map[string]string{"human anatomy": "u9"}
	for i, q := range origami {
		questions[q] = fmt.Sprint("u", i%3) // three students
	}
	for i, q := range others {
		questions[q] = fmt.Sprint("v", i)
	}
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	asked(t, db, questions, now.AddDate(0, 0, -1))
	r := &usage.Reports{Log: db, Votes: db, Embedder: testenv.Embedder(t), Now: func() time.Time { return now }}
	rep, err := r.Demand(context.Background(), now.AddDate(0, 0, -7))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Questions != len(origami)+len(others) {
		t.Errorf("%d unmet questions, want %d (human anatomy fits the catalog): %+v", rep.Questions, len(origami)+len(others), rep.Topics)
	}
	topicOf := map[string]int{}
	for i, tp := range rep.Topics {
		for _, q := range tp.Examples {
			topicOf[q] = i
		}
	}
	top := rep.Topics[0]
	if top.Count != len(origami) || top.Students != 3 || len(top.Examples) != usage.MaxExamples {
		t.Errorf("the origami topic: %+v", top)
	}
	for _, q := range origami {
		if i, ok := topicOf[q]; !ok || i != 0 {
			t.Errorf("%q is in topic %d (found %v), want the origami topic 0: %+v", q, i, ok, rep.Topics)
		}
	}
	for _, q := range others {
		if topicOf[q] == 0 {
			t.Errorf("%q was grouped with origami: %+v", q, top)
		}
	}
	if len(rep.Topics) != 1+len(others) {
		t.Errorf("%d topics, want %d: %+v", len(rep.Topics), 1+len(others), rep.Topics)
	}
	if len(top.Trend) != 8 || top.Trend[6].Count != len(origami) || top.Trend[7].Key != "2026-11-26" {
		t.Errorf("trend over the week: %+v", top.Trend)
	}
}

// counting counts the texts the model is asked to embed.
type counting struct {
	vrrec.Embedder
	texts int
}

func (c *counting) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	c.texts += len(texts)
	return c.Embedder.Embed(ctx, texts)
}

func TestDemandEmbedsEachQuestionOnce(t *testing.T) {
	db := testenv.SQLite(t)
	ctx := context.Background()
	for i, q := range []string{"origami", "paper folding", "origami", "knitting"} {
		db.Record(ctx, vrrec.Interaction{ID: fmt.Sprint(i), UserID: "u", Query: q, Topic: q, Intent: "recommendation", NothingFits: true, Time: time.Now()})
	}
	model := &counting{Embedder: testenv.Embedder(t)}
	r := &usage.Reports{Log: db, Votes: db, Embedder: model, Vectors: embedding.NewCache().WithStore(db, nil)}
	first, err := r.Demand(ctx, time.Time{})
	if err != nil || model.texts != 3 {
		t.Fatalf("first report: %d texts embedded (want the 3 distinct questions), %v", model.texts, err)
	}
	// Another process (a fresh cache) reads the vectors from the database.
	r.Vectors = embedding.NewCache().WithStore(db, nil)
	again, err := r.Demand(ctx, time.Time{})
	if err != nil || model.texts != 3 || len(again.Topics) != len(first.Topics) {
		t.Errorf("second report: %d texts embedded in all, %d topics (first %d), %v", model.texts, len(again.Topics), len(first.Topics), err)
	}
}

type failingEmbedder struct{}

func (failingEmbedder) Name() string { return "failing" }
func (failingEmbedder) Embed(context.Context, []string) ([][]float32, error) {
	return nil, errors.New("model unavailable")
}

func TestDemandSaysWhenTheModelFails(t *testing.T) {
	db := testenv.SQLite(t)
	db.Record(context.Background(), vrrec.Interaction{ID: "a", UserID: "u", Query: "origami", Topic: "origami", Intent: "recommendation", NothingFits: true, Time: time.Now()})
	r := &usage.Reports{Log: db, Votes: db, Embedder: failingEmbedder{}}
	if _, err := r.Demand(context.Background(), time.Time{}); err == nil || !strings.Contains(err.Error(), "model unavailable") {
		t.Errorf("demand with a failing model: %v", err)
	}
	rep, err := (&usage.Reports{Log: testenv.SQLite(t), Embedder: failingEmbedder{}}).Demand(context.Background(), time.Time{})
	if err != nil || rep.Questions != 0 || rep.Topics == nil {
		t.Errorf("no unmet questions need no model: %+v, %v", rep, err)
	}
}
