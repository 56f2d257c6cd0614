package redis

import (
	"context"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/vrrec/vrrec"
)

// LLMSpend keeps the language model's daily spend in Redis (a hash per
// day, vrrec:llm_spend:YYYY-MM-DD), shared by every instance: it
// satisfies vrrec.LLMSpendStore. An addition is one MULTI of HINCRBYs, so
// each writer sees the totals just after its own addition. Days expire
// after SpendKeep.
type LLMSpend struct {
	Client *goredis.Client
}

// SpendKeep is how long a day's spend is kept.
const SpendKeep = 400 * 24 * time.Hour

func spendKey(day string) string { return "vrrec:llm_spend:" + day }

// AddLLMSpend implements vrrec.LLMSpendStore.
func (s *LLMSpend) AddLLMSpend(ctx context.Context, add vrrec.LLMSpend) (vrrec.LLMSpend, error) {
	key := spendKey(add.Day)
	var calls, prompt, completion *goredis.IntCmd
	_, err := s.Client.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		calls = p.HIncrBy(ctx, key, "calls", add.Calls)
		prompt = p.HIncrBy(ctx, key, "prompt_tokens", add.PromptTokens)
		completion = p.HIncrBy(ctx, key, "completion_tokens", add.CompletionTokens)
		p.Expire(ctx, key, SpendKeep)
		return nil
	})
	if err != nil {
		return vrrec.LLMSpend{}, fmt.Errorf("add LLM spend in redis: %w", err)
	}
	return vrrec.LLMSpend{Day: add.Day, Calls: calls.Val(), PromptTokens: prompt.Val(), CompletionTokens: completion.Val()}, nil
}

// LLMSpendDays implements vrrec.LLMSpendStore.
func (s *LLMSpend) LLMSpendDays(ctx context.Context, from, to string) ([]vrrec.LLMSpend, error) {
	start, err := time.Parse(time.DateOnly, from)
	if err != nil {
		return nil, fmt.Errorf("LLM spend: %w", err)
	}
	end, err := time.Parse(time.DateOnly, to)
	if err != nil {
		return nil, fmt.Errorf("LLM spend: %w", err)
	}
	var days []string
	for d := start; !d.After(end) && len(days) <= 3660; d = d.AddDate(0, 0, 1) {
		days = append(days, d.Format(time.DateOnly))
	}
	cmds := make([]*goredis.MapStringStringCmd, len(days))
	if _, err := s.Client.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for i, day := range days {
			cmds[i] = p.HGetAll(ctx, spendKey(day))
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("LLM spend in redis: %w", err)
	}
	out := []vrrec.LLMSpend{}
	for i, cmd := range cmds {
		h := cmd.Val()
		if len(h) == 0 {
			continue
		}
		n := func(field string) int64 { v, _ := strconv.ParseInt(h[field], 10, 64); return v }
		out = append(out, vrrec.LLMSpend{Day: days[i], Calls: n("calls"), PromptTokens: n("prompt_tokens"), CompletionTokens: n("completion_tokens")})
	}
	return out, nil
}
