package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/admin"
	quality "github.com/vrrec/vrrec/eval"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/journal"
	"github.com/vrrec/vrrec/ratelimit"
	"github.com/vrrec/vrrec/sqlite"
	"github.com/vrrec/vrrec/usage"
	"github.com/vrrec/vrrec/web"
)

// usageServer is a server whose chats are journaled to a real SQLite
// database that also keeps votes and labeled queries, with staff reports
// over it on the real sentence model; the staff password is "staff-password".
func usageServer(t *testing.T, mutate func(*web.Config, *sqlite.DB)) (string, *sqlite.DB) {
	t.Helper()
	db, j := journaled(t)
	auth, err := admin.New("", "staff-password", testKey, db)
	if err != nil {
		t.Fatal(err)
	}
	cat := testenv.DefaultCatalog(t)
	names := map[string]string{}
	for _, a := range cat.Apps {
		names[a.AppID] = a.Name
	}
	return start(t, newServer(t, nil, func(c *web.Config) {
		c.Admin, c.Interactions, c.Audit, c.Journal, c.Feedback = auth, db, db, j, db
		c.Usage = &usage.Reports{Log: db, Votes: db, Embedder: testenv.Embedder(t), AppName: func(id string) string { return names[id] }}
		c.Labels = quality.Stored{LabeledQueryStore: db, Catalog: func() *vrrec.Catalog { return cat }}
		if mutate != nil {
			mutate(c, db)
		}
	})), db
}

// journaled returns a real SQLite database and a journal copying
// interactions into it, closed when the test ends.
func journaled(t *testing.T) (*sqlite.DB, *journal.Writer) {
	t.Helper()
	db := testenv.SQLite(t)
	j, err := journal.Start(db, t.TempDir(), journal.Options{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close(context.Background()) })
	return db, j
}

type answer struct {
	UserID        string `json:"user_id"`
	InteractionID string `json:"interaction_id"`
	FeedbackToken string `json:"feedback_token"`
	Topic         string `json:"topic"`
	NothingFits   bool   `json:"nothing_fits"`
	Apps          []struct {
		AppID string `json:"app_id"`
	} `json:"apps"`
}

func askFor(t *testing.T, client *http.Client, base, message string) answer {
	t.Helper()
	res := postChat(t, client, base, message)
	var a answer
	if err := json.Unmarshal(res.body, &a); err != nil || res.status != 200 || a.InteractionID == "" || a.FeedbackToken == "" {
		t.Fatalf("chat %q: %d %s", message, res.status, res.body)
	}
	return a
}

func vote(t *testing.T, client *http.Client, base string, a answer, app, v string) response {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"interaction_id": a.InteractionID, "app_id": app, "vote": v, "token": a.FeedbackToken})
	return do(t, client, "POST", base+"/api/feedback", "application/json", string(b), nil)
}

func newClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

func TestFeedbackVotesOnceAndOnlyOnItsAnswers(t *testing.T) {
	base, db := usageServer(t, nil)
	ctx := context.Background()
	alice, bob := newClient(), newClient()
	a := askFor(t, alice, base, "I want to practice public speaking")
	if len(a.Apps) < 2 || a.Topic == "" {
		t.Fatalf("answer: %+v", a)
	}
	first, second := a.Apps[0].AppID, a.Apps[1].AppID
	for _, v := range []struct{ app, vote string }{{first, "helpful"}, {second, "helpful"}, {second, "not_helpful"}, {"", "not_what_i_asked"}} {
		if res := vote(t, alice, base, a, v.app, v.vote); res.status != 200 {
			t.Fatalf("vote %+v: %d %s", v, res.status, res.body)
		}
	}
	votes, _ := db.Feedback(ctx, time.Time{})
	got := map[string]string{}
	for _, f := range votes {
		got[f.AppID] = f.Vote
		if f.UserID != a.UserID || f.InteractionID != a.InteractionID {
			t.Errorf("vote stored against %s/%s, want %s/%s", f.UserID, f.InteractionID, a.UserID, a.InteractionID)
		}
	}
	if len(votes) != 3 || got[first] != "helpful" || got[second] != "not_helpful" || got[""] != "not_what_i_asked" {
		t.Errorf("votes after a change of mind: %+v", votes)
	}
	// Withdrawn with an empty vote.
	if res := vote(t, alice, base, a, "", ""); res.status != 200 {
		t.Errorf("withdraw: %d %s", res.status, res.body)
	}
	if votes, _ := db.Feedback(ctx, time.Time{}); len(votes) != 2 {
		t.Errorf("after withdrawing not-what-I-asked: %+v", votes)
	}

	bad := func(name string, client *http.Client, body string, want int, says string) {
		t.Helper()
		res := do(t, client, "POST", base+"/api/feedback", "application/json", body, nil)
		if res.status != want || !strings.Contains(string(res.body), says) {
			t.Errorf("%s: %d %s, want %d saying %q", name, res.status, res.body, want, says)
		}
	}
	body := func(id, app, v, token string) string {
		b, _ := json.Marshal(map[string]string{"interaction_id": id, "app_id": app, "vote": v, "token": token})
		return string(b)
	}
	bad("another student's answer", bob, body(a.InteractionID, first, "not_helpful", a.FeedbackToken), 400, "does not match an answer you were given")
	bad("no identity", nil, body(a.InteractionID, first, "not_helpful", a.FeedbackToken), 400, "does not match")
	bad("another interaction id", alice, body("other-id", first, "not_helpful", a.FeedbackToken), 400, "does not match")
	bad("a tampered token", alice, body(a.InteractionID, first, "not_helpful", "x"+a.FeedbackToken), 400, "does not match")
	bad("an app not shown", alice, body(a.InteractionID, "no-such-app", "helpful", a.FeedbackToken), 400, "one of the apps this answer showed")
	bad("not what I asked about one app", alice, body(a.InteractionID, first, "not_what_i_asked", a.FeedbackToken), 400, "send no app_id")
	bad("an unknown vote", alice, body(a.InteractionID, first, "love it", a.FeedbackToken), 400, "vote must be")
	bad("malformed JSON", alice, "{", 400, "Malformed JSON")
	if votes, _ := db.Feedback(ctx, time.Time{}); len(votes) != 2 {
		t.Errorf("refused votes changed the store: %+v", votes)
	}
}

func TestFeedbackIsRateLimitedLikeChatOnItsOwnBudget(t *testing.T) {
	base, _ := usageServer(t, func(c *web.Config, _ *sqlite.DB) {
		c.Limits = &web.Limits{Limiter: &ratelimit.Limiter{Store: &ratelimit.Memory{}},
			Default: rates(t, "1000/minute"), Chat: rates(t, "3/minute"), IPDefault: rates(t, "1000/minute"), IPChat: rates(t, "200/minute")}
	})
	alice := newClient()
	a := askFor(t, alice, base, "anatomy")
	for i := range 3 {
		if res := vote(t, alice, base, a, a.Apps[0].AppID, []string{"helpful", "not_helpful", "helpful"}[i]); res.status != 200 {
			t.Fatalf("vote %d: %d %s", i, res.status, res.body)
		}
	}
	if res := vote(t, alice, base, a, a.Apps[0].AppID, "not_helpful"); res.status != 429 {
		t.Errorf("a fourth vote in a minute at 3/minute: %d %s", res.status, res.body)
	}
	// Voting spent its own budget, not the one for asking.
	if res := postChat(t, alice, base, "astronomy"); res.status != 200 {
		t.Errorf("a chat after the votes: %d %s", res.status, res.body)
	}
}

func TestFeedbackStoreDownSaysSo(t *testing.T) {
	base, db := usageServer(t, nil)
	alice := newClient()
	a := askFor(t, alice, base, "anatomy")
	db.Close()
	if res := vote(t, alice, base, a, a.Apps[0].AppID, "helpful"); res.status != 503 || res.header.Get("Retry-After") == "" {
		t.Errorf("vote with the database closed: %d %s", res.status, res.body)
	}
}

func staffClient(t *testing.T, base string) *http.Client {
	t.Helper()
	staff := newClient()
	if res := do(t, staff, "POST", base+"/api/auth/login", "application/json", `{"password":"staff-password"}`, nil); res.status != 200 {
		t.Fatalf("login: %d %s", res.status, res.body)
	}
	return staff
}

func TestDemandReportAndCSV(t *testing.T) {
	base, db := usageServer(t, nil)
	students := []*http.Client{newClient(), newClient()}
	for i, q := range []string{"origami", "paper folding", "how to fold paper cranes", "=HYPERLINK(\"http://x\")", "public speaking"} {
		askFor(t, students[i%2], base, q)
	}
	waitStored(t, db, 5)
	staff := staffClient(t, base)
	res := do(t, staff, "GET", base+"/api/admin/demand?days=7", "", "", nil)
	var rep vrrec.DemandReport
	if err := json.Unmarshal(res.body, &rep); err != nil || res.status != 200 {
		t.Fatalf("demand: %d %s", res.status, res.body)
	}
	if len(rep.Topics) == 0 || rep.Topics[0].Count != 3 || rep.Topics[0].Students != 2 || len(rep.Topics[0].Trend) != 7 {
		t.Errorf("the origami topic first, asked 3 times by 2 students: %+v", rep.Topics)
	}
	for _, tp := range rep.Topics {
		if strings.Contains(strings.Join(tp.Examples, "|"), "public speaking") {
			t.Errorf("public speaking fits the catalog, yet it is unmet demand: %+v", tp)
		}
	}
	res = do(t, staff, "GET", base+"/api/admin/demand?days=7&format=csv", "", "", nil)
	rows, err := csv.NewReader(strings.NewReader(string(res.body))).ReadAll()
	if err != nil || res.status != 200 || !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") || len(rows) != len(rep.Topics)+1 {
		t.Fatalf("CSV: %d %v %s", res.status, err, res.body)
	}
	if rows[0][0] != "topic" || rows[1][1] != "3" || rows[1][2] != "2" || !strings.Contains(rows[1][6], "paper") {
		t.Errorf("CSV rows: %q", rows[:2])
	}
	if strings.Contains(string(res.body), "\n=") || strings.Contains(string(res.body), ",=") || !strings.Contains(string(res.body), "'=HYPERLINK") {
		t.Errorf("a question starting with = must not become a spreadsheet formula:\n%s", res.body)
	}
	if res := do(t, staff, "GET", base+"/api/admin/demand?format=xml", "", "", nil); res.status != 400 {
		t.Errorf("format=xml: %d", res.status)
	}
	if res := do(t, nil, "GET", base+"/api/admin/demand", "", "", nil); res.status != 401 {
		t.Errorf("demand without a session: %d", res.status)
	}
}

// waitStored waits until the journal has copied n interactions to db.
func waitStored(t *testing.T, db *sqlite.DB, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, total, _ := db.Interactions(context.Background(), vrrec.InteractionFilter{}); total >= n {
			return
		}
	}
	t.Fatalf("the journal did not store %d interactions", n)
}

func TestLabeledQueriesSaveAndExport(t *testing.T) {
	base, _ := usageServer(t, nil)
	staff := staffClient(t, base)
	post := func(body string) response {
		return do(t, staff, "POST", base+"/api/admin/labeled-queries", "application/json", body, nil)
	}
	if res := post(`{"query":"stage fright","relevant":["no-such-app"]}`); res.status != 400 || !strings.Contains(string(res.body), "not in the served catalog") {
		t.Errorf("an unknown app: %d %s", res.status, res.body)
	}
	if res := post(`{"query":"  "}`); res.status != 400 {
		t.Errorf("no question: %d %s", res.status, res.body)
	}
	if res := post(`{"query":"stage fright","relevant":["virtualspeech"],"interaction_id":"i1"}`); res.status != 200 {
		t.Fatalf("save: %d %s", res.status, res.body)
	}
	list := do(t, staff, "GET", base+"/api/admin/labeled-queries", "", "", nil)
	if !strings.Contains(string(list.body), `"query":"stage fright"`) || !strings.Contains(string(list.body), `"interaction_id":"i1"`) {
		t.Errorf("list: %s", list.body)
	}
	res := do(t, staff, "GET", base+"/api/admin/labeled-queries/export", "", "", nil)
	set, err := quality.ParseSet("export", res.body)
	if err != nil || res.status != 200 || len(set.Queries) != 1 || set.Queries[0].Relevant[0] != "virtualspeech" {
		t.Errorf("export: %d %v %s", res.status, err, res.body)
	}
	audit := do(t, staff, "GET", base+"/api/admin/audit", "", "", nil)
	if !strings.Contains(string(audit.body), "label_query") {
		t.Errorf("the label is not in the audit trail: %s", audit.body)
	}
}
