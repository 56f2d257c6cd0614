package sqlite

import (
	"context"
	"fmt"

	"github.com/vrrec/vrrec"
)

// AddLLMSpend implements vrrec.LLMSpendStore: one upsert, so instances
// adding at once each see the totals after their own addition.
func (d *DB) AddLLMSpend(ctx context.Context, add vrrec.LLMSpend) (vrrec.LLMSpend, error) {
	out := vrrec.LLMSpend{Day: add.Day}
	err := d.db.QueryRowContext(ctx, `INSERT INTO llm_spend (day, calls, prompt_tokens, completion_tokens) VALUES (?, ?, ?, ?)
		ON CONFLICT (day) DO UPDATE SET calls = calls + excluded.calls, prompt_tokens = prompt_tokens + excluded.prompt_tokens,
			completion_tokens = completion_tokens + excluded.completion_tokens
		RETURNING calls, prompt_tokens, completion_tokens`, add.Day, add.Calls, add.PromptTokens, add.CompletionTokens).
		Scan(&out.Calls, &out.PromptTokens, &out.CompletionTokens)
	if err != nil {
		return vrrec.LLMSpend{}, fmt.Errorf("add LLM spend: %w", err)
	}
	return out, nil
}

// LLMSpendDays implements vrrec.LLMSpendStore.
func (d *DB) LLMSpendDays(ctx context.Context, from, to string) ([]vrrec.LLMSpend, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT day, calls, prompt_tokens, completion_tokens FROM llm_spend
		WHERE day >= ? AND day <= ? ORDER BY day`, from, to)
	if err != nil {
		return nil, fmt.Errorf("LLM spend: %w", err)
	}
	defer rows.Close()
	out := []vrrec.LLMSpend{}
	for rows.Next() {
		var s vrrec.LLMSpend
		if err := rows.Scan(&s.Day, &s.Calls, &s.PromptTokens, &s.CompletionTokens); err != nil {
			return nil, fmt.Errorf("LLM spend: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("LLM spend: %w", err)
	}
	return out, nil
}
