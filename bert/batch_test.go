package bert_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vrrec/vrrec/bert"
)

func cosine(a, b []float32) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	return ab / math.Sqrt(aa*bb)
}

// batchTexts are questions of very different lengths, so that a packed batch
// mixes sequences of 2 to 256 tokens.
func batchTexts() []string {
	texts := []string{"", "VR", "I'm learning Python and want VR apps for data science",
		"public speaking", "统计学 and anatomy", strings.Repeat("course description with many words ", 60),
		"surgery training for medical students", "15-112", "anything cheaper?", "Beat Saber. fitness. A rhythm game"}
	for i := range 14 {
		texts = append(texts, fmt.Sprintf("apps for %s practice number %d", strings.Repeat("chemistry ", i%4+1), i))
	}
	return texts
}

// alone embeds each text in a call of its own, in turn, so that each is a
// batch of one.
func alone(t *testing.T, e *bert.Encoder, texts []string) [][]float32 {
	t.Helper()
	out := make([][]float32, len(texts))
	for i, text := range texts {
		v, err := e.Embed(context.Background(), []string{text})
		if err != nil {
			t.Fatal(err)
		}
		out[i] = v[0]
	}
	return out
}

// TestPackedBatchMatchesSingle embeds questions of 2 to 256 tokens in one
// forward pass and each alone: packing must not change any vector.
func TestPackedBatchMatchesSingle(t *testing.T) {
	e := embedded(t)
	texts := batchTexts()
	want := alone(t, e, texts)
	got := bert.EmbedPacked(e, texts)
	worst := 1.0
	for i := range texts {
		c := cosine(got[i], want[i])
		worst = min(worst, c)
		if c < 0.9999 {
			t.Errorf("%q: cosine %.6f between batched and single, want ≥ 0.9999", texts[i], c)
		}
	}
	t.Logf("lowest cosine batched vs single over %d questions: %.7f", len(texts), worst)
}

// TestConcurrentQuestionsAreBatched asks many questions at once: they must
// share forward passes and get the vectors they get alone.
func TestConcurrentQuestionsAreBatched(t *testing.T) {
	e := embedded(t).WithBatching(bert.Batching{MaxQuestions: 64, MaxTokens: 4096, Wait: 2 * time.Millisecond})
	texts := batchTexts()
	want := alone(t, e, texts)
	passes0, questions0 := e.BatchStats()
	if passes0 != int64(len(texts)) || questions0 != int64(len(texts)) {
		t.Fatalf("one question at a time: %d passes for %d questions, want one each", passes0, questions0)
	}
	const rounds = 3
	var wg sync.WaitGroup
	errs := make(chan error, rounds*len(texts))
	for r := range rounds {
		for i := range texts {
			wg.Go(func() {
				got, err := e.Embed(context.Background(), []string{texts[i]})
				if err != nil {
					errs <- err
					return
				}
				if c := cosine(got[0], want[i]); c < 0.9999 {
					errs <- fmt.Errorf("round %d, %q: cosine %.6f batched vs single", r, texts[i], c)
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	passes, questions := e.BatchStats()
	passes, questions = passes-passes0, questions-questions0
	if questions != rounds*int64(len(texts)) {
		t.Errorf("%d questions answered, want %d", questions, rounds*len(texts))
	}
	if passes >= questions {
		t.Errorf("%d concurrent questions took %d forward passes: none were batched", questions, passes)
	}
	t.Logf("%d concurrent questions in %d forward passes", questions, passes)
}

// TestWaitingQuestionCancelled cancels a question while it waits behind
// long ones: it returns its context's error at once, and no forward pass
// computes it.
func TestWaitingQuestionCancelled(t *testing.T) {
	e := embedded(t).WithBatching(bert.Batching{MaxQuestions: 8, MaxTokens: 300})
	long := strings.Repeat("course description with many words ", 60) // 256 tokens: one a pass
	busy := 2 * runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for i := range busy {
		wg.Go(func() {
			if _, err := e.Embed(context.Background(), []string{fmt.Sprint(i, long)}); err != nil {
				t.Error(err)
			}
		})
	}
	time.Sleep(20 * time.Millisecond) // the long questions queue first
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	v, err := e.Embed(ctx, []string{"a question that waits too long"})
	if !errors.Is(err, context.DeadlineExceeded) || v != nil {
		t.Errorf("cancelled question = %d vectors, %v; want none, context.DeadlineExceeded", len(v), err)
	}
	wg.Wait()
	if _, questions := e.BatchStats(); questions != int64(busy) {
		t.Errorf("%d questions computed, want the %d long ones only", questions, busy)
	}
	// The encoder keeps answering after a question gave up.
	if v, err := e.Embed(context.Background(), []string{"public speaking"}); err != nil || len(v) != 1 {
		t.Errorf("after a cancelled question: %d vectors, %v", len(v), err)
	}
}
