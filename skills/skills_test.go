package skills_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/internal/fakeopenai"
	"github.com/vrrec/vrrec/openai"
	"github.com/vrrec/vrrec/skills"
)

var vocab = []vrrec.Skill{
	{Name: "Python Programming", Aliases: []string{"Python"}, Category: "technical"},
	{Name: "Programming", Aliases: []string{"Coding"}, Category: "technical"},
	{Name: "Teamwork", Category: "soft"},
}

func TestNormalizerPrefersTheLongestName(t *testing.T) {
	n := skills.NewNormalizer(vocab)
	for in, want := range map[string]string{
		"Python Programming":          "Python Programming",
		"python-programming":          "Python Programming",
		"Advanced Python Programming": "Python Programming",
		"Python":                      "Python Programming",
		"Programming":                 "Programming",
		"Coding":                      "Programming",
		"Team Collaboration":          "Team Collaboration", // new: kept as extracted
	} {
		if got := n.Canonical(in); got != want {
			t.Errorf("Canonical(%q) = %q, want %q", in, got, want)
		}
	}
}

// closeness is an embedder that says which names mean the same: names in
// one group get the same vector, other groups orthogonal ones. It stands in
// for a remote embeddings model.
type closeness map[string]int

func (c closeness) Name() string { return "test" }
func (c closeness) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		v := make([]float32, 8)
		v[c[t]%8] = 1
		out[i] = v
	}
	return out, nil
}

func TestMergeNearDuplicates(t *testing.T) {
	emb := closeness{"Team Collaboration": 1, "Working in Teams": 1, "Python Programming": 2}
	canon, err := skills.Merge(context.Background(), emb,
		map[string]int{"Team Collaboration": 3, "Working in Teams": 1, "Python Programming": 2}, 0.2)
	if err != nil {
		t.Fatal(err)
	}
	if canon["Working in Teams"] != "Team Collaboration" || canon["Team Collaboration"] != "Team Collaboration" || canon["Python Programming"] != "Python Programming" {
		t.Errorf("merge = %v", canon)
	}
}

// counting is an extractor that records calls and can fail on one item.
type counting struct {
	calls  atomic.Int32
	failOn string
	inner  skills.Extractor
}

func (c *counting) Name() string { return c.inner.Name() }

func (c *counting) Extract(ctx context.Context, it skills.Item) ([]skills.Skill, error) {
	c.calls.Add(1)
	if it.ID == c.failOn {
		return nil, errors.New("provider hiccup")
	}
	return c.inner.Extract(ctx, it)
}

var items = []skills.Item{
	{Kind: vrrec.SourceCourse, ID: "95-888", Text: "Data-Focused Python. Python programming with pandas, working in teams."},
	{Kind: vrrec.SourceCourse, ID: "15-112", Text: "Fundamentals of Programming. Coding in Python."},
	{Kind: vrrec.SourceApp, ID: "cubism", Text: "Cubism. Spatial puzzles, solved with teamwork."},
}

func TestRunResumesAfterAnInterruption(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.jsonl")
	first := &counting{failOn: "15-112", inner: skills.NewOfflineExtractor(vocab)}
	var progress []int
	recs, err := skills.Run{Extractor: first, StatePath: state, Concurrency: 2,
		Progress: func(done, failed, total int) { progress = append(progress, done) }}.Extract(context.Background(), items)
	if err == nil || !strings.Contains(err.Error(), "15-112") || len(recs) != 2 || len(progress) != 3 {
		t.Fatalf("first run: %d records, progress %v, err %v", len(recs), progress, err)
	}
	second := &counting{inner: skills.NewOfflineExtractor(vocab)}
	recs, err = skills.Run{Extractor: second, StatePath: state}.Extract(context.Background(), items)
	if err != nil || len(recs) != 3 || second.calls.Load() != 1 {
		t.Errorf("rerun: %d records, %d calls, %v; want only the failed item read again", len(recs), second.calls.Load(), err)
	}
	if recs[0].Item.ID != "95-888" || recs[1].Item.ID != "15-112" {
		t.Errorf("records not in item order: %v, %v", recs[0].Item.ID, recs[1].Item.ID)
	}
}

func TestOfflineExtractorAndBuild(t *testing.T) {
	e := skills.NewOfflineExtractor(vocab)
	got, _ := e.Extract(context.Background(), items[0])
	names := map[string]float64{}
	for _, s := range got {
		names[s.Name] = s.Weight
	}
	if _, ok := names["Programming"]; ok {
		t.Errorf("'python programming' also counted as 'programming': %v", names)
	}
	if names["Python Programming"] != 0.9 {
		t.Errorf("a skill in the title weighs 0.9: %v", names)
	}
	recs, err := skills.Run{Extractor: e, StatePath: filepath.Join(t.TempDir(), "s")}.Extract(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	sk, cs, as, err := skills.Build(context.Background(), recs, vocab, closeness{"Python Programming": 2, "Teamwork": 3, "Programming": 4}, 0.2)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) < 2 || len(as) != 1 || as[0].SkillName != "Teamwork" {
		t.Errorf("course rows %v, app rows %v", cs, as)
	}
	for _, s := range sk {
		if s.Name == "Python Programming" && (s.SourceCount != 2 || s.Category != "technical" || s.Aliases[0] != "Python") {
			t.Errorf("vocabulary skill lost its data or count: %+v", s)
		}
	}
}

func TestLLMExtractorReadsTheModel(t *testing.T) {
	f := fakeopenai.Start(func(n int, req fakeopenai.Request) fakeopenai.Answer {
		if n == 1 {
			return fakeopenai.Answer{Content: "```json\n{\"skills\": [{\"name\": \"  Python   Programming \", \"category\": \"Technical\", \"weight\": 0.95}, {\"name\": \"Working in Teams\", \"category\": \"weird\", \"weight\": 7}]}\n```"}
		}
		return fakeopenai.Answer{Content: "no json here"}
	})
	defer f.Close()
	chat, err := openai.NewChat(openai.ChatConfig{BaseURL: f.URL, Model: "m", Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	ex := skills.LLMExtractor{Model: chat, ModelName: "m"}
	got, err := ex.Extract(context.Background(), items[0])
	if err != nil || len(got) != 2 || got[0].Name != "Python Programming" || got[0].Category != "technical" || got[1].Category != "domain" || got[1].Weight != 1 {
		t.Fatalf("extracted %+v, %v", got, err)
	}
	if f.Last().User() != items[0].Text {
		t.Errorf("the model was sent %q", f.Last().User())
	}
	if _, err := ex.Extract(context.Background(), items[1]); err == nil {
		t.Error("an answer without JSON must be an error, so the item is retried")
	}
}

type renamed struct{ skills.Extractor }

func (renamed) Name() string { return "another" }

func TestAnotherExtractorOrEditedTextReadsAgain(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.jsonl")
	first := &counting{inner: skills.NewOfflineExtractor(vocab)}
	if _, err := (skills.Run{Extractor: first, StatePath: state}).Extract(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	other := &counting{inner: renamed{skills.NewOfflineExtractor(vocab)}}
	if _, err := (skills.Run{Extractor: other, StatePath: state}).Extract(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if other.calls.Load() != 3 {
		t.Errorf("another extractor read %d items, want all 3", other.calls.Load())
	}
	edited := append([]skills.Item(nil), items...)
	edited[0].Text += " Now with SQL."
	again := &counting{inner: skills.NewOfflineExtractor(vocab)}
	if _, err := (skills.Run{Extractor: again, StatePath: state}).Extract(context.Background(), edited); err != nil {
		t.Fatal(err)
	}
	if again.calls.Load() != 1 {
		t.Errorf("after editing one item %d were read, want 1", again.calls.Load())
	}
}
