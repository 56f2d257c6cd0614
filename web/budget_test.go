package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/vrrec/vrrec/admin"
	"github.com/vrrec/vrrec/chat"
	"github.com/vrrec/vrrec/internal/fakeopenai"
	"github.com/vrrec/vrrec/internal/inmem"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/llm"
	"github.com/vrrec/vrrec/openai"
	"github.com/vrrec/vrrec/sqlite"
	"github.com/vrrec/vrrec/web"
)

// TestLLMBudgetSharedByTwoInstances: two instances share one database
// (two handles on one SQLite file) and a daily budget of 3 model calls.
// The fake model reports its usage. Once 3 calls are made, neither
// instance calls the model again; students still get answers, from
// retrieval alone and saying so; the refusals are counted; the dashboard
// shows the day's calls and tokens as the API reported them, with the cost
// from the configured price, and a notice that the budget is spent.
func TestLLMBudgetSharedByTwoInstances(t *testing.T) {
	var mu sync.Mutex
	var prompt, completion int64
	rank := fakeopenai.Ranker(0)
	f := fakeopenai.Start(func(n int, req fakeopenai.Request) fakeopenai.Answer {
		a := rank(n, req)
		mu.Lock()
		defer mu.Unlock()
		// The usage the fake reports for this call (fakeopenai: a token
		// per four bytes).
		prompt += int64(len(req.User()) / 4)
		completion += int64(len(a.Content) / 4)
		return a
	})
	t.Cleanup(f.Close)

	path := filepath.Join(t.TempDir(), "vrrec.db")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	settings := llm.BudgetSettings{Calls: 3, PriceInput: 0.10, PriceOutput: 0.40}
	type instance struct {
		base   string
		ranker *llm.Ranker
	}
	newInstance := func() instance {
		db, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		budget := &llm.DailyBudget{Store: db, Log: log, Settings: func(context.Context) llm.BudgetSettings { return settings }}
		model, err := openai.NewChat(openai.ChatConfig{BaseURL: f.URL, Model: "m", Retries: -1})
		if err != nil {
			t.Fatal(err)
		}
		ranker := llm.New(model, nil, llm.Options{Budget: budget}, log)
		svc := chat.New(func() chat.Engine { return engine() }, inmem.NewSessions(), log)
		svc.SetExplainer(ranker)
		auth, err := admin.New("", "staff-password", testKey, db)
		if err != nil {
			t.Fatal(err)
		}
		// As cmd/vrrec reports it: the spend, and how the model's answers came.
		report := func(ctx context.Context, days int) (any, error) {
			rep, err := budget.Report(ctx, days)
			return struct {
				llm.SpendReport
				Answers chat.LLMAnswers `json:"answers"`
			}{rep, svc.LLMAnswers()}, err
		}
		srv, err := web.New(web.Config{Chat: svc, SecretKey: testKey, Log: log, Admin: auth, Audit: db, Interactions: db, LLMSpend: report})
		if err != nil {
			t.Fatal(err)
		}
		return instance{base: start(t, srv), ranker: ranker}
	}
	instances := []instance{newInstance(), newInstance()}

	questions := []string{"I want to practice public speaking", "anatomy for nursing", "learn Python", "chemistry molecules", "teamwork skills", "astronomy"}
	for i, q := range questions {
		in := instances[i%2]
		m := postChat(t, nil, in.base, q).json(t)
		spent, _ := m["llm_budget_spent"].(bool)
		apps, _ := m["apps"].([]any)
		switch {
		case i < 3 && (m["explained_by"] != "llm" || spent):
			t.Errorf("answer %d (within the budget): explained by %v, budget spent %v", i, m["explained_by"], spent)
		case i >= 3 && (m["explained_by"] == "llm" || !spent || !strings.Contains(m["response"].(string), chat.BudgetSpentNote)):
			t.Errorf("answer %d (past the budget): explained by %v, budget spent %v, reply %q", i, m["explained_by"], spent, m["response"])
		}
		if len(apps) == 0 {
			t.Errorf("answer %d has no apps: %v", i, m)
		}
	}
	if f.Calls() != 3 {
		t.Errorf("the model was called %d times; the budget allows 3", f.Calls())
	}
	for i, in := range instances {
		if n := in.ranker.Stats.OverBudget.Load(); n == 0 {
			t.Errorf("instance %d counted no answer past the budget", i)
		}
	}
	if a, b := instances[0].ranker.Stats.OverBudget.Load(), instances[1].ranker.Stats.OverBudget.Load(); a+b != 3 {
		t.Errorf("answers past the budget counted: %d + %d, want 3", a, b)
	}

	// The dashboard's figures, on either instance.
	staff := staffClient(t, instances[1].base)
	res := do(t, staff, "GET", instances[1].base+"/api/admin/llm-spend?days=7", "", "", nil)
	var rep llm.SpendReport
	if err := json.Unmarshal(res.body, &rep); res.status != 200 || err != nil {
		t.Fatalf("spend report: %d %s", res.status, res.body)
	}
	mu.Lock()
	wantCost := (float64(prompt)*0.10 + float64(completion)*0.40) / 1e6
	if rep.Today.Calls != 3 || rep.Today.PromptTokens != prompt || rep.Today.CompletionTokens != completion || prompt == 0 ||
		rep.Today.CostUSD == nil || fmt.Sprintf("%.9f", *rep.Today.CostUSD) != fmt.Sprintf("%.9f", wantCost) || !rep.Spent || !rep.Notice || len(rep.Days) != 1 {
		t.Errorf("spend report %s; want 3 calls, %d prompt and %d completion tokens, $%.9f, spent", res.body, prompt, completion, wantCost)
	}
	mu.Unlock()

	// On the page.
	ctx := browser(t)
	login(t, ctx, instances[0].base)
	if err := chromedp.Do(ctx, until(`document.querySelectorAll('#llm-spend tbody tr').length === 1 && !document.querySelector('#llm-spend .empty')`)); err != nil {
		t.Fatalf("the dashboard shows no spend: %v", err)
	}
	row := eval[[]string](t, ctx, `[...document.querySelector('#llm-spend tbody tr').cells].map((c) => c.textContent)`)
	if row[1] != "3" || row[2] != fmt.Sprint(prompt) && row[2] != commas(prompt) || !strings.HasPrefix(row[4], "$") {
		t.Errorf("spend row %q; want 3 calls, %d prompt tokens, a cost", row, prompt)
	}
	if note := eval[string](t, ctx, `document.getElementById('llm-notice').textContent`); !strings.Contains(note, "budget is spent") ||
		eval[bool](t, ctx, `document.getElementById('llm-notice').hidden`) {
		t.Errorf("the dashboard's budget notice: %q", note)
	}
	// Instance 0 answered two questions with the model, in time (the
	// answers past the budget did not ask it).
	if got := eval[string](t, ctx, `document.getElementById('llm-answers').textContent`); !strings.Contains(got, "came in time for 2 of 2 answers (100 %)") {
		t.Errorf("the dashboard's line on the model's answers: %q", got)
	}
}

// TestLLMBudgetOfTokens: a budget of tokens lets the call that crosses it
// finish, then refuses the next.
func TestLLMBudgetOfTokens(t *testing.T) {
	f := fakeopenai.Start(fakeopenai.Ranker(0))
	t.Cleanup(f.Close)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	budget := &llm.DailyBudget{Store: testenv.SQLite(t), Log: log, Settings: func(context.Context) llm.BudgetSettings { return llm.BudgetSettings{Tokens: 10} }}
	model, err := openai.NewChat(openai.ChatConfig{BaseURL: f.URL, Model: "m", Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	svc := chat.New(func() chat.Engine { return engine() }, inmem.NewSessions(), log)
	svc.SetExplainer(llm.New(model, nil, llm.Options{Budget: budget}, log))
	srv, err := web.New(web.Config{Chat: svc, SecretKey: testKey, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	base := start(t, srv)
	first := postChat(t, nil, base, "I want to practice public speaking").json(t)
	second := postChat(t, nil, base, "anatomy for nursing").json(t)
	if first["explained_by"] != "llm" || second["llm_budget_spent"] != true || f.Calls() != 1 {
		t.Errorf("with a budget of 10 tokens: first explained by %v, second budget spent %v, %d calls; want 1", first["explained_by"], second["llm_budget_spent"], f.Calls())
	}
	rep, err := budget.Report(context.Background(), 1)
	if err != nil || rep.Today.Tokens <= 10 || rep.Today.Calls != 1 || rep.Today.CostUSD != nil {
		t.Errorf("report after the budget: %+v, %v", rep, err)
	}
}

func commas(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
