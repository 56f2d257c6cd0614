package vrrec

import "context"

// LLMSpend is one UTC day's use of the language model, from the usage its
// API reports: calls made and tokens read and written.
type LLMSpend struct {
	Day              string `json:"day"` // YYYY-MM-DD, UTC
	Calls            int64  `json:"calls"`
	PromptTokens     int64  `json:"prompt_tokens"`
	CompletionTokens int64  `json:"completion_tokens"`
}

// Tokens is the day's tokens read and written.
func (s LLMSpend) Tokens() int64 { return s.PromptTokens + s.CompletionTokens }

// LLMSpendStore keeps the language model's daily spend, shared by every
// instance, so a daily budget bounds them together. Errors mean the store
// could not be reached.
type LLMSpendStore interface {
	// AddLLMSpend adds add's counts (negative to give back) to its day's
	// and returns the day's totals after the addition: they include it and
	// every addition made before it (and may include some made at the
	// same moment), so of writers checking a limit against them no more
	// pass than the limit allows.
	AddLLMSpend(ctx context.Context, add LLMSpend) (LLMSpend, error)
	// LLMSpendDays returns the days from through to (YYYY-MM-DD) that
	// have any spend, oldest first.
	LLMSpendDays(ctx context.Context, from, to string) ([]LLMSpend, error)
}
