package web_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ulule/limiter/v3"

	"github.com/vrrec/vrrec/admin"
	"github.com/vrrec/vrrec/config"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/ratelimit"
	"github.com/vrrec/vrrec/redis"
	"github.com/vrrec/vrrec/web"
)

func rates(t *testing.T, s string) []limiter.Rate {
	t.Helper()
	r, err := config.ParseRates(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// redisStore is what vrrec serve builds with REDIS_URL set: Redis, falling
// back to memory.
func redisStore(t *testing.T, url string) *ratelimit.Failover {
	t.Helper()
	client, err := redis.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return &ratelimit.Failover{
		Primary:    &redis.RateLimitStore{Client: client},
		Fallback:   &ratelimit.Memory{},
		RetryAfter: 100 * time.Millisecond,
		// vrrec serve waits 250 ms; under the race detector a burst of
		// 100 chats on two cores can starve a healthy Redis's answer that
		// long, and the fallback's own budget would blur the counts. The
		// outage tests stop Redis, which fails at once.
		Timeout: 3 * time.Second,
	}
}

// limitedServer serves with the default limits of vrrec serve.
func limitedServer(t *testing.T, store ratelimit.Store, mutate func(*web.Config)) string {
	t.Helper()
	return start(t, newServer(t, nil, func(c *web.Config) {
		c.Limits = &web.Limits{
			Limiter: &ratelimit.Limiter{Store: store},
			Default: rates(t, "200/day;50/hour"), Chat: rates(t, "10/minute"), Login: rates(t, "5/minute"),
			IPDefault: rates(t, "4000/day;1000/hour"), IPChat: rates(t, "200/minute"), Pages: rates(t, "1200/minute"),
		}
		if mutate != nil {
			mutate(c)
		}
	}))
}

// newStudent is a browser that opened the chat page: the history restore
// gave it its signed user_id cookie.
func newStudent(t *testing.T, base string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	if res := do(t, c, "GET", base+"/api/history", "", "", nil); res.status != 200 {
		t.Fatalf("history: %d", res.status)
	}
	return c
}

// chatFrom sends a chat as client (nil: no cookies, a script), from the
// address the test client connects from or, behind a trusted proxy, xff.
func chatFrom(t *testing.T, client *http.Client, base, xff string) response {
	t.Helper()
	h := map[string]string{}
	if xff != "" {
		h["X-Forwarded-For"] = xff
	}
	return do(t, client, "POST", base+"/chat", "application/json", `{"message":"anatomy"}`, h)
}

func TestEleventhChatInAMinuteIsRefused(t *testing.T) {
	r := testenv.StartRedis(t)
	base := limitedServer(t, redisStore(t, r.URL), nil)
	student := newStudent(t, base)
	for i := 1; i <= 10; i++ {
		res := chatFrom(t, student, base, "")
		if res.status != 200 {
			t.Fatalf("chat %d: %d %s", i, res.status, res.body)
		}
		if got := res.header.Get("X-RateLimit-Remaining"); got != strconv.Itoa(10-i) {
			t.Errorf("chat %d: remaining %q, want %d", i, got, 10-i)
		}
	}
	res := chatFrom(t, student, base, "")
	if res.status != http.StatusTooManyRequests {
		t.Fatalf("11th chat: %d %s", res.status, res.body)
	}
	m := res.json(t)
	retry, _ := strconv.Atoi(res.header.Get("Retry-After"))
	if retry < 1 || retry > 60 || m["retry_after"] != float64(retry) || m["error"] != "Rate limit exceeded: 10/minute. Please wait before trying again." {
		t.Errorf("429: Retry-After %q, body %s", res.header.Get("Retry-After"), res.body)
	}
	reset, _ := strconv.ParseInt(res.header.Get("X-RateLimit-Reset"), 10, 64)
	if res.header.Get("X-RateLimit-Limit") != "10" || res.header.Get("X-RateLimit-Remaining") != "0" ||
		reset < time.Now().Unix() || reset > time.Now().Add(61*time.Second).Unix() {
		t.Errorf("429 headers: %v", res.header)
	}
	// Probes and assets stay reachable; pages count against their own
	// ceiling only.
	for _, path := range []string{"/health", "/ready", "/static/app.js", "/widget.js", "/favicon.svg"} {
		if res := do(t, student, "GET", base+path, "", "", nil); res.status != 200 || res.header.Get("X-RateLimit-Limit") != "" {
			t.Errorf("%s: %d, limit header %q; want exempt", path, res.status, res.header.Get("X-RateLimit-Limit"))
		}
	}
	if res := do(t, student, "GET", base+"/api/history", "", "", nil); res.status != 200 || res.header.Get("X-RateLimit-Limit") != "1200" {
		t.Errorf("history: %d, limit %q; want 200 under the page ceiling 1200/minute", res.status, res.header.Get("X-RateLimit-Limit"))
	}
}

func TestSixthLoginAttemptIsRefused(t *testing.T) {
	base := limitedServer(t, &ratelimit.Memory{}, nil)
	for i := 1; i <= 6; i++ {
		// A fresh identity each time changes nothing: login counts per
		// address.
		res := do(t, newStudent(t, base), "POST", base+"/api/auth/login", "application/json", `{"password":"guess"}`, nil)
		// Attempts 1-5 reach the handler (503 here: no admin configured).
		if i <= 5 && res.status == http.StatusTooManyRequests {
			t.Fatalf("attempt %d refused early", i)
		}
		if i == 6 && (res.status != http.StatusTooManyRequests || res.header.Get("X-RateLimit-Limit") != "5" ||
			res.json(t)["error"] != "Too many login attempts: 5/minute. Please wait before trying again.") {
			t.Fatalf("6th attempt: %d %v %s", res.status, res.header, res.body)
		}
	}
}

func TestConcurrentChatsShareTheBudget(t *testing.T) {
	r := testenv.StartRedis(t)
	base := limitedServer(t, redisStore(t, r.URL), func(c *web.Config) { c.Limits.IPChat = rates(t, "30/minute") })
	burst := func(client func() *http.Client) map[int]int {
		var wg sync.WaitGroup
		var mu sync.Mutex
		count := map[int]int{}
		for i := 0; i < 100; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := chatFrom(t, client(), base, "")
				mu.Lock()
				count[res.status]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		return count
	}
	student := newStudent(t, base)
	if count := burst(func() *http.Client { return student }); count[200] != 10 || count[429] != 90 {
		t.Errorf("one student: statuses %v, want exactly 10 OK and 90 refused", count)
	}
	// Scripts without cookies share what is left of the address's 30.
	if count := burst(func() *http.Client { return nil }); count[200] != 20 || count[429] != 80 {
		t.Errorf("cookieless: statuses %v, want exactly 20 OK and 80 refused", count)
	}
}

func TestInstancesSharingRedisEnforceOneBudget(t *testing.T) {
	r := testenv.StartRedis(t)
	a := limitedServer(t, redisStore(t, r.URL), nil)
	b := limitedServer(t, redisStore(t, r.URL), nil)
	student := newStudent(t, a) // the same secret key: b believes a's cookie
	ok := 0
	for i := 0; i < 8; i++ {
		for _, base := range []string{a, b} {
			if chatFrom(t, student, base, "").status == 200 {
				ok++
			}
		}
	}
	if ok != 10 {
		t.Errorf("%d chats succeeded across two instances, want one budget of 10", ok)
	}
}

func TestRedisDownMidRunFallsBackAndRecovers(t *testing.T) {
	r := testenv.StartRedis(t)
	storeA, storeB := redisStore(t, r.URL), redisStore(t, r.URL)
	a := limitedServer(t, storeA, nil)
	b := limitedServer(t, storeB, nil)
	student := newStudent(t, a)
	for i := 0; i < 3; i++ {
		if res := chatFrom(t, student, a, ""); res.status != 200 {
			t.Fatalf("before the outage: %d", res.status)
		}
	}

	r.Stop()
	for i := 0; i < 10; i++ { // a fresh in-memory budget of 10
		if res := chatFrom(t, student, a, ""); res.status != 200 {
			t.Fatalf("chat %d during the outage: %d %s; want it served from memory", i+1, res.status, res.body)
		}
	}
	if res := chatFrom(t, student, a, ""); res.status != 429 {
		t.Errorf("memory limits must still apply during the outage: %d", res.status)
	}
	if storeA.Mode() != ratelimit.ModeFallback || storeA.Switches() != 1 || storeA.FallbackCalls() == 0 {
		t.Errorf("mode %s, %d switches, %d fallback calls", storeA.Mode(), storeA.Switches(), storeA.FallbackCalls())
	}

	r.Start() // an empty Redis: counters start again, shared
	time.Sleep(150 * time.Millisecond)
	ok := 0
	for i := 0; i < 7; i++ {
		for _, base := range []string{a, b} {
			if chatFrom(t, student, base, "").status == 200 {
				ok++
			}
		}
	}
	if ok != 10 {
		t.Errorf("after Redis came back %d chats succeeded across both instances, want one shared budget of 10", ok)
	}
	if storeA.Mode() != ratelimit.ModePrimary || storeA.Switches() != 2 {
		t.Errorf("after recovery: mode %s, %d switches", storeA.Mode(), storeA.Switches())
	}
}

func TestSpoofedForwardedForDoesNotChangeTheBudget(t *testing.T) {
	ipChat10 := func(c *web.Config) { c.Limits.IPChat = rates(t, "10/minute") }
	// An untrusted peer: X-Forwarded-For is ignored.
	base := limitedServer(t, &ratelimit.Memory{}, ipChat10)
	for i := 0; i < 10; i++ {
		chatFrom(t, nil, base, "203.0.113."+strconv.Itoa(i))
	}
	if res := chatFrom(t, nil, base, "198.51.100.7"); res.status != 429 {
		t.Errorf("a new X-Forwarded-For from an untrusted peer bought a new budget: %d", res.status)
	}

	// Behind a trusted proxy (the test client's loopback address), the
	// right-most untrusted hop is the client.
	proxied := limitedServer(t, &ratelimit.Memory{}, func(c *web.Config) {
		ipChat10(c)
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8")}
	})
	for i := 0; i < 10; i++ {
		// The client forged the left-most entry; the proxy chain appended
		// the real address and an internal hop.
		if res := chatFrom(t, nil, proxied, "6.6.6."+strconv.Itoa(i)+", 198.51.100.1, 10.0.0.2"); res.status != 200 {
			t.Fatalf("chat %d: %d", i, res.status)
		}
	}
	if res := chatFrom(t, nil, proxied, "1.1.1.1, 198.51.100.1"); res.status != 429 {
		t.Errorf("forging the left-most entry bought a new budget: %d", res.status)
	}
	if res := chatFrom(t, nil, proxied, "198.51.100.2"); res.status != 200 {
		t.Errorf("another client behind the proxy was refused: %d", res.status)
	}
}

// Issue 15, item 1: a student who asked 43 questions (reloading now and
// then) could no longer load the chat page, and staff on the same address
// could not reach /admin: page loads spent the 50/hour. Now pages, assets,
// history restores and the auth check spend nothing but a generous
// per-address ceiling.
func TestPagesDoNotSpendTheStudentsBudget(t *testing.T) {
	base := limitedServer(t, &ratelimit.Memory{}, func(c *web.Config) { c.Limits.Chat = nil })
	student := newStudent(t, base)
	load := func(who *http.Client, page string) {
		t.Helper()
		for _, p := range []string{page, "/static/app.js", "/static/style.css", "/api/history", "/favicon.ico"} {
			if res := do(t, who, "GET", base+p, "", "", nil); res.status == http.StatusTooManyRequests {
				t.Errorf("GET %s refused: %s", p, res.body)
			}
		}
	}
	load(student, "/")
	for i := 1; i <= 43; i++ {
		if res := postChat(t, student, base, "anatomy"); res.status != 200 {
			t.Fatalf("question %d: %d %s", i, res.status, res.body)
		}
		if i%10 == 0 {
			load(student, "/") // a reload now and then
		}
	}
	load(student, "/embed")
	jar, _ := cookiejar.New(nil)
	staff := &http.Client{Jar: jar}
	for _, p := range []string{"/admin", "/admin/data", "/admin/config", "/api/auth/check"} {
		if res := do(t, staff, "GET", base+p, "", "", nil); res.status != 200 {
			t.Errorf("staff GET %s on the same address: %d", p, res.status)
		}
	}
	// The 50/hour still holds what costs something: 43 chats, 7 more.
	for i := 44; i <= 50; i++ {
		if res := postChat(t, student, base, "anatomy"); res.status != 200 {
			t.Fatalf("question %d: %d %s", i, res.status, res.body)
		}
	}
	if res := postChat(t, student, base, "anatomy"); res.status != 429 || res.header.Get("X-RateLimit-Limit") != "50" {
		t.Errorf("question 51: %d, limit %q; want refused by the 50/hour", res.status, res.header.Get("X-RateLimit-Limit"))
	}
	load(student, "/")
}

// The page ceiling stops a script looping on pages and history, without
// touching anyone's chat budget.
func TestPageCeilingPerAddress(t *testing.T) {
	base := limitedServer(t, &ratelimit.Memory{}, func(c *web.Config) { c.Limits.Pages = rates(t, "30/minute") })
	student := newStudent(t, base) // one page-class request
	for i := 2; i <= 30; i++ {
		if res := do(t, nil, "GET", base+"/api/history", "", "", nil); res.status != 200 {
			t.Fatalf("request %d: %d", i, res.status)
		}
	}
	res := do(t, student, "GET", base+"/", "", "", nil)
	if res.status != http.StatusTooManyRequests || res.header.Get("Retry-After") == "" ||
		res.json(t)["error"] != "Too many page loads from your address: 30/minute. Please wait before trying again." {
		t.Errorf("31st page-class request: %d %s", res.status, res.body)
	}
	if res := chatFrom(t, student, base, ""); res.status != 200 || res.header.Get("X-RateLimit-Remaining") != "9" {
		t.Errorf("a chat after the page ceiling: %d, remaining %q", res.status, res.header.Get("X-RateLimit-Remaining"))
	}
	// A browser loading a page gets a page saying what happened and when
	// to come back, never raw JSON.
	page := do(t, student, "GET", base+"/", "", "", map[string]string{"Accept": "text/html,application/xhtml+xml"})
	if page.status != http.StatusTooManyRequests || !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(page.body), "Too many page loads") || !strings.Contains(string(page.body), "Please try again in") {
		t.Errorf("a limited page load: %d %s\n%s", page.status, page.header.Get("Content-Type"), page.body)
	}
}

// Issue 15, item 2: one refused burst locked an address out for an hour,
// because every request, refused or not, counted toward the hour and the
// day. Now only answered requests count, also across instances sharing
// Redis.
func TestRefusedBurstDoesNotSpendTheHour(t *testing.T) {
	r := testenv.StartRedis(t)
	// Three chats per two seconds: the burst fits in one window.
	window := 2 * time.Second
	limits := func(c *web.Config) {
		c.Limits.Default = rates(t, "200/day;6/hour")
		c.Limits.Chat = []limiter.Rate{{Formatted: "3/2s", Period: window, Limit: 3}}
	}
	a := limitedServer(t, redisStore(t, r.URL), limits)
	b := limitedServer(t, redisStore(t, r.URL), limits)
	student := newStudent(t, a)
	ok := 0
	for i := 0; i < 100; i++ {
		if chatFrom(t, student, []string{a, b}[i%2], "").status == 200 {
			ok++
		}
	}
	if ok != 3 {
		t.Fatalf("%d of a burst of 100 answered, want 3", ok)
	}
	time.Sleep(window + 100*time.Millisecond) // the window is over; the hour is not
	// The hour holds the 3 answered chats, not the 97 refused ones.
	res := chatFrom(t, student, b, "")
	if res.status != 200 || res.header.Get("X-RateLimit-Limit") != "6" || res.header.Get("X-RateLimit-Remaining") != "2" {
		t.Fatalf("a second after a refused burst: %d, limit %q remaining %q; want answered with 2 of the 6/hour left",
			res.status, res.header.Get("X-RateLimit-Limit"), res.header.Get("X-RateLimit-Remaining"))
	}
	for i := 5; i <= 6; i++ {
		if res := chatFrom(t, student, a, ""); res.status != 200 {
			t.Fatalf("chat %d: %d %s", i, res.status, res.body)
		}
	}
	time.Sleep(window + 100*time.Millisecond)
	if res := chatFrom(t, student, a, ""); res.status != 429 || res.header.Get("X-RateLimit-Limit") != "6" || res.json(t)["retry_after"].(float64) < 3500 {
		t.Errorf("the 7th answered chat of the hour: %d %s; want refused by the 6/hour", res.status, res.body)
	}
}

// Issue 15, item 3: a campus behind one NAT address. Each student (signed
// identity) has a budget of their own; the address has a ceiling over all
// of them that also holds a script dropping its cookies; a request without
// a valid identity counts against the address only.
func TestStudentsBehindOneAddress(t *testing.T) {
	base := limitedServer(t, &ratelimit.Memory{}, func(c *web.Config) { c.Limits.IPChat = rates(t, "33/minute") })
	for s := 1; s <= 2; s++ {
		student := newStudent(t, base)
		for i := 1; i <= 10; i++ {
			if res := chatFrom(t, student, base, ""); res.status != 200 {
				t.Fatalf("student %d, chat %d behind the shared address: %d %s", s, i, res.status, res.body)
			}
		}
		res := chatFrom(t, student, base, "")
		if res.status != 429 || res.json(t)["error"] != "Rate limit exceeded: 10/minute. Please wait before trying again." {
			t.Errorf("student %d, chat 11: %d %s; want refused by the student's own 10/minute", s, res.status, res.body)
		}
	}
	// The widget's signed token (no cookie in a frame on another site) is
	// a student too.
	embed := do(t, nil, "POST", base+"/chat", "application/json", `{"message":"anatomy"}`, map[string]string{"X-Vrrec-Embed": "1"})
	token, _ := embed.json(t)["user_token"].(string)
	if embed.status != 200 || token == "" {
		t.Fatalf("widget chat: %d %s", embed.status, embed.body)
	}
	widget := map[string]string{"X-Vrrec-Embed": "1", "X-Vrrec-User": token}
	// The first chat had no identity yet: it counted against the address
	// only. The token's own 10 follow.
	for i := 2; i <= 11; i++ {
		if res := do(t, nil, "POST", base+"/chat", "application/json", `{"message":"anatomy"}`, widget); res.status != 200 {
			t.Fatalf("widget chat %d: %d %s", i, res.status, res.body)
		}
	}
	if res := do(t, nil, "POST", base+"/chat", "application/json", `{"message":"anatomy"}`, widget); res.status != 429 ||
		res.json(t)["error"] != "Rate limit exceeded: 10/minute. Please wait before trying again." {
		t.Errorf("widget chat 12: %d %s; want refused by the token's own 10/minute", res.status, res.body)
	}
	// 31 of the address's 33 are used. A script without cookies, or with a
	// forged one, gets the last 2.
	forged := map[string]string{"Cookie": "user_id=00000000-0000-4000-8000-000000000000.forged"}
	if res := chatFrom(t, nil, base, ""); res.status != 200 {
		t.Errorf("cookieless chat 1: %d", res.status)
	}
	if res := do(t, nil, "POST", base+"/chat", "application/json", `{"message":"anatomy"}`, forged); res.status != 200 {
		t.Errorf("forged-cookie chat: %d", res.status)
	}
	for _, res := range []response{
		chatFrom(t, nil, base, ""),
		do(t, nil, "POST", base+"/chat", "application/json", `{"message":"anatomy"}`, forged),
		chatFrom(t, newStudent(t, base), base, ""), // a third student: the address is full
	} {
		if res.status != 429 || res.header.Get("X-RateLimit-Limit") != "33" ||
			res.json(t)["error"] != "Too many requests from your network: 33/minute for everyone sharing its address. Please wait before trying again." {
			t.Errorf("over the address's ceiling: %d %v %s", res.status, res.header, res.body)
		}
	}
}

func TestBackpressureRefusesWhenFull(t *testing.T) {
	held := newHeldEngine()
	base := start(t, newServer(t, held, func(c *web.Config) {
		c.MaxConcurrentChats = 1
		c.ChatQueueTimeout = 100 * time.Millisecond
	}))
	first := make(chan response, 1)
	go func() { first <- postChat(t, nil, base, "anatomy") }()
	<-held.started // the first chat holds the only slot until released
	res := postChat(t, nil, base, "astronomy")
	if res.status != http.StatusServiceUnavailable || res.header.Get("Retry-After") != "1" {
		t.Errorf("a chat beyond the cap: %d, Retry-After %q; want 503 with Retry-After", res.status, res.header.Get("Retry-After"))
	}
	close(held.release)
	if r := <-first; r.status != 200 {
		t.Errorf("the chat holding the slot: %d", r.status)
	}
}

func TestCORS(t *testing.T) {
	base := start(t, newServer(t, nil, func(c *web.Config) { c.CORSOrigins = []string{"https://www.example.edu"} }))
	preflight := func(origin string) response {
		return do(t, nil, "OPTIONS", base+"/chat", "", "", map[string]string{
			"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
	}
	ok := preflight("https://www.example.edu")
	if ok.status != http.StatusNoContent || ok.header.Get("Access-Control-Allow-Origin") != "https://www.example.edu" ||
		ok.header.Get("Access-Control-Allow-Credentials") != "true" || ok.header.Get("Access-Control-Allow-Methods") == "" {
		t.Errorf("allowed preflight: %d %v", ok.status, ok.header)
	}
	bad := preflight("https://evil.example")
	if bad.status != http.StatusForbidden || bad.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("disallowed preflight: %d %v", bad.status, bad.header)
	}
	simple := do(t, nil, "POST", base+"/chat", "application/json", `{"message":"hi"}`, map[string]string{"Origin": "https://evil.example"})
	if simple.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("a disallowed origin got CORS headers: %v", simple.header)
	}
	allowed := do(t, nil, "POST", base+"/chat", "application/json", `{"message":"hi"}`, map[string]string{"Origin": "https://www.example.edu"})
	if got := allowed.header.Get("Access-Control-Allow-Origin"); got != "https://www.example.edu" || got == "*" {
		t.Errorf("allowed origin: ACAO %q", got)
	}
	// Even an allowed origin may not read the staff API with a staff cookie.
	for _, path := range []string{"/api/admin/logs", "/api/auth/check", "/admin"} {
		res := do(t, nil, "GET", base+path, "", "", map[string]string{"Origin": "https://www.example.edu"})
		if res.header.Get("Access-Control-Allow-Origin") != "" || res.header.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("%s answered an allowed origin with CORS headers: %v", path, res.header)
		}
	}
}

// Staff with a session watching a long job are not limited; without a
// session the admin API counts like any other route.
func TestStaffAreNotRateLimited(t *testing.T) {
	db := testenv.SQLite(t)
	auth, err := admin.New("", "staff-password", testKey, db)
	if err != nil {
		t.Fatal(err)
	}
	base := start(t, newServer(t, nil, func(c *web.Config) {
		c.Admin, c.Interactions = auth, db
		c.Limits = &web.Limits{Limiter: &ratelimit.Limiter{Store: &ratelimit.Memory{}},
			Default: rates(t, "5/hour"), Chat: rates(t, "10/minute"), Login: rates(t, "5/minute"), IPDefault: rates(t, "5/hour")}
	}))
	jar, _ := cookiejar.New(nil)
	staff := &http.Client{Jar: jar}
	do(t, staff, "POST", base+"/api/auth/login", "application/json", `{"password":"staff-password"}`, nil)
	for i := 0; i < 20; i++ {
		if res := do(t, staff, "GET", base+"/api/admin/stats", "", "", nil); res.status != 200 {
			t.Fatalf("staff request %d: %d", i+1, res.status)
		}
	}
	statuses := map[int]int{}
	for i := 0; i < 6; i++ {
		statuses[do(t, nil, "GET", base+"/api/admin/stats", "", "", map[string]string{"X-Forwarded-For": "1.2.3.4"}).status]++
	}
	if statuses[http.StatusTooManyRequests] == 0 {
		t.Errorf("requests without a session were not limited: %v", statuses)
	}
}
