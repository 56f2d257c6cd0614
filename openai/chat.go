package openai

import (
	"context"
	"fmt"
	"strings"
	"time"

	sdk "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/vrrec/vrrec"
)

// ChatConfig selects a chat-completions endpoint: OpenRouter by default,
// or any OpenAI-compatible server (OpenAI, Ollama, vLLM).
type ChatConfig struct {
	BaseURL     string // e.g. https://openrouter.ai/api/v1
	APIKey      string
	Model       string  // e.g. google/gemini-2.0-flash-001
	Temperature float64 // 0.3 as the old system's ranking call
	Retries     int     // on 429 and 5xx with backoff, honouring Retry-After; default 2
	// AttemptTimeout bounds one HTTP attempt; the caller's context bounds
	// the whole call, retries included. Default 30 s.
	AttemptTimeout time.Duration
}

// Chat calls POST {BaseURL}/chat/completions.
type Chat struct {
	client      sdk.Client
	model       string
	temperature float64
	base        string
}

// NewChat returns a client for cfg.
func NewChat(cfg ChatConfig) (*Chat, error) {
	if cfg.BaseURL == "" || cfg.Model == "" {
		return nil, vrrec.Errorf(vrrec.EINVALID, "the LLM needs a base URL and a model")
	}
	if cfg.Retries == 0 {
		cfg.Retries = 2
	}
	if cfg.AttemptTimeout <= 0 {
		cfg.AttemptTimeout = 30 * time.Second
	}
	client := sdk.NewClient(
		option.WithBaseURL(cfg.BaseURL),
		option.WithAPIKey(cfg.APIKey),
		option.WithMaxRetries(max(cfg.Retries, 0)),
		option.WithRequestTimeout(cfg.AttemptTimeout),
	)
	return &Chat{client: client, model: cfg.Model, temperature: cfg.Temperature, base: cfg.BaseURL}, nil
}

// Model returns the model name.
func (c *Chat) Model() string { return c.model }

// Complete sends a system and a user message and returns the reply and the
// prompt and completion token counts. With onToken it streams, telling
// onToken each piece of text as it arrives. Any failure is EUNAVAILABLE: the
// caller answers without the model.
func (c *Chat) Complete(ctx context.Context, system, user string, onToken func(string)) (string, int64, int64, error) {
	params := sdk.ChatCompletionNewParams{
		Model:       sdk.ChatModel(c.model),
		Messages:    []sdk.ChatCompletionMessageParamUnion{sdk.SystemMessage(system), sdk.UserMessage(user)},
		Temperature: sdk.Float(c.temperature),
	}
	if onToken == nil {
		res, err := c.client.Chat.Completions.New(ctx, params)
		if err != nil {
			return "", 0, 0, c.failure(ctx, err)
		}
		if len(res.Choices) == 0 {
			return "", 0, 0, vrrec.Errorf(vrrec.EUNAVAILABLE, "LLM at %s returned no choices", c.base)
		}
		return res.Choices[0].Message.Content, res.Usage.PromptTokens, res.Usage.CompletionTokens, nil
	}

	params.StreamOptions = sdk.ChatCompletionStreamOptionsParam{IncludeUsage: sdk.Bool(true)}
	stream := c.client.Chat.Completions.NewStreaming(ctx, params)
	defer stream.Close()
	var text strings.Builder
	var in, out int64
	for stream.Next() {
		chunk := stream.Current()
		if chunk.Usage.TotalTokens > 0 {
			in, out = chunk.Usage.PromptTokens, chunk.Usage.CompletionTokens
		}
		for _, ch := range chunk.Choices {
			if d := ch.Delta.Content; d != "" {
				text.WriteString(d)
				onToken(d)
			}
		}
	}
	if err := stream.Err(); err != nil {
		return "", 0, 0, c.failure(ctx, err)
	}
	return text.String(), in, out, nil
}

// failure describes a failed call: the context's own error when the caller
// gave up or time ran out (so callers can tell those apart), else
// EUNAVAILABLE.
func (c *Chat) failure(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("LLM at %s: %w", c.base, ctx.Err())
	}
	return vrrec.Errorf(vrrec.EUNAVAILABLE, "LLM at %s: %v", c.base, err)
}
