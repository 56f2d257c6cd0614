package llm_test

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/chat"
	"github.com/vrrec/vrrec/eval"
	"github.com/vrrec/vrrec/internal/fakeopenai"
	"github.com/vrrec/vrrec/internal/inmem"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/llm"
)

// TestLLMCallsPerHundredRequests counts model calls for 100 chat requests
// drawn, with repeats, from the labeled queries (popular questions asked
// more often, Zipf s=1.2, fixed seed). The old system made two calls per
// recommendation and cached nothing. docs/llm-cost.md records the figures.
func TestLLMCallsPerHundredRequests(t *testing.T) {
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	set, err := eval.LoadSet(filepath.Join(testenv.RepoRoot(), "eval", "default.json"))
	if err != nil {
		t.Fatal(err)
	}
	eng := testenv.Engine(t, cat)
	f := fake(t, fakeopenai.Ranker(0))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ranker := newRanker(t, f, llm.NewMemoryCache(1000, time.Hour), llm.Options{}, 0)
	svc := chat.New(func() chat.Engine { return eng }, inmem.NewSessions(), log)
	svc.SetExplainer(ranker)

	zipf := rand.NewZipf(rand.New(rand.NewPCG(1, 2)), 1.2, 1, uint64(len(set.Queries)-1))
	distinct := map[string]bool{}
	recommendations := 0
	for i := 0; i < 100; i++ {
		q := set.Queries[zipf.Uint64()].Query
		reply, err := svc.Answer(context.Background(), vrrec.Question{UserID: "student", SessionID: "s", Message: q}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if reply.Intent == chat.IntentRecommendation {
			recommendations++
			distinct[q] = true
		}
	}
	old := 2 * recommendations
	t.Logf("100 requests: %d recommendations over %d distinct questions; old system %d LLM calls, vrrec %d (%d cache hits)",
		recommendations, len(distinct), old, f.Calls(), ranker.Stats.CacheHits.Load())
	if ranker.Stats.Errors.Load() != 0 {
		t.Fatalf("%d model errors: the count would not be realistic", ranker.Stats.Errors.Load())
	}
	if f.Calls() > len(distinct) {
		t.Errorf("%d calls for %d distinct questions: a repeated question must cost nothing", f.Calls(), len(distinct))
	}
	if f.Calls() >= old/2 {
		t.Errorf("%d calls is no saving over the old system's %d", f.Calls(), old)
	}
}
