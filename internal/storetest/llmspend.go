package storetest

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/vrrec/vrrec"
)

// LLMSpend checks a vrrec.LLMSpendStore: additions from many writers at
// once all count, each sees totals that include its own and those before
// it (so no more than k writers see k calls or fewer: a limit holds),
// days stay apart.
func LLMSpend(t *testing.T, open func(t *testing.T) vrrec.LLMSpendStore) {
	ctx := context.Background()
	s := open(t)
	var wg sync.WaitGroup
	seen := make([]int64, 20)
	for i := range seen {
		wg.Go(func() {
			got, err := s.AddLLMSpend(ctx, vrrec.LLMSpend{Day: "2026-12-07", Calls: 1, PromptTokens: 100, CompletionTokens: 10})
			if err != nil {
				t.Error(err)
				return
			}
			seen[i] = got.Calls
		})
	}
	wg.Wait()
	slices.Sort(seen)
	for i, n := range seen {
		if n < int64(i+1) || n > 20 {
			t.Fatalf("calls seen by 20 writers: %v; the k-th smallest must be at least k", seen)
		}
	}
	if got, err := s.AddLLMSpend(ctx, vrrec.LLMSpend{Day: "2026-12-07", Calls: -1}); err != nil || got.Calls != 19 || got.Tokens() != 2200 {
		t.Errorf("giving a call back: %+v, %v", got, err)
	}
	if _, err := s.AddLLMSpend(ctx, vrrec.LLMSpend{Day: "2026-12-08", Calls: 1, PromptTokens: 5}); err != nil {
		t.Fatal(err)
	}
	days, err := s.LLMSpendDays(ctx, "2026-12-01", "2026-12-08")
	want := []vrrec.LLMSpend{{Day: "2026-12-07", Calls: 19, PromptTokens: 2000, CompletionTokens: 200}, {Day: "2026-12-08", Calls: 1, PromptTokens: 5}}
	if err != nil || !slices.Equal(days, want) {
		t.Errorf("days: %+v, %v; want %+v", days, err, want)
	}
	if days, err := s.LLMSpendDays(ctx, "2026-12-08", "2026-12-31"); err != nil || len(days) != 1 {
		t.Errorf("from the 8th: %+v, %v", days, err)
	}
}
