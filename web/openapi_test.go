package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/admin"
	"github.com/vrrec/vrrec/chat"
	quality "github.com/vrrec/vrrec/eval"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/jobs"
	"github.com/vrrec/vrrec/llm"
	"github.com/vrrec/vrrec/privacy"
	"github.com/vrrec/vrrec/ratelimit"
	"github.com/vrrec/vrrec/sqlite"
	"github.com/vrrec/vrrec/usage"
	"github.com/vrrec/vrrec/web"
)

// apiDoc is docs/openapi.yaml, loaded and checked, with every object
// schema that lists its properties closed (additionalProperties false
// unless the file says otherwise): a response field the file does not
// document fails the validation.
type apiDoc struct {
	doc *openapi3.T

	mu      sync.Mutex
	checked map[string]map[int]bool // "METHOD /path" -> statuses validated
}

var registerDecoders sync.Once

func loadAPIDoc(t *testing.T) *apiDoc {
	t.Helper()
	registerDecoders.Do(func() {
		for _, ct := range []string{"text/html", "text/csv", "text/javascript", "image/svg+xml", "text/css", "text/event-stream"} {
			openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
		}
	})
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile("../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("docs/openapi.yaml is not a valid OpenAPI document: %v", err)
	}
	seen := map[*openapi3.Schema]bool{}
	for _, s := range doc.Components.Schemas {
		closeObjects(s, seen)
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		for _, op := range doc.Paths.Value(path).Operations() {
			for _, res := range op.Responses.Map() {
				for _, mt := range res.Value.Content {
					closeObjects(mt.Schema, seen)
				}
			}
		}
	}
	return &apiDoc{doc: doc, checked: map[string]map[int]bool{}}
}

// closeObjects sets additionalProperties false on every object schema
// under ref that lists properties and says nothing of others.
func closeObjects(ref *openapi3.SchemaRef, seen map[*openapi3.Schema]bool) {
	if ref == nil || ref.Value == nil || seen[ref.Value] {
		return
	}
	s := ref.Value
	seen[s] = true
	if len(s.Properties) > 0 && s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil {
		no := false
		s.AdditionalProperties.Has = &no
	}
	for _, p := range s.Properties {
		closeObjects(p, seen)
	}
	closeObjects(s.Items, seen)
	closeObjects(s.AdditionalProperties.Schema, seen)
	for _, list := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf, s.AllOf} {
		for _, r := range list {
			closeObjects(r, seen)
		}
	}
}

// freeForm reports the first object schema under ref that documents no
// field at all (neither properties nor additionalProperties): a response
// of that shape would pass whatever it held.
func freeForm(ref *openapi3.SchemaRef, where string, seen map[*openapi3.Schema]bool) string {
	if ref == nil || ref.Value == nil || seen[ref.Value] {
		return ""
	}
	s := ref.Value
	seen[s] = true
	if s.Type.Is("object") && len(s.Properties) == 0 && s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil && len(s.OneOf)+len(s.AnyOf)+len(s.AllOf) == 0 {
		return where
	}
	for name, p := range s.Properties {
		if w := freeForm(p, where+"."+name, seen); w != "" {
			return w
		}
	}
	if w := freeForm(s.Items, where+"[]", seen); w != "" {
		return w
	}
	return freeForm(s.AdditionalProperties.Schema, where+"{}", seen)
}

// call sends a request to the route documented at method and template (a
// path of the file; path is the concrete one, with any query) and checks
// the response against the file: its status is documented for the route,
// its body has a documented media type and matches the schema.
func (a *apiDoc) call(t *testing.T, client *http.Client, base, method, template, path, contentType, body string, header map[string]string) response {
	t.Helper()
	res := do(t, client, method, base+path, contentType, body, header)
	a.check(t, method, template, path, res)
	return res
}

// reporter is what check reports to: a test, or a recorder in the test
// that shows check can fail.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

type recorder struct{ failed bool }

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }

func (a *apiDoc) check(t reporter, method, template, path string, res response) {
	t.Helper()
	key := method + " " + template
	item := a.doc.Paths.Value(template)
	var op *openapi3.Operation
	if item != nil {
		op = item.GetOperation(method)
	}
	if op == nil {
		t.Errorf("%s is not in docs/openapi.yaml", key)
		return
	}
	a.mu.Lock()
	if a.checked[key] == nil {
		a.checked[key] = map[int]bool{}
	}
	a.checked[key][res.status] = true
	a.mu.Unlock()
	documented := op.Responses.Status(res.status)
	if documented == nil {
		t.Errorf("%s %s answered %d, which docs/openapi.yaml does not list for it: %.300s", method, path, res.status, res.body)
		return
	}
	if len(res.body) > 0 {
		ct, _, _ := mime.ParseMediaType(res.header.Get("Content-Type"))
		mt := documented.Value.Content.Get(ct)
		if mt == nil || mt.Schema == nil {
			t.Errorf("%s %s answered %d with %s, whose body docs/openapi.yaml does not describe: %.300s", method, path, res.status, ct, res.body)
			return
		}
		if ct == "application/json" {
			if w := freeForm(mt.Schema, "body", map[*openapi3.Schema]bool{}); w != "" {
				t.Errorf("%s %d: docs/openapi.yaml documents no field of %s", key, res.status, w)
			}
		}
	}
	req, _ := http.NewRequest(method, "http://localhost"+path, nil)
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req,
			Route:   &routers.Route{Spec: a.doc, Path: template, PathItem: item, Method: method, Operation: op},
		},
		Status:  res.status,
		Header:  res.header,
		Body:    io.NopCloser(bytes.NewReader(res.body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s %s (%d) does not match docs/openapi.yaml: %v\nbody: %.600s", method, path, res.status, err, res.body)
	}
}

// schema validates v against the component schema name.
func (a *apiDoc) schema(t *testing.T, name string, v any, what string) {
	t.Helper()
	ref := a.doc.Components.Schemas[name]
	if ref == nil {
		t.Errorf("docs/openapi.yaml has no schema %s (for %s)", name, what)
		return
	}
	if err := ref.Value.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.VisitAsResponse(), openapi3.MultiErrors()); err != nil {
		t.Errorf("%s does not match %s: %v\n%.600v", what, name, err, v)
	}
}

// undocumented lists the routes among patterns ("METHOD /path"; a pattern
// without a method is a catch-all and is skipped) that the file lacks.
func (a *apiDoc) undocumented(patterns []string) []string {
	var out []string
	for _, p := range patterns {
		method, path, ok := strings.Cut(p, " ")
		if !ok {
			continue
		}
		path = strings.TrimSuffix(path, "{$}")
		if strings.HasSuffix(path, "/") && path != "/" {
			path += "{file}" // a tree of files, as /static/
		}
		if item := a.doc.Paths.Value(path); item == nil || item.GetOperation(method) == nil {
			out = append(out, p)
		}
	}
	return out
}

// The file documents every route the server has, with a method.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	a := loadAPIDoc(t)
	srv := newServer(t, nil, nil)
	patterns := srv.Patterns()
	if len(patterns) < 50 {
		t.Fatalf("only %d routes registered", len(patterns))
	}
	for _, p := range a.undocumented(patterns) {
		t.Errorf("%s (web/routes.go) is not in docs/openapi.yaml", p)
	}
	// The check can fail: a route the file lacks is found.
	if got := a.undocumented([]string{"GET /api/nowhere", "GET /health", "/api/"}); !slices.Equal(got, []string{"GET /api/nowhere"}) {
		t.Errorf("undocumented of a made-up route: %q", got)
	}
}

// The validation fails on a field the file does not document, a value
// outside its enum and a status it does not list.
func TestOpenAPIValidationIsStrict(t *testing.T) {
	a := loadAPIDoc(t)
	job := map[string]any{"id": "j", "type": "import", "state": "running", "params": map[string]any{}, "started_at": "2026-01-02T03:04:05Z",
		"progress": map[string]any{"stage": "", "done": 0, "total": 0}, "log": []any{}}
	if err := a.doc.Components.Schemas["Job"].Value.VisitJSON(job, openapi3.EnableJSONSchema2020()); err != nil {
		t.Fatalf("a documented job fails: %v", err)
	}
	for name, bad := range map[string]map[string]any{
		"undocumented field": {"surprise": 1},
		"unknown type":       {"type": "bake_bread"},
		"null log":           {"log": nil},
	} {
		j := map[string]any{}
		for k, v := range job {
			j[k] = v
		}
		for k, v := range bad {
			j[k] = v
		}
		if err := a.doc.Components.Schemas["Job"].Value.VisitJSON(j, openapi3.EnableJSONSchema2020()); err == nil {
			t.Errorf("a job with %s passes", name)
		}
	}
	ok := response{status: 200, header: http.Header{"Content-Type": {"application/json"}}, body: []byte(`{"status":"healthy","components":{}}`)}
	for name, res := range map[string]response{
		"undocumented field":  {status: 200, header: ok.header, body: []byte(`{"status":"healthy","components":{},"version":"1"}`)},
		"undocumented status": {status: 418, header: ok.header, body: []byte(`{"error":"teapot"}`)},
		"undocumented type":   {status: 200, header: http.Header{"Content-Type": {"text/plain"}}, body: []byte("ok")},
	} {
		r := new(recorder)
		if a.check(r, "GET", "/health", "/health", res); !r.failed {
			t.Errorf("a /health response with an %s passes", name)
		}
	}
	r := new(recorder)
	if a.check(r, "GET", "/health", "/health", ok); r.failed {
		t.Error("a documented /health response fails")
	}
	if w := freeForm(openapi3.NewObjectSchema().NewRef(), "body", map[*openapi3.Schema]bool{}); w != "body" {
		t.Errorf("an object documenting no field is not caught: %q", w)
	}
}

// apiEnv is a server with every part the API documents: the chat over a
// SQLite database keeping sessions, interactions and votes; staff
// accounts, settings, reports, data management and the privacy service.
type apiEnv struct {
	*dataEnv
	db     *sqlite.DB
	viewer *http.Client
}

func newAPIEnv(t *testing.T) *apiEnv {
	t.Helper()
	db := testenv.SQLite(t)
	cat := testenv.DefaultCatalog(t)
	names := map[string]string{}
	for _, app := range cat.Apps {
		names[app.AppID] = app.Name
	}
	sets, err := quality.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	accounts := admin.NewAccounts(db)
	env := map[string]string{"OPENROUTER_API_KEY": "sk-or-v1-abcdefghijklmnop"}
	e := newDataEnvOn(t, db, func(c *web.Config, e *dataEnv) {
		eng := engine()
		c.Chat = chat.New(func() chat.Engine { return eng }, db, c.Log)
		c.Journal = recordNow{db}
		c.Feedback, c.Staff = db, accounts
		c.Usage = &usage.Reports{Log: db, Votes: db, Embedder: testenv.Embedder(t), AppName: func(id string) string { return names[id] }}
		c.Labels = quality.Stored{LabeledQueryStore: db, Catalog: func() *vrrec.Catalog { return cat }}
		c.Settings, _ = admin.NewSettings(db, func(k string) string { return env[k] }, testKey)
		c.Privacy = &privacy.Service{Kinds: []privacy.Kind{privacy.Interactions(db, 0), privacy.Sessions(db, 0), privacy.Feedback(db, 0)}}
		budget := &llm.DailyBudget{Store: db, Log: c.Log, Settings: func(context.Context) llm.BudgetSettings {
			return llm.BudgetSettings{Tokens: 100000, Calls: 100, PriceInput: 0.5, PriceOutput: 1.5}
		}}
		c.LLMSpend = func(ctx context.Context, days int) (any, error) { return budget.Report(ctx, days) }
		c.AppName = func(id string) string { return names[id] }
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
		e.data.Engine = func(_ context.Context, cat *vrrec.Catalog, _ func(done, total int)) (vrrec.Recommender, error) {
			return testenv.Engine(t, cat), nil
		}
		// The first draft is measured, on a few queries: enough for the
		// shape of a version's quality, and fast.
		var measured atomic.Bool
		e.data.Sets = func(context.Context) (map[string]*quality.Set, error) {
			if measured.Swap(true) {
				return nil, errors.New("this test measures its first draft only")
			}
			return map[string]*quality.Set{"default": {Queries: sets["default"].Queries[:3]}}, nil
		}
	})
	if _, err := accounts.Add(context.Background(), "viewer@uni.example", "", vrrec.RoleViewer, staffPassword); err != nil {
		t.Fatal(err)
	}
	viewer := newClient()
	if res := do(t, viewer, "POST", e.base+"/api/auth/login", "application/json", `{"email":"viewer@uni.example","password":"`+staffPassword+`"}`, nil); res.status != 200 {
		t.Fatalf("viewer sign-in: %d %s", res.status, res.body)
	}
	return &apiEnv{dataEnv: e, db: db, viewer: viewer}
}

// events reads a text/event-stream body and checks each event's data
// against the schema the file documents for it; it returns the events'
// names in order.
func (a *apiDoc) events(t *testing.T, body []byte) []string {
	t.Helper()
	schemas := map[string]string{"progress": "StreamProgress", "writing": "StreamWriting", "result": "ChatResponse", "update": "ChatResponse", "error": "StreamError"}
	var names []string
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var name string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			names = append(names, name)
			var v any
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &v); err != nil {
				t.Errorf("event %s: not JSON: %s", name, line)
			} else if schemas[name] == "" {
				t.Errorf("event %q is not documented", name)
			} else {
				a.schema(t, schemas[name], v, "event "+name)
			}
		}
	}
	return names
}

// Every documented route answers as docs/openapi.yaml says: its success
// and its errors, each body against its schema with no undocumented field.
func TestResponsesMatchOpenAPI(t *testing.T) {
	a := loadAPIDoc(t)
	e := newAPIEnv(t)
	base := e.base
	call := func(client *http.Client, method, template, path, ctype, body string) response {
		t.Helper()
		return a.call(t, client, base, method, template, path, ctype, body, nil)
	}
	const js = "application/json"
	student := newClient()
	sameSite := map[string]string{"Sec-Fetch-Site": "same-origin"}
	crossSite := map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}

	// Pages and assets.
	for _, p := range [][2]string{{"/", "/"}, {"/embed", "/embed"}, {"/widget.js", "/widget.js"}, {"/favicon.svg", "/favicon.svg"},
		{"/favicon.ico", "/favicon.ico"}, {"/static/{file}", "/static/app.js"}, {"/static/{file}", "/static/style.css"},
		{"/admin", "/admin"}, {"/admin/data", "/admin/data"}, {"/admin/config", "/admin/config"}, {"/admin/staff", "/admin/staff"}} {
		call(nil, "GET", p[0], p[1], "", "")
	}
	call(nil, "GET", "/static/{file}", "/static/nothing.js", "", "")
	call(nil, "GET", "/health", "/health", "", "")
	call(nil, "GET", "/ready", "/ready", "", "")

	// The chat: every intent and the shapes of an answer.
	call(student, "GET", "/chat", "/chat", "", "")
	chatAs := func(client *http.Client, msg string, extra map[string]any) map[string]any {
		t.Helper()
		req := map[string]any{"message": msg}
		for k, v := range extra {
			req[k] = v
		}
		b, _ := json.Marshal(req)
		res := call(client, "POST", "/chat", "/chat", js, string(b))
		if res.status != 200 {
			t.Fatalf("chat %q: %d %s", msg, res.status, res.body)
		}
		return res.json(t)
	}
	first := chatAs(student, "I want to practice public speaking", nil)
	session := map[string]any{"session_id": first["session_id"]}
	for _, msg := range []string{"hello", "help", "tell me more about Beat Saber", "Beat Saber", "more like the second one", "anything cheaper?",
		"free ones?", "show me more", "free seated apps for anatomy", "anatomy and public speaking", "origami", "95-888", "99-999",
		"Ich möchte Anatomie lernen"} {
		chatAs(student, msg, session)
	}
	chatAs(student, "free apps for chemistry", map[string]any{"without": []string{"free"}})
	a.call(t, nil, base, "POST", "/chat", "/chat", js, `{"message":"hi"}`, map[string]string{"X-Vrrec-Embed": "1"})
	for _, bad := range []string{`{"message": ""}`, `{"message": "hi"`, `{"message": "hi", "session_id": "../x"}`, `{"message": "hi", "without": ["bogus"]}`, `{"message": 5}`} {
		call(nil, "POST", "/chat", "/chat", js, bad)
	}
	call(nil, "POST", "/chat", "/chat", "text/plain", `{"message": "hi"}`)
	call(nil, "POST", "/chat", "/chat", js, `{"message": "`+strings.Repeat("a", 70<<10)+`"}`)

	// The stream: each event's payload against its schema.
	stream := call(student, "POST", "/chat/stream", "/chat/stream", js, `{"message": "I study human anatomy"}`)
	if names := a.events(t, stream.body); len(names) < 2 || names[len(names)-1] != "result" {
		t.Errorf("stream events: %q", names)
	}
	call(nil, "POST", "/chat/stream", "/chat/stream", js, `{"message": ""}`)

	// Course pages: the opening, the courses an instructor picks from.
	call(student, "POST", "/chat/open", "/chat/open", js, `{"course": "15-112"}`)
	call(student, "POST", "/chat/open", "/chat/open", js, `{"course": "99-999"}`)
	call(student, "POST", "/chat/open", "/chat/open", js, `{"course": 5}`)
	call(student, "POST", "/chat", "/chat", js, `{"message": "anything for this class?", "course": "15-112"}`)
	call(nil, "GET", "/api/courses", "/api/courses", "", "")
	call(nil, "GET", "/api/courses/{id}", "/api/courses/15-112", "", "")
	call(nil, "GET", "/api/courses/{id}", "/api/courses/99-999", "", "")

	// What the student told about their studies.
	chatAs(student, "I'm a sophomore in nursing", nil)
	call(student, "GET", "/api/profile", "/api/profile", "", "")
	call(student, "PUT", "/api/profile", "/api/profile", js, `{"major":"nursing","courses":["15-112"]}`)
	call(student, "PUT", "/api/profile", "/api/profile", js, `{"major":"`+strings.Repeat("x", 101)+`"}`)
	a.call(t, student, base, "PUT", "/api/profile", "/api/profile", js, `{}`, crossSite)
	call(student, "POST", "/api/visit", "/api/visit", js, `{}`)
	call(student, "DELETE", "/api/profile", "/api/profile", "", "")

	// History, votes, forgetting.
	hist := call(student, "GET", "/api/history", "/api/history", "", "")
	var h struct {
		Messages []map[string]any `json:"messages"`
	}
	json.Unmarshal(hist.body, &h)
	if len(h.Messages) < 20 {
		t.Errorf("history has %d messages", len(h.Messages))
	}
	details := 0 // app details remember the app described: checked above against the App schema
	for _, m := range h.Messages {
		if apps, _ := m["apps"].([]any); m["intent"] == "app_details" && m["role"] == "assistant" && len(apps) == 1 {
			details++
		}
	}
	if details < 2 {
		t.Errorf("history has %d app details answers with their app, want 2", details)
	}
	b, _ := json.Marshal(map[string]any{"interaction_id": first["interaction_id"], "app_id": first["apps"].([]any)[0].(map[string]any)["app_id"], "vote": "helpful", "token": first["feedback_token"]})
	call(student, "POST", "/api/feedback", "/api/feedback", js, string(b))
	b, _ = json.Marshal(map[string]any{"interaction_id": first["interaction_id"], "vote": "not_what_i_asked", "token": first["feedback_token"]})
	call(student, "POST", "/api/feedback", "/api/feedback", js, string(b))
	call(student, "POST", "/api/feedback", "/api/feedback", js, `{"interaction_id":"x","vote":"helpful","token":"forged"}`)
	call(student, "POST", "/api/feedback", "/api/feedback", js, `{"interaction_id":`)

	// Staff sign-in.
	call(nil, "GET", "/api/auth/check", "/api/auth/check", "", "")
	call(e.client, "GET", "/api/auth/check", "/api/auth/check", "", "")
	call(nil, "POST", "/api/auth/login", "/api/auth/login", js, `{"email":"viewer@uni.example","password":"wrong password"}`)
	a.call(t, nil, base, "POST", "/api/auth/login", "/api/auth/login", js, `{"password":"x"}`, crossSite)
	call(nil, "GET", "/api/auth/sso/start", "/api/auth/sso/start", "", "")
	call(nil, "GET", "/api/auth/sso/callback", "/api/auth/sso/callback?code=x&state=y", "", "")

	// Staff reports.
	adm := e.client
	for _, r := range [][2]string{
		{"/api/admin/health", ""}, {"/api/admin/stats", ""}, {"/api/admin/stats", "?days=7"}, {"/api/admin/stats", "?days=0"},
		{"/api/admin/logs", "?limit=5"}, {"/api/admin/logs", "?limit=0"}, {"/api/admin/llm-spend", ""}, {"/api/admin/llm-spend", "?days=999"},
		{"/api/admin/feedback", "?days=7"}, {"/api/admin/feedback", "?days=x"}, {"/api/admin/demand", "?days=7"},
		{"/api/admin/demand", "?format=csv"}, {"/api/admin/demand", "?format=xml"}, {"/api/admin/labeled-queries", ""},
		{"/api/admin/labeled-queries/export", ""}, {"/api/admin/config", ""}, {"/api/admin/audit", "?limit=5"},
		{"/api/admin/audit", "?format=csv"}, {"/api/admin/audit", "?limit=x"}, {"/api/admin/staff", ""},
		{"/api/admin/courses", "?days=7"}, {"/api/admin/courses", "?days=x"},
	} {
		call(adm, "GET", r[0], r[0]+r[1], "", "")
	}
	relevant := first["apps"].([]any)[0].(map[string]any)["app_id"].(string)
	call(adm, "POST", "/api/admin/labeled-queries", "/api/admin/labeled-queries", js, `{"query":"public speaking","relevant":["`+relevant+`"]}`)
	call(adm, "POST", "/api/admin/labeled-queries", "/api/admin/labeled-queries", js, `{"query":""}`)
	call(adm, "GET", "/api/admin/labeled-queries", "/api/admin/labeled-queries", "", "")
	call(adm, "POST", "/api/admin/demand/topics", "/api/admin/demand/topics", js, `{"topic":"origami"}`)
	call(adm, "POST", "/api/admin/demand/topics", "/api/admin/demand/topics", js, `{"topic":""}`)
	call(adm, "POST", "/api/admin/config", "/api/admin/config", js, `{"OPENROUTER_MODEL":"test/model"}`)
	call(adm, "POST", "/api/admin/config", "/api/admin/config", js, `{"NOT_A_SETTING":"x"}`)

	// Staff accounts.
	added := call(adm, "POST", "/api/admin/staff", "/api/admin/staff", js, `{"email":"editor@uni.example","role":"editor","password":"`+staffPassword+`"}`)
	call(adm, "POST", "/api/admin/staff", "/api/admin/staff", js, `{"email":"editor@uni.example","role":"editor"}`)
	call(adm, "POST", "/api/admin/staff", "/api/admin/staff", js, `{"email":"not an email","role":"editor"}`)
	id, _ := added.json(t)["id"].(string)
	call(adm, "PATCH", "/api/admin/staff/{id}", "/api/admin/staff/"+id, js, `{"role":"viewer"}`)
	call(adm, "PATCH", "/api/admin/staff/{id}", "/api/admin/staff/"+id, js, `{"role":"boss"}`)
	call(adm, "PATCH", "/api/admin/staff/{id}", "/api/admin/staff/nobody", js, `{"disabled":true}`)
	call(adm, "POST", "/api/admin/staff/{id}/password", "/api/admin/staff/"+id+"/password", js, `{"password":"another long password"}`)
	call(adm, "POST", "/api/admin/staff/{id}/password", "/api/admin/staff/"+id+"/password", js, `{"password":"short"}`)
	call(adm, "POST", "/api/admin/staff/{id}/password", "/api/admin/staff/nobody/password", js, `{"password":"another long password"}`)

	// Data management: an import, its report, a draft published and
	// discarded, jobs, a conflict, a cancel, a retention job.
	imported := e.upload(t, map[string]string{"courses.csv": "course_id,title,department,description\n95-888,Data-Focused Python,Heinz College,Python for data analysis\n,Missing id,Heinz College,x\n"})
	a.check(t, "POST", "/api/admin/data/import", "/api/admin/data/import", imported)
	e.wait(t, jobID(t, imported))
	a.check(t, "POST", "/api/admin/data/import", "/api/admin/data/import", e.upload(t, map[string]string{"students.json": "[]"}))
	for _, p := range []string{"/api/admin/data/update/courses", "/api/admin/data/update/apps", "/api/admin/data/scrape/courses", "/api/admin/data/search/apps"} {
		call(adm, "POST", p, p, js, `{}`)
	}
	var versions struct {
		Versions []struct {
			Version string `json:"version"`
			State   string `json:"state"`
		} `json:"versions"`
	}
	json.Unmarshal(call(adm, "GET", "/api/admin/data/versions", "/api/admin/data/versions", "", "").body, &versions)
	if len(versions.Versions) < 2 || versions.Versions[0].State != "draft" {
		t.Fatalf("versions: %+v", versions)
	}
	draft, live := versions.Versions[0].Version, versions.Versions[1].Version
	const version = "/api/admin/data/versions/{version}"
	call(adm, "GET", version, "/api/admin/data/versions/"+draft, "", "")
	call(adm, "GET", version, "/api/admin/data/versions/nothex", "", "")
	call(adm, "GET", version, "/api/admin/data/versions/0123456789abcdef", "", "")
	call(adm, "GET", version+"/report", "/api/admin/data/versions/"+draft+"/report?limit=5", "", "")
	call(adm, "GET", version+"/report", "/api/admin/data/versions/"+draft+"/report?format=csv", "", "")
	call(adm, "GET", version+"/report", "/api/admin/data/versions/"+draft+"/report?limit=0", "", "")
	call(adm, "GET", version+"/report", "/api/admin/data/versions/"+live+"/report", "", "")
	call(adm, "POST", version+"/publish", "/api/admin/data/versions/0123456789abcdef/publish", js, `{}`)
	published := call(adm, "POST", version+"/publish", "/api/admin/data/versions/"+draft+"/publish", js, `{"confirm_worse":true,"confirm_unknown":true}`)
	pubID := jobID(t, published)
	e.wait(t, pubID)
	call(adm, "DELETE", version, "/api/admin/data/versions/"+draft, "", "")
	call(adm, "DELETE", version, "/api/admin/data/versions/0123456789abcdef", "", "")
	// Extracting skills keeps a draft, which is discarded.
	call(adm, "POST", "/api/admin/data/process/skills", "/api/admin/data/process/skills", js, `{}`)
	waitIdle(t, e.dataEnv)
	json.Unmarshal(call(adm, "GET", "/api/admin/data/versions", "/api/admin/data/versions", "", "").body, &versions)
	if versions.Versions[0].State != "draft" {
		t.Fatalf("no draft after extracting skills: %+v", versions)
	}
	call(adm, "DELETE", version, "/api/admin/data/versions/"+versions.Versions[0].Version, "", "")

	e.mu.Lock()
	e.hold = make(chan struct{})
	e.mu.Unlock()
	running := jobID(t, call(adm, "POST", "/api/admin/data/process/graph", "/api/admin/data/process/graph", js, `{}`))
	call(adm, "POST", "/api/admin/data/process/graph", "/api/admin/data/process/graph", js, `{}`)
	call(adm, "GET", "/api/admin/data/status", "/api/admin/data/status", "", "")
	call(adm, "GET", "/api/admin/jobs/{id}", "/api/admin/jobs/"+running, "", "")
	call(adm, "POST", "/api/admin/jobs/{id}/cancel", "/api/admin/jobs/"+running+"/cancel", js, `{}`)
	e.wait(t, running)
	e.mu.Lock()
	e.hold = nil
	e.mu.Unlock()
	call(adm, "POST", "/api/admin/jobs/{id}/cancel", "/api/admin/jobs/"+running+"/cancel", js, `{}`)
	call(adm, "POST", "/api/admin/jobs/{id}/cancel", "/api/admin/jobs/nojob/cancel", js, `{}`)
	call(adm, "GET", "/api/admin/jobs/{id}", "/api/admin/jobs/nojob", "", "")
	svc := &privacy.Service{Kinds: []privacy.Kind{privacy.Interactions(e.db, time.Hour)}}
	ret, err := e.runner.Start(context.Background(), privacy.JobType, map[string]string{"by": "schedule"}, func(ctx context.Context, run *jobs.Run) error {
		_, err := svc.Expire(ctx, func(string, time.Time, int, error) {})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.wait(t, ret.ID)
	call(adm, "GET", "/api/admin/jobs/{id}", "/api/admin/jobs/"+ret.ID, "", "")
	call(adm, "GET", "/api/admin/jobs", "/api/admin/jobs?limit=50", "", "")
	call(adm, "GET", "/api/admin/jobs", "/api/admin/jobs?limit=0", "", "")
	call(adm, "GET", "/api/admin/data/status", "/api/admin/data/status", "", "")

	// A student's data: export and deletion by staff, forgetting by the
	// student.
	uid := first["user_id"].(string)
	const students = "/api/admin/students/{id}"
	call(adm, "GET", students, "/api/admin/students/"+uid, "", "")
	call(adm, "GET", students, "/api/admin/students/"+strings.Repeat("x", 201), "", "")
	a.call(t, student, base, "POST", "/api/forget", "/api/forget", js, `{}`, crossSite)
	a.call(t, student, base, "POST", "/api/forget", "/api/forget", js, `{}`, sameSite)
	other := newClient()
	other2 := chatAs(other, "chemistry", nil)
	call(adm, "DELETE", students, "/api/admin/students/"+other2["user_id"].(string), "", "")

	// Every staff route: 401 without a session, 403 below its role.
	for pattern, least := range web.AdminRouteRoles() {
		method, path, _ := strings.Cut(pattern, " ")
		concrete := strings.NewReplacer("{version}", "0123456789abcdef", "{id}", "someone").Replace(path)
		body, ctype := "", ""
		if method != "GET" {
			body, ctype = `{}`, js
		}
		call(nil, method, path, concrete, ctype, body)
		if least != vrrec.RoleViewer {
			call(e.viewer, method, path, concrete, ctype, body)
		}
	}
	call(adm, "POST", "/api/auth/logout", "/api/auth/logout", js, `{}`)

	// Every documented operation was called and validated.
	var missed []string
	for _, path := range a.doc.Paths.InMatchingOrder() {
		for method := range a.doc.Paths.Value(path).Operations() {
			if len(a.checked[method+" "+path]) == 0 {
				missed = append(missed, method+" "+path)
			}
		}
	}
	sort.Strings(missed)
	if len(missed) > 0 {
		t.Errorf("documented but not called by this test: %q", missed)
	}
}

// waitIdle waits until no job runs.
func waitIdle(t *testing.T, e *dataEnv) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		list, err := e.db.Jobs(context.Background(), 1)
		if err == nil && (len(list) == 0 || list[0].State != vrrec.JobRunning) {
			return
		}
	}
	t.Fatal("a job still runs")
}

// The answers the full server does not give on its own: a model's
// explanation and its stream of writing events, a model that fails, a
// chat that fails once the stream has started, rate limits and a server
// that is not ready.
func TestEdgeResponsesMatchOpenAPI(t *testing.T) {
	a := loadAPIDoc(t)
	const js = "application/json"
	events := func(base string) []string {
		t.Helper()
		res := a.call(t, nil, base, "POST", "/chat/stream", "/chat/stream", js, `{"message": "I want to practice public speaking"}`, nil)
		return a.events(t, res.body)
	}

	model, _ := llmServer(t, false)
	if m := a.call(t, nil, model, "POST", "/chat", "/chat", js, `{"message": "I want to practice public speaking"}`, nil).json(t); m["explained_by"] != "llm" {
		t.Errorf("the model did not explain: %v", m)
	}
	if names := events(model); !slices.Contains(names, "writing") {
		t.Errorf("no writing event from the model: %q", names)
	}
	down, _ := llmServer(t, true)
	if m := a.call(t, nil, down, "POST", "/chat", "/chat", js, `{"message": "I want to practice public speaking"}`, nil).json(t); m["llm_fallback"] != true {
		t.Errorf("a model that fails: %v", m)
	}

	failing, _ := scriptedServer(t, func(context.Context, string) (*vrrec.Reply, error) {
		return nil, vrrec.Errorf(vrrec.EUNAVAILABLE, "finding apps took too long")
	})
	a.call(t, nil, failing, "POST", "/chat", "/chat", js, `{"message": "anatomy"}`, nil)
	if names := events(failing); len(names) == 0 || names[len(names)-1] != "error" {
		t.Errorf("a chat failing in the stream: %q", names)
	}

	limited := limitedServer(t, &ratelimit.Memory{}, func(c *web.Config) { c.Limits.Chat = rates(t, "1/minute") })
	student := newStudent(t, limited)
	a.check(t, "GET", "/api/history", "/api/history", do(t, student, "GET", limited+"/api/history", "", "", nil))
	for range 2 {
		a.call(t, student, limited, "POST", "/chat", "/chat", js, `{"message": "anatomy"}`, nil)
	}
	if res := a.call(t, student, limited, "POST", "/chat/stream", "/chat/stream", js, `{"message": "anatomy"}`, nil); res.status != http.StatusTooManyRequests {
		t.Errorf("over the limit: %d %s", res.status, res.body)
	}

	notReady := start(t, newServer(t, nil, func(c *web.Config) {
		c.Checks = []web.Check{{Name: "database", Probe: func(context.Context) error { return errors.New("connection refused") }}}
	}))
	if res := a.call(t, nil, notReady, "GET", "/ready", "/ready", "", "", nil); res.status != http.StatusServiceUnavailable {
		t.Errorf("ready with a failing check: %d", res.status)
	}
	a.call(t, nil, notReady, "GET", "/health", "/health", "", "", nil)
}
