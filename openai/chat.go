package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
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
	// JSONMode is how CompleteJSON asks for a JSON answer: JSONSchema,
	// JSONObject, JSONAuto, which probes the server once (JSONMode), or
	// JSONNone ("" too), the prompt alone.
	JSONMode string
}

// How a server is asked for an answer in JSON (LLM_JSON_MODE).
const (
	// JSONAuto probes the server: JSONSchema when it accepts it, else
	// JSONObject when it accepts that, else JSONNone.
	JSONAuto = "auto"
	// JSONSchema sends response_format {"type": "json_schema"} (OpenAI,
	// OpenRouter, vLLM, Ollama).
	JSONSchema = "json_schema"
	// JSONObject sends response_format {"type": "json_object", "schema"}
	// (llama.cpp's server and llama-cpp-python's, which constrain the
	// output by a grammar made from the schema).
	JSONObject = "json_object"
	// JSONNone asks for JSON in the prompt alone.
	JSONNone = "none"
)

// JSONModes lists the valid JSONMode settings.
var JSONModes = []string{JSONAuto, JSONSchema, JSONObject, JSONNone}

// Chat calls POST {BaseURL}/chat/completions.
type Chat struct {
	client      sdk.Client
	model       string
	temperature float64
	base        string
	jsonMode    string

	probeMu sync.Mutex // one probe at a time
	probed  string     // the mode the probe found, "" until it has
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
	mode := cfg.JSONMode
	if mode == "" {
		mode = JSONNone
	}
	if !slices.Contains(JSONModes, mode) {
		return nil, vrrec.Errorf(vrrec.EINVALID, "JSON mode %q: want one of %s", mode, strings.Join(JSONModes, ", "))
	}
	return &Chat{client: client, model: cfg.Model, temperature: cfg.Temperature, base: cfg.BaseURL, jsonMode: mode}, nil
}

// Model returns the model name.
func (c *Chat) Model() string { return c.model }

// Complete sends a system and a user message and returns the reply and the
// prompt and completion token counts. With onToken it streams, telling
// onToken each piece of text as it arrives. Any failure is EUNAVAILABLE: the
// caller answers without the model.
func (c *Chat) Complete(ctx context.Context, system, user string, onToken func(string)) (string, int64, int64, error) {
	return c.complete(ctx, c.params(system, user, 0), onToken)
}

// CompleteJSON is Complete for an answer in JSON that follows schema (a
// JSON Schema object), asked for the way the server supports (JSONMode),
// and at most maxTokens long (0: the server's default). The answer may
// still be cut short or, under JSONNone, not JSON at all: the caller
// parses it.
func (c *Chat) CompleteJSON(ctx context.Context, system, user string, schema json.RawMessage, maxTokens int, onToken func(string)) (string, int64, int64, error) {
	params := c.params(system, user, maxTokens)
	return c.complete(ctx, params, onToken, responseFormat(c.JSONMode(ctx), schema)...)
}

func (c *Chat) params(system, user string, maxTokens int) sdk.ChatCompletionNewParams {
	params := sdk.ChatCompletionNewParams{
		Model:       sdk.ChatModel(c.model),
		Messages:    []sdk.ChatCompletionMessageParamUnion{sdk.SystemMessage(system), sdk.UserMessage(user)},
		Temperature: sdk.Float(c.temperature),
	}
	if maxTokens > 0 {
		params.MaxTokens = sdk.Int(int64(maxTokens))
	}
	return params
}

// responseFormat is the request's response_format in mode: none for
// JSONNone.
func responseFormat(mode string, schema json.RawMessage) []option.RequestOption {
	switch mode {
	case JSONSchema:
		// Not strict: the schemas bound lengths (maxLength, maxItems), which
		// not every strict validator accepts; the answer is parsed anyway.
		return []option.RequestOption{option.WithJSONSet("response_format", map[string]any{
			"type": "json_schema", "json_schema": map[string]any{"name": "answer", "strict": false, "schema": schema}})}
	case JSONObject:
		return []option.RequestOption{option.WithJSONSet("response_format", map[string]any{"type": "json_object", "schema": schema})}
	}
	return nil
}

// JSONMode returns how CompleteJSON asks for JSON: the configured mode,
// or under JSONAuto what a probe of the server found. The probe is one tiny
// request with a json_schema response_format. A server that answers it
// with an error status (llama.cpp's refuses it with 422, llama-cpp-python
// 0.3.36's with 500) is asked again with json_object and the schema: one
// that takes that is a json_object server, and one that refuses both with
// a 4xx understands neither (JSONNone). The result is kept for the life of
// c. A probe that could not tell keeps nothing, so the next call probes
// again: no answer, 408 or 429 to json_schema gives JSONNone for now, and
// any of those or a 5xx to json_object (a server busy with a long answer)
// JSONObject.
func (c *Chat) JSONMode(ctx context.Context) string {
	if c.jsonMode != JSONAuto {
		return c.jsonMode
	}
	c.probeMu.Lock()
	defer c.probeMu.Unlock()
	if c.probed != "" {
		return c.probed
	}
	probe := func(mode string) int {
		params := c.params("Answer in JSON.", `Say {"ok": true}.`, 8)
		// Once: a server that refuses the mode with a 5xx must not be
		// asked again and again.
		opts := append(responseFormat(mode, probeSchema), option.WithMaxRetries(0))
		_, _, _, err := c.complete(ctx, params, nil, opts...)
		var se *statusError
		switch {
		case err == nil:
			return http.StatusOK
		case errors.As(err, &se) && se.status != http.StatusTooManyRequests && se.status != http.StatusRequestTimeout:
			return se.status
		}
		return 0 // no telling
	}
	refused := func(status int) bool { return status >= 400 && status < 500 }
	schema := probe(JSONSchema)
	switch {
	case schema == http.StatusOK:
		c.probed = JSONSchema
		return c.probed
	case schema == 0:
		return JSONNone
	}
	switch object := probe(JSONObject); {
	case object == http.StatusOK:
		c.probed = JSONObject
	case refused(object) && refused(schema):
		c.probed = JSONNone
	default:
		// Busy or failing: json_object is the better guess for a server
		// that refused json_schema.
		return JSONObject
	}
	return c.probed
}

var probeSchema = json.RawMessage(`{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"],"additionalProperties":false}`)

// ContextSize returns the model's context window in tokens as the server
// reports it (llama.cpp's GET /props), or 0 when it does not say.
func (c *Chat) ContextSize(ctx context.Context) int {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(strings.TrimSuffix(c.base, "/"), "/v1")+"/props", nil)
	if err != nil {
		return 0
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	var props struct {
		NCtx     int `json:"n_ctx"`
		Defaults struct {
			NCtx int `json:"n_ctx"`
		} `json:"default_generation_settings"`
	}
	if res.StatusCode != http.StatusOK || json.NewDecoder(res.Body).Decode(&props) != nil {
		return 0
	}
	return max(props.NCtx, props.Defaults.NCtx)
}

func (c *Chat) complete(ctx context.Context, params sdk.ChatCompletionNewParams, onToken func(string), opts ...option.RequestOption) (string, int64, int64, error) {
	if onToken == nil {
		res, err := c.client.Chat.Completions.New(ctx, params, opts...)
		if err != nil {
			return "", 0, 0, c.failure(ctx, err)
		}
		if len(res.Choices) == 0 {
			return "", 0, 0, vrrec.Errorf(vrrec.EUNAVAILABLE, "LLM at %s returned no choices", c.base)
		}
		return res.Choices[0].Message.Content, res.Usage.PromptTokens, res.Usage.CompletionTokens, nil
	}

	params.StreamOptions = sdk.ChatCompletionStreamOptionsParam{IncludeUsage: sdk.Bool(true)}
	stream := c.client.Chat.Completions.NewStreaming(ctx, params, opts...)
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
	e := vrrec.Errorf(vrrec.EUNAVAILABLE, "LLM at %s: %v", c.base, err)
	var apiErr *sdk.Error
	if errors.As(err, &apiErr) {
		return &statusError{err: e, status: apiErr.StatusCode}
	}
	return e
}

// statusError is a failure the server answered with an HTTP status, which
// JSONMode's probe reads.
type statusError struct {
	err    *vrrec.Error
	status int
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }
