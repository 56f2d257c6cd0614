package main

import (
	"context"
	"log/slog"
	"sync/atomic"

	goredis "github.com/redis/go-redis/v9"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/chat"
	"github.com/vrrec/vrrec/config"
	"github.com/vrrec/vrrec/llm"
	"github.com/vrrec/vrrec/metrics"
	"github.com/vrrec/vrrec/openai"
	"github.com/vrrec/vrrec/redis"
)

// useLLM builds the ranker from the effective settings (staff's stored
// ones win over the environment) and makes chat explain with it; nil
// without a model.
func (m *Main) useLLM(ctx context.Context) error {
	c := m.effective(ctx)
	r, err := newRanker(c, m.redis, m.Log, m.metrics, m.appNames, m.llmBudget())
	if err != nil {
		return err
	}
	m.ranker.Store(r)
	m.rankerModel.Store(c.LLMModel)
	if r == nil {
		m.chat.SetExplainer(nil)
	} else {
		m.chat.SetExplainer(r)
	}
	return nil
}

// llmBudget is the model's daily budget, one for the process (rankers
// come and go as staff change the model), kept in Redis when there is one
// and in the database otherwise, so every instance shares it; its limits
// and prices are read from the effective settings, so a change on the
// configuration page reaches every instance.
func (m *Main) llmBudget() *llm.DailyBudget {
	m.budgetOnce.Do(func() {
		var store vrrec.LLMSpendStore = m.db
		if m.redis != nil {
			store = &redis.LLMSpend{Client: m.redis}
		}
		m.budget = &llm.DailyBudget{Store: store, Log: m.Log, Settings: func(ctx context.Context) llm.BudgetSettings {
			c := m.effective(ctx)
			return llm.BudgetSettings{Tokens: c.LLMDailyTokens, Calls: c.LLMDailyCalls, PriceInput: c.LLMPriceInput, PriceOutput: c.LLMPriceOutput}
		}}
	})
	return m.budget
}

// appNames lists the served catalog's apps.
func (m *Main) appNames() []string {
	apps := m.live.Current().Engine.Apps()
	names := make([]string, len(apps))
	for i, a := range apps {
		names[i] = a.Name
	}
	return names
}

// llmCounters are the ranker's counts exported as metrics, with their help.
var llmCounters = []struct {
	name, help string
	pick       func(*llm.Stats) *atomic.Int64
}{
	{"calls", "LLM calls.", func(s *llm.Stats) *atomic.Int64 { return &s.Calls }},
	{"errors", "LLM errors.", func(s *llm.Stats) *atomic.Int64 { return &s.Errors }},
	{"cache_hits", "LLM cache hits.", func(s *llm.Stats) *atomic.Int64 { return &s.CacheHits }},
	{"prompt_tokens", "LLM prompt tokens.", func(s *llm.Stats) *atomic.Int64 { return &s.PromptTokens }},
	{"completion_tokens", "LLM completion tokens.", func(s *llm.Stats) *atomic.Int64 { return &s.OutputTokens }},
	{"breaker_rejects", "LLM breaker rejects.", func(s *llm.Stats) *atomic.Int64 { return &s.BreakerRejects }},
	{"shared", "LLM answers served by an identical question's call already in flight.", func(s *llm.Stats) *atomic.Int64 { return &s.Shared }},
	{"over_budget", "Answers given from retrieval alone because the day's LLM budget (LLM_DAILY_TOKENS, LLM_DAILY_CALLS) was spent.",
		func(s *llm.Stats) *atomic.Int64 { return &s.OverBudget }},
	{"invalid", "LLM answers that arrived but could not be used: not JSON, or naming none of the candidates.",
		func(s *llm.Stats) *atomic.Int64 { return &s.Invalid }},
	{"rejected", "LLM sentences replaced by the deterministic reason: they named an app outside the candidates, linked or gave instructions.",
		func(s *llm.Stats) *atomic.Int64 { return &s.Rejected }},
}

// registerLLMMetrics exports the counts of the ranker in use (they restart
// when staff change the LLM).
func (m *Main) registerLLMMetrics() {
	for _, c := range llmCounters {
		m.metrics.CounterFunc("vrrec_llm_"+c.name+"_total", c.help, func() float64 {
			if r := m.ranker.Load(); r != nil {
				return float64(c.pick(&r.Stats).Load())
			}
			return 0
		})
	}
}

// registerAnswerMetrics exports how the model's answers came
// (chat.LLMAnswers): vrrec_llm_answers_total{outcome} and
// vrrec_llm_changed_picks_total.
func (m *Main) registerAnswerMetrics() {
	read := func(f func(chat.LLMAnswers) int64) func() float64 {
		return func() float64 { return float64(f(m.chat.LLMAnswers())) }
	}
	m.metrics.LabeledCounterFunc("vrrec_llm_answers_total",
		"Answers a language model was asked to order and explain, by how its answer came: in_time (within the chat's time, or LLM_WAIT for POST /chat), late (retrieval's answer stood), failed.",
		"outcome", map[string]func() float64{
			"in_time": read(func(a chat.LLMAnswers) int64 { return a.InTime }),
			"late":    read(func(a chat.LLMAnswers) int64 { return a.Late }),
			"failed":  read(func(a chat.LLMAnswers) int64 { return a.Failed }),
		})
	m.metrics.CounterFunc("vrrec_llm_changed_picks_total", "Answers in time where the language model showed other apps or another order than retrieval.",
		read(func(a chat.LLMAnswers) int64 { return a.ChangedPicks }))
}

// llmReport is the dashboard's LLM report: the spend per day beside the
// budget, and how this instance's answers from the model came.
func (m *Main) llmReport(ctx context.Context, days int) (any, error) {
	rep, err := m.llmBudget().Report(ctx, days)
	if err != nil {
		return nil, err
	}
	return struct {
		llm.SpendReport
		Answers chat.LLMAnswers `json:"answers"`
	}{rep, m.chat.LLMAnswers()}, nil
}

// llmInfo is the LLM's entry in /health.
func (m *Main) llmInfo() any {
	r := m.ranker.Load()
	if r == nil {
		return "off"
	}
	return map[string]any{"model": m.rankerModel.Load(), "calls": r.Stats.Calls.Load(), "errors": r.Stats.Errors.Load(),
		"cache_hits": r.Stats.CacheHits.Load(), "breaker_rejects": r.Stats.BreakerRejects.Load(),
		"shared": r.Stats.Shared.Load(), "rejected": r.Stats.Rejected.Load(), "over_budget": r.Stats.OverBudget.Load(),
		"invalid": r.Stats.Invalid.Load()}
}

// newRanker returns the LLM ranker when a model is configured, caching its
// answers in Redis when there is one and in memory otherwise; nil without a
// model. appNames lists the served catalog's apps, so the model's free text
// naming one outside the candidates is caught; budget bounds its daily use.
func newRanker(cfg config.Config, client *goredis.Client, log *slog.Logger, m *metrics.Metrics, appNames func() []string, budget llm.Budget) (*llm.Ranker, error) {
	if !cfg.LLMEnabled() {
		log.Info("no LLM configured: reasons come from the matched skills (set OPENROUTER_API_KEY or LLM_BASE_URL)")
		return nil, nil
	}
	model, err := openai.NewChat(openai.ChatConfig{BaseURL: cfg.LLMBaseURL, APIKey: cfg.LLMAPIKey, Model: cfg.LLMModel,
		Temperature: 0.3, AttemptTimeout: cfg.LLMTimeout, JSONMode: cfg.LLMJSONMode})
	if err != nil {
		return nil, err
	}
	var cache llm.Cache = llm.NewMemoryCache(10000, cfg.LLMCacheTTL)
	if client != nil {
		cache = &redis.Cache{Client: client}
	}
	log.Info("LLM explains recommendations", "model", cfg.LLMModel, "base_url", cfg.LLMBaseURL)
	r := llm.New(model, cache, llm.Options{Timeout: cfg.LLMTimeout, CacheTTL: cfg.LLMCacheTTL, OnCall: m.LLMCall, AppNames: appNames, Budget: budget,
		Prompt: cfg.LLMPrompt, ContextTokens: cfg.LLMContext}, log)
	// The JSON mode's probe and the context size, asked once now rather
	// than on the first student's question.
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), cfg.LLMTimeout)
		defer cancel()
		log.Info("LLM JSON mode", "mode", model.JSONMode(ctx), "prompt", r.Style(ctx))
	}()
	return r, nil
}
