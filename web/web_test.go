package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/admin"
	"github.com/vrrec/vrrec/chat"
	"github.com/vrrec/vrrec/internal/inmem"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/rag"
	"github.com/vrrec/vrrec/web"
)

// engine is the recommender on the embedded catalog, shared by the tests.
func engine() *rag.Engine { return testenv.DefaultEngine(nil) }

// heldEngine holds its one recommendation until the test releases it, to
// keep a request in flight as long as the test needs.
type heldEngine struct {
	*rag.Engine
	started chan struct{} // closed when the recommendation begins
	release chan struct{} // closed by the test to let it finish
}

func newHeldEngine() heldEngine {
	return heldEngine{Engine: engine(), started: make(chan struct{}), release: make(chan struct{})}
}

func (h heldEngine) Find(ctx context.Context, req rag.Request) (*vrrec.Result, error) {
	close(h.started)
	<-h.release
	return h.Engine.Find(ctx, req)
}

var testKey = []byte("0123456789abcdef0123456789abcdef")

func newServer(t *testing.T, eng chat.Engine, mutate func(*web.Config)) *web.Server {
	t.Helper()
	if eng == nil {
		eng = engine()
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := chat.New(func() chat.Engine { return eng }, inmem.NewSessions(), log)
	cfg := web.Config{
		Chat:      svc,
		Courses:   svc,
		SecretKey: testKey,
		Checks:    []web.Check{{Name: "recommender", Probe: func(context.Context) error { return nil }}},
		Info:      func() map[string]any { return map[string]any{"recommender": "ready"} },
		Log:       log,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	srv, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// start serves srv over real HTTP and returns its base URL.
func start(t *testing.T, srv *web.Server) string {
	t.Helper()
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts.URL
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("not JSON (status %d): %s", r.status, r.body)
	}
	return m
}

// do sends one request. It may run on any goroutine: a request that fails
// is reported with t.Errorf (never t.Fatal, which only the test's own
// goroutine may call) and answers status 0, which no caller expects.
func do(t *testing.T, client *http.Client, method, url, contentType, body string, header map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Errorf("%s %s: %v", method, url, err)
		return response{body: []byte(err.Error())}
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", method, url, err)
		return response{body: []byte(err.Error())}
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, b}
}

func postChat(t *testing.T, client *http.Client, base, message string) response {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"message": message})
	return do(t, client, "POST", base+"/chat", "application/json", string(b), nil)
}

func TestChatAnswersStructuredJSON(t *testing.T) {
	base := start(t, newServer(t, nil, nil))
	res := postChat(t, nil, base, "I want to practice public speaking")
	if res.status != http.StatusOK {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	m := res.json(t)
	for _, k := range []string{"response", "type", "user_id", "session_id", "intent", "apps"} {
		if _, ok := m[k]; !ok {
			t.Errorf("response lacks %q", k)
		}
	}
	if m["type"] != "success" || m["intent"] != "recommendation" || !strings.Contains(m["response"].(string), "**Top Picks**") {
		t.Errorf("response: %v", m)
	}
	apps := m["apps"].([]any)
	if len(apps) == 0 {
		t.Fatal("no apps")
	}
	app := apps[0].(map[string]any)
	for _, k := range []string{"app_id", "name", "category", "match_percent", "matched_skills", "reasoning", "retrieval_source"} {
		if _, ok := app[k]; !ok {
			t.Errorf("app lacks %q: %v", k, app)
		}
	}
	if res.header.Get("X-Request-ID") == "" || res.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers: %v", res.header)
	}
}

func TestChatErrors(t *testing.T) {
	base := start(t, newServer(t, nil, nil))
	cases := []struct {
		name, method, path, ctype, body string
		status                          int
		errorHas                        string
	}{
		{"empty message", "POST", "/chat", "application/json", `{"message": ""}`, 400, "Message required"},
		{"blank message", "POST", "/chat", "application/json", `{"message": "   "}`, 400, "Message required"},
		{"no message", "POST", "/chat", "application/json", `{}`, 400, "Message required"},
		{"too long", "POST", "/chat", "application/json", `{"message": "` + strings.Repeat("a", 2001) + `"}`, 400, "2000"},
		{"malformed", "POST", "/chat", "application/json", `{"message": "hi"`, 400, "Malformed JSON"},
		{"trailing data", "POST", "/chat", "application/json", `{"message": "hi"} {}`, 400, "Malformed JSON"},
		{"not an object", "POST", "/chat", "application/json", `["hi"]`, 400, "The request body must be an object"},
		{"message not a string", "POST", "/chat", "application/json", `{"message": 5}`, 400, "message must be a string"},
		{"empty body", "POST", "/chat", "application/json", ``, 400, "empty"},
		{"wrong type", "POST", "/chat", "text/plain", `{"message": "hi"}`, 400, "Content-Type"},
		{"form post", "POST", "/chat", "application/x-www-form-urlencoded", `message=hi`, 400, "Content-Type"},
		{"bad session id", "POST", "/chat", "application/json", `{"message": "hi", "session_id": "../../etc"}`, 400, "session_id"},
		{"too large", "POST", "/chat", "application/json", `{"message": "` + strings.Repeat("a", 70<<10) + `"}`, 413, "too large"},
		{"stream too large", "POST", "/chat/stream", "application/json", `{"message": "` + strings.Repeat("a", 70<<10) + `"}`, 413, "too large"},
		{"stream empty", "POST", "/chat/stream", "application/json", `{"message": ""}`, 400, "Message required"},
		{"unknown api route", "GET", "/api/nope", "", ``, 404, "Not found"},
		{"unknown chat route", "GET", "/chat/nope", "", ``, 404, "Not found"},
		{"wrong method", "PUT", "/chat", "application/json", `{}`, 405, "not allowed"},
		{"stream GET", "GET", "/chat/stream", "", ``, 405, "not allowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := do(t, nil, c.method, base+c.path, c.ctype, c.body, nil)
			if res.status != c.status {
				t.Fatalf("status %d, want %d: %s", res.status, c.status, res.body)
			}
			if !strings.HasPrefix(res.header.Get("Content-Type"), "application/json") {
				t.Errorf("Content-Type %q, want JSON", res.header.Get("Content-Type"))
			}
			msg, _ := res.json(t)["error"].(string)
			if !strings.Contains(msg, c.errorHas) {
				t.Errorf("error %q does not mention %q", msg, c.errorHas)
			}
			if strings.Contains(msg, "Go struct") || strings.Contains(msg, "chatRequest") || strings.Contains(msg, "vrrec ") {
				t.Errorf("error %q shows the program's insides", msg)
			}
		})
	}
	// The old API's exact answer for an empty message.
	if res := do(t, nil, "POST", base+"/chat", "application/json", `{"message":""}`, nil); strings.TrimSpace(string(res.body)) != `{"error":"Message required"}` {
		t.Errorf("empty message body = %s", res.body)
	}
	if res := do(t, nil, "GET", base+"/chat", "", "", nil); res.status != 200 || !strings.Contains(string(res.body), "POST /chat") {
		t.Errorf("GET /chat: %d %s", res.status, res.body)
	}
}

func cookieOf(t *testing.T, h http.Header) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == "user_id" {
			return c
		}
	}
	t.Fatal("no user_id cookie set")
	return nil
}

func TestIdentityCookie(t *testing.T) {
	base := start(t, newServer(t, nil, nil))
	first := postChat(t, nil, base, "hi")
	c := cookieOf(t, first.header)
	user := first.json(t)["user_id"].(string)
	if c.MaxAge != 2592000 || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure {
		t.Errorf("cookie attributes: %+v", c)
	}
	if !strings.HasPrefix(c.Value, user+".") {
		t.Errorf("cookie %q does not carry the signed user id %q", c.Value, user)
	}
	raw := first.header.Get("Set-Cookie")
	for _, attr := range []string{"Max-Age=2592000", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(raw, attr) {
			t.Errorf("Set-Cookie %q lacks %s", raw, attr)
		}
	}

	send := func(cookie string, header map[string]string) string {
		h := map[string]string{"Cookie": "user_id=" + cookie}
		for k, v := range header {
			h[k] = v
		}
		res := do(t, nil, "POST", base+"/chat", "application/json", `{"message":"hi"}`, h)
		return res.json(t)["user_id"].(string)
	}
	if got := send(c.Value, nil); got != user {
		t.Errorf("returning student got a new id %s, want %s", got, user)
	}
	other := "11111111-2222-4333-8444-555555555555"
	sig := c.Value[strings.Index(c.Value, ".")+1:]
	tampered := []string{
		other + "." + sig,                    // someone else's id with my signature
		other,                                // unsigned, as the old system's cookies
		user + "." + sig[:len(sig)-2] + "AA", // signature changed
		"garbage",
	}
	for _, v := range tampered {
		if got := send(v, nil); got == user || got == other {
			t.Errorf("cookie %q was accepted as %s", v, got)
		}
	}
	// Over HTTPS (as a TLS-terminating proxy reports) the cookie is Secure.
	res := do(t, nil, "POST", base+"/chat", "application/json", `{"message":"hi"}`, map[string]string{"X-Forwarded-Proto": "https"})
	if !cookieOf(t, res.header).Secure {
		t.Error("cookie over HTTPS is not Secure")
	}
}

func TestWidgetCarriesIdentityWithoutCookies(t *testing.T) {
	base := start(t, newServer(t, nil, nil))
	res := do(t, nil, "POST", base+"/chat", "application/json", `{"message":"hi"}`, map[string]string{"X-Vrrec-Embed": "1"})
	m := res.json(t)
	token, _ := m["user_token"].(string)
	if token == "" {
		t.Fatal("embedded chat got no user_token")
	}
	again := do(t, nil, "POST", base+"/chat", "application/json", `{"message":"hi"}`, map[string]string{"X-Vrrec-Embed": "1", "X-Vrrec-User": token})
	if again.json(t)["user_id"] != m["user_id"] {
		t.Error("the token did not keep the student's id")
	}
	if plain := postChat(t, nil, base, "hi").json(t); plain["user_token"] != nil {
		t.Error("the main page must not expose the signed token")
	}
}

func TestHistoryIsolation(t *testing.T) {
	base := start(t, newServer(t, nil, nil))
	client := func() *http.Client {
		jar, _ := cookiejar.New(nil)
		return &http.Client{Jar: jar}
	}
	alice, bob := client(), client()
	postChat(t, alice, base, "anatomy for my biology class")
	postChat(t, bob, base, "astronomy")
	postChat(t, bob, base, "tell me more about Beat Saber")

	history := func(c *http.Client) []map[string]any {
		res := do(t, c, "GET", base+"/api/history", "", "", nil)
		if res.status != 200 {
			t.Fatalf("history: %d %s", res.status, res.body)
		}
		var h struct {
			Messages []map[string]any `json:"messages"`
		}
		json.Unmarshal(res.body, &h)
		return h.Messages
	}
	a, b := history(alice), history(bob)
	if len(a) != 2 || len(b) != 4 {
		t.Fatalf("alice has %d messages, bob %d; want 2 and 4", len(a), len(b))
	}
	if a[0]["content"] != "anatomy for my biology class" || a[0]["role"] != "user" || a[1]["role"] != "assistant" {
		t.Errorf("alice's history: %v", a)
	}
	for _, m := range a {
		if strings.Contains(m["content"].(string), "astronomy") || strings.Contains(m["content"].(string), "Beat Saber") {
			t.Error("alice sees bob's conversation")
		}
	}
	if fresh := history(client()); len(fresh) != 0 {
		t.Errorf("a new student has %d messages", len(fresh))
	}
}

func TestStreamSendsProgressThenResult(t *testing.T) {
	base := start(t, newServer(t, nil, nil))
	req, _ := http.NewRequest("POST", base+"/chat/stream", strings.NewReader(`{"message":"learn Spanish"}`))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("status %d, type %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var events []string
	var result map[string]any
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
			events = append(events, event)
		case strings.HasPrefix(line, "data: ") && event == "result":
			json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &result)
		}
	}
	want := "progress,progress,progress,result"
	if strings.Join(events, ",") != want {
		t.Errorf("events %v, want %s", events, want)
	}
	if result["intent"] != "recommendation" || len(result["apps"].([]any)) == 0 {
		t.Errorf("result: %v", result)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	down := errors.New("database unreachable at /var/lib/vrrec/vrrec.db")
	var failing atomic.Bool
	db := testenv.SQLite(t)
	auth, err := admin.New("", "staff-password", testKey, db)
	if err != nil {
		t.Fatal(err)
	}
	mutate := func(c *web.Config) {
		c.Admin = auth
		c.Info = func() map[string]any { return map[string]any{"catalog_version": "v1", "llm": "model-x"} }
		c.Checks = append(c.Checks, web.Check{Name: "store", Probe: func(context.Context) error {
			if failing.Load() {
				return down
			}
			return nil
		}})
	}
	base := start(t, newServer(t, nil, mutate))
	if res := do(t, nil, "GET", base+"/ready", "", "", nil); res.status != 200 {
		t.Errorf("/ready = %d %s", res.status, res.body)
	}
	// The store fails from here on; a new server has no cached round.
	failing.Store(true)
	base = start(t, newServer(t, nil, mutate))
	res := do(t, nil, "GET", base+"/ready", "", "", nil)
	if res.status != 503 || res.header.Get("Retry-After") == "" || !strings.Contains(string(res.body), `"store":"unavailable"`) {
		t.Errorf("/ready with a failing store = %d %s", res.status, res.body)
	}
	h := do(t, nil, "GET", base+"/health", "", "", nil)
	m := h.json(t)
	if h.status != 200 || m["status"] != "degraded" {
		t.Errorf("/health must stay 200 while alive, saying degraded: %d %s", h.status, h.body)
	}
	// Public probes tell no errors, paths or versions; staff see them.
	for _, body := range []string{string(res.body), string(h.body)} {
		for _, secret := range []string{"unreachable", "/var/lib", "v1", "model-x"} {
			if strings.Contains(body, secret) {
				t.Errorf("public probe tells %q: %s", secret, body)
			}
		}
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	if res := do(t, client, "POST", base+"/api/auth/login", "application/json", `{"password":"staff-password"}`, nil); res.status != 200 {
		t.Fatalf("login: %d %s", res.status, res.body)
	}
	staff := do(t, client, "GET", base+"/api/admin/health", "", "", nil)
	if staff.status != 200 || !strings.Contains(string(staff.body), "unreachable") || !strings.Contains(string(staff.body), "model-x") {
		t.Errorf("staff health: %d %s", staff.status, staff.body)
	}
}

// /health and /ready are public and unlimited, so a round of probes is
// reused for a second: a flood of them costs one database ping a second. On
// the bubble's clock: the round is reused up to the second and not after.
func TestProbeRoundsAreCachedForASecond(t *testing.T) {
	eng := engine() // built outside the bubble, as the other tests share it
	synctest.Test(t, func(t *testing.T) {
		var failing atomic.Bool
		var probes atomic.Int64
		srv := newServer(t, eng, func(c *web.Config) {
			c.Checks = append(c.Checks, web.Check{Name: "store", Probe: func(context.Context) error {
				probes.Add(1)
				if failing.Load() {
					return errors.New("database unreachable")
				}
				return nil
			}})
		})
		probe := func(path string) int {
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
			return rec.Code
		}
		for i := range 50 {
			if code := probe([]string{"/health", "/ready"}[i%2]); code != 200 {
				t.Fatalf("probe %d: %d", i, code)
			}
		}
		if n := probes.Load(); n != 1 {
			t.Errorf("50 probe requests in one instant pinged the store %d times, want once", n)
		}
		failing.Store(true)
		time.Sleep(999 * time.Millisecond)
		if code := probe("/ready"); code != 200 || probes.Load() != 1 {
			t.Errorf("within the second: /ready %d after %d pings; want the cached round", code, probes.Load())
		}
		time.Sleep(time.Millisecond)
		if code := probe("/ready"); code != http.StatusServiceUnavailable || probes.Load() != 2 {
			t.Errorf("a second later: /ready %d after %d pings; want a new round, failing", code, probes.Load())
		}
	})
}

func TestPagesAndSecurityHeaders(t *testing.T) {
	base := start(t, newServer(t, nil, func(c *web.Config) { c.WidgetOrigins = []string{"https://www.example.edu"} }))
	page := do(t, nil, "GET", base+"/", "", "", nil)
	csp := page.header.Get("Content-Security-Policy")
	if page.status != 200 || !strings.Contains(string(page.body), `<script src="/static/app.js"`) {
		t.Fatalf("page: %d", page.status)
	}
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.HasSuffix(csp, "frame-ancestors 'self'") {
		t.Errorf("page CSP %q", csp)
	}
	if strings.Contains(string(page.body), "<script>") || strings.Contains(string(page.body), "https://") {
		t.Error("the page must have no inline script and no external resource")
	}
	embed := do(t, nil, "GET", base+"/embed", "", "", nil)
	if !strings.Contains(embed.header.Get("Content-Security-Policy"), "frame-ancestors 'self' https://www.example.edu") || embed.header.Get("X-Frame-Options") != "" {
		t.Errorf("embed headers: %v", embed.header)
	}
	for path, ctype := range map[string]string{"/static/app.js": "text/javascript", "/static/style.css": "text/css", "/widget.js": "text/javascript"} {
		res := do(t, nil, "GET", base+path, "", "", nil)
		if res.status != 200 || !strings.HasPrefix(res.header.Get("Content-Type"), ctype) {
			t.Errorf("%s: %d %q", path, res.status, res.header.Get("Content-Type"))
		}
	}
	// The icon: an SVG every page links, cached, also where browsers look
	// without a link.
	for _, path := range []string{"/", "/embed", "/admin"} {
		if res := do(t, nil, "GET", base+path, "", "", nil); !strings.Contains(string(res.body), `<link rel="icon" href="/favicon.svg" type="image/svg+xml">`) {
			t.Errorf("%s links no favicon", path)
		}
	}
	for _, path := range []string{"/favicon.svg", "/favicon.ico"} {
		res := do(t, nil, "GET", base+path, "", "", nil)
		if res.status != 200 || res.header.Get("Content-Type") != "image/svg+xml" || res.header.Get("Cache-Control") != "public, max-age=86400" ||
			!strings.HasPrefix(string(res.body), "<svg ") {
			t.Errorf("%s: %d, %v", path, res.status, res.header)
		}
	}
	if api := postChat(t, nil, base, "hi"); api.header.Get("Content-Security-Policy") != "default-src 'none'; frame-ancestors 'none'" {
		t.Errorf("API CSP %q", api.header.Get("Content-Security-Policy"))
	}
}

func TestGracefulShutdownFinishesInFlightRequests(t *testing.T) {
	held := newHeldEngine()
	srv := newServer(t, held, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()

	got := make(chan response, 1)
	go func() { got <- postChat(t, nil, "http://"+ln.Addr().String(), "public speaking") }()
	<-held.started // the request is inside the recommender
	cancel()       // as SIGTERM does
	// Once the listener is closed the shutdown is under way; only then
	// may the request finish.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			break
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections 10 s after the stop")
		}
	}
	close(held.release)

	res := <-got
	if res.status != 200 || res.json(t)["intent"] != "recommendation" {
		t.Errorf("in-flight request: %d %s", res.status, res.body)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve returned %v after a clean shutdown", err)
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/health"); err == nil {
		t.Error("the server still accepts requests after shutdown")
	}
}

func TestNewRefusesShortKey(t *testing.T) {
	if _, err := web.New(web.Config{SecretKey: []byte("short")}); err == nil {
		t.Error("a short secret key was accepted")
	}
}

// Every error the API sends is JSON, cross-site refusals included; a
// browser loading a page that does not exist gets a page.
func TestErrorsAreJSONOrPages(t *testing.T) {
	db := testenv.SQLite(t)
	auth, err := admin.New("", "staff-password", testKey, db)
	if err != nil {
		t.Fatal(err)
	}
	base := start(t, newServer(t, nil, func(c *web.Config) { c.Admin = auth }))
	res := do(t, nil, "POST", base+"/api/auth/login", "application/json", `{"password":"x"}`,
		map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
	if res.status != http.StatusForbidden || !strings.HasPrefix(res.header.Get("Content-Type"), "application/json") {
		t.Errorf("cross-site login: %d %q %s", res.status, res.header.Get("Content-Type"), res.body)
	}
	page := do(t, nil, "GET", base+"/no-such-page", "", "", map[string]string{"Accept": "text/html,application/xhtml+xml"})
	if page.status != 404 || !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") || !strings.Contains(string(page.body), "Back to the advisor") {
		t.Errorf("a missing page for a browser: %d %q %s", page.status, page.header.Get("Content-Type"), page.body)
	}
	api := do(t, nil, "GET", base+"/no-such-page", "", "", nil)
	if api.status != 404 || !strings.HasPrefix(api.header.Get("Content-Type"), "application/json") {
		t.Errorf("a missing path for a client: %d %q", api.status, api.header.Get("Content-Type"))
	}
	hostile := do(t, nil, "GET", base+"/<script>alert(1)</script>", "", "", map[string]string{"Accept": "text/html"})
	if strings.Contains(string(hostile.body), "<script>") {
		t.Errorf("the error page echoes markup: %s", hostile.body)
	}
}

// A question with no apps to show answers an empty array, as the OpenAPI
// document says, never null.
func TestNoAppsIsAnEmptyArray(t *testing.T) {
	base := start(t, newServer(t, nil, nil))
	for _, q := range []string{"99-999", "hi", "more like the second one"} {
		res := postChat(t, nil, base, q)
		if res.status != http.StatusOK || !strings.Contains(string(res.body), `"apps":[]`) {
			t.Errorf("%q: %d %s", q, res.status, res.body)
		}
	}
}
