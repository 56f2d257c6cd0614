// Package openai talks to OpenAI-compatible HTTP APIs (OpenAI, OpenRouter,
// Ollama, vLLM) through the official OpenAI Go SDK.
package openai

import (
	"context"
	"time"

	sdk "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/embedding"
)

// EmbedderConfig selects an embeddings endpoint.
type EmbedderConfig struct {
	BaseURL string        // e.g. https://api.openai.com/v1
	APIKey  string        // may be empty for local servers
	Model   string        // e.g. text-embedding-3-small
	Timeout time.Duration // per request, retries included; default 30 s
	Retries int           // on 429 and 5xx, honouring Retry-After; default 2
}

// Embedder calls POST {BaseURL}/embeddings.
type Embedder struct {
	client  sdk.Client
	model   string
	base    string
	timeout time.Duration
}

var _ vrrec.Embedder = (*Embedder)(nil)

// NewEmbedder returns an embedder for cfg.
func NewEmbedder(cfg EmbedderConfig) (*Embedder, error) {
	if cfg.BaseURL == "" || cfg.Model == "" {
		return nil, vrrec.Errorf(vrrec.EINVALID, "embeddings need a base URL and a model")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Retries < 0 {
		cfg.Retries = 0
	} else if cfg.Retries == 0 {
		cfg.Retries = 2
	}
	opts := []option.RequestOption{
		option.WithBaseURL(cfg.BaseURL),
		option.WithMaxRetries(cfg.Retries),
	}
	// The SDK would otherwise read OPENAI_API_KEY from the environment; the
	// key comes from vrrec's configuration only.
	opts = append(opts, option.WithAPIKey(cfg.APIKey))
	return &Embedder{client: sdk.NewClient(opts...), model: cfg.Model, base: cfg.BaseURL, timeout: cfg.Timeout}, nil
}

// Name implements vrrec.Embedder.
func (e *Embedder) Name() string { return "openai:" + e.base + "#" + e.model }

// Embed implements vrrec.Embedder. Vectors are returned L2-normalised in the
// order of texts, whatever order the server listed them in.
func (e *Embedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if len(texts) == 0 {
		return nil, nil
	}
	// One deadline for the call, retries and their waits included (the
	// SDK's request timeout would apply to each attempt).
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	// Servers reject empty inputs; a space embeds to a neutral vector.
	in := make([]string, len(texts))
	for i, t := range texts {
		in[i] = t
		if t == "" {
			in[i] = " "
		}
	}
	res, err := e.client.Embeddings.New(ctx, sdk.EmbeddingNewParams{
		Input:          sdk.EmbeddingNewParamsInputUnion{OfArrayOfStrings: in},
		Model:          sdk.EmbeddingModel(e.model),
		EncodingFormat: sdk.EmbeddingNewParamsEncodingFormatFloat,
	})
	if err != nil {
		return nil, vrrec.Errorf(vrrec.EUNAVAILABLE, "embeddings service at %s: %v", e.base, err)
	}
	out := make([][]float32, len(texts))
	for _, d := range res.Data {
		if d.Index < 0 || int(d.Index) >= len(out) || out[d.Index] != nil {
			return nil, vrrec.Errorf(vrrec.EUNAVAILABLE, "embeddings service returned an invalid index %d", d.Index)
		}
		out[d.Index] = embedding.Normalize(d.Embedding)
	}
	for i, v := range out {
		if v == nil {
			return nil, vrrec.Errorf(vrrec.EUNAVAILABLE, "embeddings service returned %d vectors for %d texts (missing %d)", len(res.Data), len(texts), i)
		}
		if len(v) != len(out[0]) {
			return nil, vrrec.Errorf(vrrec.EUNAVAILABLE, "embeddings service returned vectors of different sizes")
		}
	}
	return out, nil
}
