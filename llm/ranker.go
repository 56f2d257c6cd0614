// Package llm lets a language model understand a query, re-order the
// retrieved apps and explain each one, in one call per answer. The model may
// only reorder and explain apps the retrieval found: anything else it names
// is dropped. Every failure (timeout, error, malformed answer, open circuit)
// leaves the deterministic answer in place, so the student never waits on or
// sees a broken model. Results are cached by query, catalog and model.
package llm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"
	"golang.org/x/sync/singleflight"

	"github.com/vrrec/vrrec"
)

// Completer is a chat model: a system and a user message in, an answer in
// JSON following schema out, at most maxTokens long. With onToken it
// streams the text as it arrives. The text may still not be valid JSON:
// the ranker parses it.
type Completer interface {
	CompleteJSON(ctx context.Context, system, user string, schema json.RawMessage, maxTokens int, onToken func(string)) (text string, promptTokens, completionTokens int64, err error)
	Model() string
}

// ContextSizer is a Completer that can tell its model's context window in
// tokens (0 when it cannot), for PromptAuto.
type ContextSizer interface {
	ContextSize(ctx context.Context) int
}

// Cache keeps parsed model answers. Errors are treated as misses.
type Cache interface {
	Get(ctx context.Context, key string) ([]byte, bool, error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// Options tune the ranker; zero values select the defaults.
type Options struct {
	Timeout  time.Duration // one call, retries included; default 30 s
	CacheTTL time.Duration // default 24 h
	// The circuit opens after this many failures in a row (default 5) and
	// stays open for BreakerOpen (default 30 s), answering without the model.
	BreakerFailures uint32
	BreakerOpen     time.Duration
	// OnCall, when set, is told how long each model call took and the
	// tokens it read and wrote, as the server counted them.
	OnCall func(took time.Duration, promptTokens, completionTokens int64)
	// Prompt is PromptFull, PromptCompact or PromptAuto (the default):
	// compact when the model's context (ContextTokens, else what the
	// server tells, see ContextSizer) is under CompactBelow tokens.
	Prompt        string
	ContextTokens int
	// AppNames, when set, returns the names of every app of the catalog,
	// so a reason that names one the model was not given is caught.
	AppNames func() []string
	// Budget, when set, bounds the calls and tokens of a day: past it the
	// answer comes from retrieval alone (Result.LLMBudgetSpent).
	Budget Budget
}

// Stats counts what the ranker did, for metrics.
type Stats struct {
	Calls, Errors, CacheHits      atomic.Int64
	PromptTokens, OutputTokens    atomic.Int64
	LatencyMicros, BreakerRejects atomic.Int64
	// Shared counts answers that waited for an identical question's call
	// already in flight; Rejected the model's sentences replaced because
	// they named an app it was not given, linked somewhere or gave
	// instructions; OverBudget the answers given from retrieval alone
	// because the day's budget was spent.
	Shared, Rejected, OverBudget atomic.Int64
	// Invalid counts answers that arrived but could not be used: not JSON,
	// or naming none of the candidates.
	Invalid atomic.Int64
}

// Ranker explains and re-orders results with a model. Safe for concurrent use.
type Ranker struct {
	model    Completer
	cache    Cache
	opts     Options
	breaker  *gobreaker.CircuitBreaker[*ranking]
	inflight singleflight.Group
	log      *slog.Logger
	Stats    Stats

	promptOnce sync.Once
	prompt     string // PromptFull or PromptCompact, once resolved (Style)
}

// New returns a ranker; cache may be nil.
func New(model Completer, cache Cache, opts Options, log *slog.Logger) *Ranker {
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.CacheTTL <= 0 {
		opts.CacheTTL = 24 * time.Hour
	}
	if opts.BreakerFailures == 0 {
		opts.BreakerFailures = 5
	}
	if opts.BreakerOpen <= 0 {
		opts.BreakerOpen = 30 * time.Second
	}
	if log == nil {
		log = slog.Default()
	}
	if opts.Prompt == "" {
		opts.Prompt = PromptAuto
	}
	r := &Ranker{model: model, cache: cache, opts: opts, log: log}
	r.breaker = gobreaker.NewCircuitBreaker[*ranking](gobreaker.Settings{
		Name:        "llm",
		MaxRequests: 1,
		Timeout:     opts.BreakerOpen,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= opts.BreakerFailures },
		// A student who closed the page says nothing about the provider.
		IsExcluded: func(err error) bool { return errors.Is(err, context.Canceled) },
		OnStateChange: func(_ string, from, to gobreaker.State) {
			log.Warn("LLM circuit breaker", "from", from.String(), "to", to.String())
		},
	})
	return r
}

// ranking is a parsed, validated model answer. NoneFits is the model
// saying no candidate serves the student.
type ranking struct {
	Understanding string `json:"understanding"`
	Items         []item `json:"items"`
	NoneFits      bool   `json:"none_fits,omitempty"`
}

type item struct {
	AppID  string `json:"app_id"`
	Reason string `json:"reason"`
}

// Rerank asks the model to explain and order res.Apps and returns the
// result with its reasons and order, or res marked as a fallback when the
// model could not answer. onToken, when set, receives the model's text as it
// streams. Rerank never fails and never adds an app.
func (r *Ranker) Rerank(ctx context.Context, res *vrrec.Result, onToken func(string)) *vrrec.Result {
	if len(res.Apps) == 0 {
		return res
	}
	key := cacheKey(res, r.model.Model()+"\x00"+r.Style(ctx))
	if rk, ok := r.cached(ctx, key); ok {
		r.Stats.CacheHits.Add(1)
		return apply(res, rk)
	}
	rk, err := r.shared(ctx, key, res, onToken)
	if err != nil {
		out := *res
		out.LLMFallback = true
		switch {
		case errors.Is(err, ErrBudgetSpent):
			r.Stats.OverBudget.Add(1)
			out.LLMBudgetSpent = true
			return &out
		case errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests):
			r.Stats.BreakerRejects.Add(1)
		}
		if ctx.Err() != nil {
			// The caller stopped waiting (LLM_WAIT, the chat's time): the
			// call goes on and its answer is cached for the next time.
			r.log.DebugContext(ctx, "LLM answer not in time, answering with deterministic reasons", "err", err)
			return &out
		}
		r.log.WarnContext(ctx, "LLM unavailable, answering with deterministic reasons", "err", err)
		return &out
	}
	return apply(res, rk)
}

// shared makes one model call for identical questions asked at the same
// moment (same query, catalog and model): the first caller's call serves
// them all, and only the first sees the tokens stream. The call runs on a
// context of its own, bounded by Timeout, so a student who leaves does not
// fail the others; each caller still stops waiting when its own context
// ends.
func (r *Ranker) shared(ctx context.Context, key string, res *vrrec.Result, onToken func(string)) (*ranking, error) {
	first := false
	ch := r.inflight.DoChan(key, func() (any, error) {
		first = true
		callCtx := context.WithoutCancel(ctx)
		if err := r.reserve(callCtx); err != nil {
			return nil, err
		}
		rk, err := r.breaker.Execute(func() (*ranking, error) { return r.call(callCtx, res, onToken) })
		if err == nil && r.cache != nil {
			if b, merr := json.Marshal(rk); merr == nil {
				if err := r.cache.Set(callCtx, key, b, r.opts.CacheTTL); err != nil {
					r.log.DebugContext(ctx, "LLM cache write failed", "err", err)
				}
			}
		}
		return rk, err
	})
	select {
	case out := <-ch:
		if out.Shared && !first {
			r.Stats.Shared.Add(1)
		}
		if out.Err != nil {
			return nil, out.Err
		}
		return out.Val.(*ranking), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// reserve asks the budget for one call: ErrBudgetSpent when none is left.
// A budget that cannot answer is logged; its answer still decides.
func (r *Ranker) reserve(ctx context.Context) error {
	if r.opts.Budget == nil {
		return nil
	}
	ok, err := r.opts.Budget.Reserve(ctx)
	if err != nil {
		r.log.WarnContext(ctx, "LLM budget unreadable", "err", err, "calling", ok)
	}
	if !ok {
		return ErrBudgetSpent
	}
	return nil
}

func (r *Ranker) cached(ctx context.Context, key string) (*ranking, bool) {
	if r.cache == nil {
		return nil, false
	}
	b, ok, err := r.cache.Get(ctx, key)
	if err != nil || !ok {
		return nil, false
	}
	var rk ranking
	if json.Unmarshal(b, &rk) != nil {
		return nil, false
	}
	return &rk, true
}

func (r *Ranker) call(ctx context.Context, res *vrrec.Result, onToken func(string)) (*ranking, error) {
	ctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	p := r.rankPrompt(ctx, res)
	text, err := r.complete(ctx, p.system, p.user, p.schema, p.maxTokens, onToken)
	if err != nil {
		return nil, err
	}
	rk, err := p.parse(text)
	if err != nil {
		r.Stats.Errors.Add(1)
		r.Stats.Invalid.Add(1)
		return nil, err
	}
	var known []string
	if r.opts.AppNames != nil {
		known = r.opts.AppNames()
	}
	if n := screen(rk, res.Apps, known); n > 0 {
		r.Stats.Rejected.Add(int64(n))
		r.log.WarnContext(ctx, "LLM sentences replaced: they named an app outside the candidates, linked or gave instructions", "count", n)
	}
	return rk, nil
}

// complete makes one model call and counts it: its time, its tokens (in
// the stats, OnCall and the budget) and its failure.
func (r *Ranker) complete(ctx context.Context, system, user string, schema json.RawMessage, maxTokens int, onToken func(string)) (string, error) {
	start := time.Now()
	r.Stats.Calls.Add(1)
	text, in, out, err := r.model.CompleteJSON(ctx, system, user, schema, maxTokens, onToken)
	took := time.Since(start)
	r.Stats.LatencyMicros.Add(took.Microseconds())
	if r.opts.OnCall != nil {
		r.opts.OnCall(took, in, out)
	}
	r.Stats.PromptTokens.Add(in)
	r.Stats.OutputTokens.Add(out)
	if r.opts.Budget != nil {
		if berr := r.opts.Budget.Record(ctx, in, out); berr != nil {
			r.log.WarnContext(ctx, "LLM usage not recorded", "err", berr)
		}
	}
	if err != nil {
		r.Stats.Errors.Add(1)
	}
	return text, err
}

// cacheKey identifies an answer: the normalised query, the catalog it was
// retrieved from, the candidates in their order (so another embedding
// model, or new retrieval weights, never reuse a ranking of other
// candidates) and the model that explained it.
func cacheKey(res *vrrec.Result, model string) string {
	norm := strings.Join(strings.Fields(strings.ToLower(strings.Trim(res.Query, " \t\n.!?"))), " ")
	h := sha256.New()
	for _, part := range []string{norm, res.CatalogVersion, model} {
		h.Write([]byte(part + "\x00"))
	}
	for _, a := range res.Apps {
		h.Write([]byte(a.AppID + "\x00"))
	}
	return "llm:" + hex.EncodeToString(h.Sum(nil)[:16])
}

// maxReason bounds a reason so a runaway model cannot flood the page.
const maxReason = 300

// parse reads the model's answer: the first JSON object in the text, also
// inside code fences or prose. Entries naming an app that was not a
// candidate (by app_id or name) are dropped, as are repeats.
func parse(text string, cands []vrrec.AppRecommendation) (*ranking, error) {
	start, end := strings.Index(text, "{"), strings.LastIndex(text, "}")
	if start < 0 || end < start {
		return nil, fmt.Errorf("LLM answer has no JSON object")
	}
	var raw struct {
		Understanding string `json:"understanding"`
		NoneFits      bool   `json:"none_fits"`
		Ranking       []struct {
			AppID     string `json:"app_id"`
			Name      string `json:"name"`
			Reasoning string `json:"reasoning"`
			Reason    string `json:"reason"`
		} `json:"ranking"`
		Rankings []struct {
			AppID     string `json:"app_id"`
			Name      string `json:"name"`
			Reasoning string `json:"reasoning"`
		} `json:"rankings"`
	}
	if err := json.Unmarshal([]byte(text[start:end+1]), &raw); err != nil {
		return nil, fmt.Errorf("LLM answer is not valid JSON: %w", err)
	}
	byID := map[string]string{}
	byName := map[string]string{}
	for _, c := range cands {
		byID[c.AppID] = c.AppID
		byName[strings.ToLower(strings.TrimSpace(c.Name))] = c.AppID
	}
	rk := &ranking{Understanding: clean(raw.Understanding), NoneFits: raw.NoneFits}
	seen := map[string]bool{}
	add := func(id, name, reason string) {
		appID, ok := byID[id]
		if !ok {
			appID, ok = byName[strings.ToLower(strings.TrimSpace(name))]
		}
		if !ok || seen[appID] {
			return // invented or repeated
		}
		seen[appID] = true
		rk.Items = append(rk.Items, item{AppID: appID, Reason: clean(reason)})
	}
	for _, e := range raw.Ranking {
		add(e.AppID, e.Name, e.Reasoning+e.Reason)
	}
	for _, e := range raw.Rankings { // the old system's shape
		add(e.AppID, e.Name, e.Reasoning)
	}
	if len(rk.Items) == 0 && !rk.NoneFits {
		return nil, fmt.Errorf("LLM answer names none of the retrieved apps")
	}
	return rk, nil
}

// clean makes model text one plain line of bounded length.
func clean(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > maxReason {
		s = string(r[:maxReason-1]) + "…"
	}
	return s
}

// apply returns res re-ordered and explained by the ranking: the apps the
// model ranked, in its order, with its reasons (or the deterministic ones
// where it gave none, or gave one that failed screening). When the model says
// none fits, the result says nothing fits. Language stays: the reply knows
// from ExplainedBy that the model wrote in the student's language.
func apply(res *vrrec.Result, rk *ranking) *vrrec.Result {
	out := *res
	out.ExplainedBy = vrrec.ExplainedByLLM
	out.Understanding = rk.Understanding
	if rk.NoneFits {
		out.NothingFits = true
	}
	out.Apps = make([]vrrec.AppRecommendation, 0, len(res.Apps))
	index := map[string]int{}
	for i, a := range res.Apps {
		index[a.AppID] = i
	}
	used := map[string]bool{}
	for _, it := range rk.Items {
		i, ok := index[it.AppID]
		if !ok || used[it.AppID] {
			continue // a cached ranking from candidates that have since changed
		}
		used[it.AppID] = true
		a := res.Apps[i]
		if it.Reason != "" {
			a.Reasoning = it.Reason
		}
		out.Apps = append(out.Apps, a)
	}
	// Apps the model left out it judged no help ("list only apps that
	// help"): they are not shown, unless it chose none, in which case they
	// stay as the nearest weak matches.
	if len(out.Apps) == 0 {
		out.Apps = append(out.Apps, res.Apps...)
	}
	return &out
}
