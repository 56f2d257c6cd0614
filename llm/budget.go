package llm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/vrrec/vrrec"
)

// Budget bounds the model's use. The ranker asks it before each call
// (cache hits cost nothing and are not counted) and tells it each call's
// usage after.
type Budget interface {
	// Reserve counts one call against today's budget; false when the
	// budget is spent, and then no call may be made.
	Reserve(ctx context.Context) (bool, error)
	// Record adds the tokens a call used, as the API reported them.
	Record(ctx context.Context, promptTokens, completionTokens int64) error
}

// ErrBudgetSpent is why an answer came from retrieval alone: the day's
// budget of model tokens or calls is spent.
var ErrBudgetSpent = errors.New("the day's LLM budget is spent")

// BudgetSettings are a daily budget and the model's price. A zero limit
// is no limit; a zero price is unknown, and cost is not shown then.
type BudgetSettings struct {
	Tokens int64 `json:"tokens"` // LLM_DAILY_TOKENS: prompt and completion tokens per UTC day
	Calls  int64 `json:"calls"`  // LLM_DAILY_CALLS: model calls per UTC day
	// PriceInput and PriceOutput are US dollars per million prompt and
	// completion tokens (LLM_PRICE_INPUT, LLM_PRICE_OUTPUT).
	PriceInput  float64 `json:"price_input"`
	PriceOutput float64 `json:"price_output"`
}

// NoticeAt is the share of the budget from which staff are told.
const NoticeAt = 0.8

// used is the largest share of a limit that spend has used (0 without
// limits).
func (b BudgetSettings) used(s vrrec.LLMSpend) float64 {
	u := 0.0
	if b.Tokens > 0 {
		u = max(u, float64(s.Tokens())/float64(b.Tokens))
	}
	if b.Calls > 0 {
		u = max(u, float64(s.Calls)/float64(b.Calls))
	}
	return u
}

// cost is what spend cost in US dollars; ok is false when the price is not
// configured.
func (b BudgetSettings) cost(s vrrec.LLMSpend) (usd float64, ok bool) {
	if b.PriceInput <= 0 && b.PriceOutput <= 0 {
		return 0, false
	}
	return (float64(s.PromptTokens)*b.PriceInput + float64(s.CompletionTokens)*b.PriceOutput) / 1e6, true
}

// DailyBudget is a Budget per UTC day kept in a store every instance
// shares, so together they stay within it: a call is reserved (the day's
// calls counted) before it is made, its tokens added after; past either
// limit no call is made until the next day. Usage is recorded even
// without limits, for the dashboard.
type DailyBudget struct {
	Store vrrec.LLMSpendStore
	// Settings returns the budget as configured now (staff change it on
	// the configuration page); read at most every settingsTTL.
	Settings func(ctx context.Context) BudgetSettings
	Log      *slog.Logger
	// Now defaults to time.Now.
	Now func() time.Time

	mu       sync.Mutex
	settings BudgetSettings
	readAt   time.Time
	noticed  string // the day the 80 % notice was logged
}

// settingsTTL bounds how long a change of the budget takes to apply.
const settingsTTL = 5 * time.Second

func (b *DailyBudget) now() time.Time {
	if b.Now != nil {
		return b.Now().UTC()
	}
	return time.Now().UTC()
}

func (b *DailyBudget) current(ctx context.Context) BudgetSettings {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.Settings != nil && (b.readAt.IsZero() || b.now().Sub(b.readAt) >= settingsTTL) {
		b.settings, b.readAt = b.Settings(ctx), b.now()
	}
	return b.settings
}

func (b *DailyBudget) log() *slog.Logger {
	if b.Log != nil {
		return b.Log
	}
	return slog.Default()
}

// Reserve implements Budget. With a limit set and the store not answering
// no call is made: the day's spend cannot be known.
func (b *DailyBudget) Reserve(ctx context.Context) (bool, error) {
	set := b.current(ctx)
	day := b.now().Format(time.DateOnly)
	spent, err := b.Store.AddLLMSpend(ctx, vrrec.LLMSpend{Day: day, Calls: 1})
	if err != nil {
		limited := set.Tokens > 0 || set.Calls > 0
		return !limited, fmt.Errorf("reserve an LLM call: %w", err)
	}
	over := (set.Calls > 0 && spent.Calls > set.Calls) || (set.Tokens > 0 && spent.Tokens() >= set.Tokens)
	if over {
		// The call is not made: give it back, so calls count those made.
		if _, err := b.Store.AddLLMSpend(ctx, vrrec.LLMSpend{Day: day, Calls: -1}); err != nil {
			b.log().WarnContext(ctx, "refused LLM call still counted", "err", err)
		}
		return false, nil
	}
	b.notice(ctx, day, set, spent)
	return true, nil
}

// Record implements Budget.
func (b *DailyBudget) Record(ctx context.Context, promptTokens, completionTokens int64) error {
	day := b.now().Format(time.DateOnly)
	spent, err := b.Store.AddLLMSpend(ctx, vrrec.LLMSpend{Day: day, PromptTokens: promptTokens, CompletionTokens: completionTokens})
	if err != nil {
		return fmt.Errorf("record LLM usage: %w", err)
	}
	b.notice(ctx, day, b.current(ctx), spent)
	return nil
}

// notice warns staff in the log once a day per instance when the spend
// passes NoticeAt of the budget (the dashboard says so too).
func (b *DailyBudget) notice(ctx context.Context, day string, set BudgetSettings, spent vrrec.LLMSpend) {
	used := set.used(spent)
	if used < NoticeAt {
		return
	}
	b.mu.Lock()
	first := b.noticed != day
	b.noticed = day
	b.mu.Unlock()
	if first {
		b.log().WarnContext(ctx, "LLM budget mostly spent: past it, answers come from retrieval alone until the next day (UTC)",
			"used_percent", int(used*100), "calls", spent.Calls, "tokens", spent.Tokens(), "daily_calls", set.Calls, "daily_tokens", set.Tokens)
	}
}

// SpendDay is one day's spend as the dashboard shows it.
type SpendDay struct {
	vrrec.LLMSpend
	Tokens int64 `json:"tokens"`
	// CostUSD is set when the model's price is configured.
	CostUSD *float64 `json:"cost_usd,omitempty"`
}

// SpendReport is the spend of recent days beside the budget.
type SpendReport struct {
	Budget BudgetSettings `json:"budget"`
	Today  SpendDay       `json:"today"`
	// Used is the largest share of a limit today's spend has used; Notice
	// is set from NoticeAt, Spent once the budget is spent.
	Used   float64    `json:"used"`
	Notice bool       `json:"notice"`
	Spent  bool       `json:"spent"`
	Days   []SpendDay `json:"days"` // oldest first, the days with spend
}

// Report returns the spend of the last days (today included) beside the
// budget, for the dashboard.
func (b *DailyBudget) Report(ctx context.Context, days int) (SpendReport, error) {
	set := b.current(ctx)
	now := b.now()
	today := now.Format(time.DateOnly)
	list, err := b.Store.LLMSpendDays(ctx, now.AddDate(0, 0, 1-days).Format(time.DateOnly), today)
	if err != nil {
		return SpendReport{}, vrrec.Unavailable(err, "The LLM spend is unavailable: the database does not answer")
	}
	day := func(s vrrec.LLMSpend) SpendDay {
		d := SpendDay{LLMSpend: s, Tokens: s.Tokens()}
		if usd, ok := set.cost(s); ok {
			d.CostUSD = &usd
		}
		return d
	}
	rep := SpendReport{Budget: set, Today: day(vrrec.LLMSpend{Day: today}), Days: make([]SpendDay, len(list))}
	for i, s := range list {
		rep.Days[i] = day(s)
		if s.Day == today {
			rep.Today = rep.Days[i]
		}
	}
	rep.Used = set.used(rep.Today.LLMSpend)
	rep.Notice = rep.Used >= NoticeAt
	rep.Spent = (set.Calls > 0 && rep.Today.Calls >= set.Calls) || (set.Tokens > 0 && rep.Today.Tokens >= set.Tokens)
	return rep, nil
}
