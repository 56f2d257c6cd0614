package web_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ulule/limiter/v3"
	memstore "github.com/ulule/limiter/v3/drivers/store/memory"

	"github.com/vrrec/vrrec/admin"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/ratelimit"
	"github.com/vrrec/vrrec/redis"
	"github.com/vrrec/vrrec/web"
)

func rates(t *testing.T, s string) []limiter.Rate {
	t.Helper()
	r, err := ratelimit.ParseRates(s)
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
		Primary:    &redis.LimiterStore{Client: client, Prefix: "vrrec"},
		Fallback:   memstore.NewStore(),
		RetryAfter: 100 * time.Millisecond,
	}
}

// limitedServer serves with the default limits of the old system.
func limitedServer(t *testing.T, store limiter.Store, mutate func(*web.Config)) string {
	t.Helper()
	return start(t, newServer(t, nil, func(c *web.Config) {
		c.Limits = &web.Limits{
			Limiter: &ratelimit.Limiter{Store: store},
			Default: rates(t, "200/day;50/hour"), Chat: rates(t, "10/minute"), Login: rates(t, "5/minute"),
		}
		if mutate != nil {
			mutate(c)
		}
	}))
}

func chatFrom(t *testing.T, base, xff string) response {
	t.Helper()
	h := map[string]string{}
	if xff != "" {
		h["X-Forwarded-For"] = xff
	}
	return do(t, nil, "POST", base+"/chat", "application/json", `{"message":"anatomy"}`, h)
}

func TestEleventhChatInAMinuteIsRefused(t *testing.T) {
	r := testenv.StartRedis(t)
	base := limitedServer(t, redisStore(t, r.URL), nil)
	for i := 1; i <= 10; i++ {
		res := chatFrom(t, base, "")
		if res.status != 200 {
			t.Fatalf("chat %d: %d %s", i, res.status, res.body)
		}
		if got := res.header.Get("X-RateLimit-Remaining"); got != strconv.Itoa(10-i) {
			t.Errorf("chat %d: remaining %q, want %d", i, got, 10-i)
		}
	}
	res := chatFrom(t, base, "")
	if res.status != http.StatusTooManyRequests {
		t.Fatalf("11th chat: %d %s", res.status, res.body)
	}
	m := res.json(t)
	retry, _ := strconv.Atoi(res.header.Get("Retry-After"))
	if retry < 1 || retry > 60 || m["retry_after"] != float64(retry) || m["error"] == "" {
		t.Errorf("429: Retry-After %q, body %s", res.header.Get("Retry-After"), res.body)
	}
	reset, _ := strconv.ParseInt(res.header.Get("X-RateLimit-Reset"), 10, 64)
	if res.header.Get("X-RateLimit-Limit") != "10" || res.header.Get("X-RateLimit-Remaining") != "0" ||
		reset <= time.Now().Unix() || reset > time.Now().Add(61*time.Second).Unix() {
		t.Errorf("429 headers: %v", res.header)
	}
	// Probes and assets stay reachable; other routes have their own budget.
	for _, path := range []string{"/health", "/ready", "/static/app.js", "/widget.js"} {
		if res := do(t, nil, "GET", base+path, "", "", nil); res.status != 200 || res.header.Get("X-RateLimit-Limit") != "" {
			t.Errorf("%s: %d, limit header %q; want exempt", path, res.status, res.header.Get("X-RateLimit-Limit"))
		}
	}
	if res := do(t, nil, "GET", base+"/api/history", "", "", nil); res.status != 200 || res.header.Get("X-RateLimit-Limit") != "50" {
		t.Errorf("history: %d, limit %q; want 200 under the default 50/hour", res.status, res.header.Get("X-RateLimit-Limit"))
	}
}

func TestSixthLoginAttemptIsRefused(t *testing.T) {
	base := limitedServer(t, memstore.NewStore(), nil)
	for i := 1; i <= 6; i++ {
		res := do(t, nil, "POST", base+"/api/auth/login", "application/json", `{"password":"guess"}`, nil)
		// Attempts 1-5 reach the handler (503 here: no admin configured).
		if i <= 5 && res.status == http.StatusTooManyRequests {
			t.Fatalf("attempt %d refused early", i)
		}
		if i == 6 && (res.status != http.StatusTooManyRequests || res.header.Get("X-RateLimit-Limit") != "5") {
			t.Fatalf("6th attempt: %d %v", res.status, res.header)
		}
	}
}

func TestConcurrentChatsFromOneIPShareTheBudget(t *testing.T) {
	r := testenv.StartRedis(t)
	base := limitedServer(t, redisStore(t, r.URL), nil)
	var wg sync.WaitGroup
	var mu sync.Mutex
	count := map[int]int{}
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := chatFrom(t, base, "")
			mu.Lock()
			count[res.status]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if count[200] != 10 || count[429] != 90 {
		t.Errorf("statuses %v, want exactly 10 OK and 90 refused", count)
	}
}

func TestInstancesSharingRedisEnforceOneBudget(t *testing.T) {
	r := testenv.StartRedis(t)
	a := limitedServer(t, redisStore(t, r.URL), nil)
	b := limitedServer(t, redisStore(t, r.URL), nil)
	ok := 0
	for i := 0; i < 8; i++ {
		for _, base := range []string{a, b} {
			if chatFrom(t, base, "").status == 200 {
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
	for i := 0; i < 3; i++ {
		if res := chatFrom(t, a, ""); res.status != 200 {
			t.Fatalf("before the outage: %d", res.status)
		}
	}

	r.Stop()
	for i := 0; i < 10; i++ { // a fresh in-memory budget of 10
		if res := chatFrom(t, a, ""); res.status != 200 {
			t.Fatalf("chat %d during the outage: %d %s; want it served from memory", i+1, res.status, res.body)
		}
	}
	if res := chatFrom(t, a, ""); res.status != 429 {
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
			if chatFrom(t, base, "").status == 200 {
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
	// An untrusted peer: X-Forwarded-For is ignored.
	base := limitedServer(t, memstore.NewStore(), nil)
	for i := 0; i < 10; i++ {
		chatFrom(t, base, "203.0.113."+strconv.Itoa(i))
	}
	if res := chatFrom(t, base, "198.51.100.7"); res.status != 429 {
		t.Errorf("a new X-Forwarded-For from an untrusted peer bought a new budget: %d", res.status)
	}

	// Behind a trusted proxy (the test client's loopback address), the
	// right-most untrusted hop is the client.
	proxied := limitedServer(t, memstore.NewStore(), func(c *web.Config) {
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8")}
	})
	for i := 0; i < 10; i++ {
		// The client forged the left-most entry; the proxy chain appended
		// the real address and an internal hop.
		if res := chatFrom(t, proxied, "6.6.6."+strconv.Itoa(i)+", 198.51.100.1, 10.0.0.2"); res.status != 200 {
			t.Fatalf("chat %d: %d", i, res.status)
		}
	}
	if res := chatFrom(t, proxied, "1.1.1.1, 198.51.100.1"); res.status != 429 {
		t.Errorf("forging the left-most entry bought a new budget: %d", res.status)
	}
	if res := chatFrom(t, proxied, "198.51.100.2"); res.status != 200 {
		t.Errorf("another client behind the proxy was refused: %d", res.status)
	}
}

func TestBackpressureRefusesWhenFull(t *testing.T) {
	slow := slowEngine{Engine: engine(), delay: 800 * time.Millisecond, started: make(chan struct{})}
	base := start(t, newServer(t, slow, func(c *web.Config) {
		c.MaxConcurrentChats = 1
		c.ChatQueueTimeout = 100 * time.Millisecond
	}))
	first := make(chan response, 1)
	go func() { first <- postChat(t, nil, base, "anatomy") }()
	<-slow.started
	res := postChat(t, nil, base, "astronomy")
	if res.status != http.StatusServiceUnavailable || res.header.Get("Retry-After") != "1" {
		t.Errorf("a chat beyond the cap: %d, Retry-After %q; want 503 with Retry-After", res.status, res.header.Get("Retry-After"))
	}
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
		c.Limits = &web.Limits{Limiter: &ratelimit.Limiter{Store: memstore.NewStore()},
			Default: rates(t, "5/hour"), Chat: rates(t, "10/minute"), Login: rates(t, "5/minute")}
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
