package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/web"
)

// logRecords returns the JSON lines logged so far with message msg.
func logRecords(t *testing.T, logs *testenv.LogBuffer, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(logs.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line not JSON: %q", line)
		}
		if rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

// scriptedChat is a web.Chatter whose answers the test decides: the HTTP
// behaviour around the chat is under test, not the chat.
type scriptedChat struct {
	answer func(ctx context.Context, message string) (*vrrec.Reply, error)
}

func (c scriptedChat) CheckMessage(message string) (string, error) {
	if strings.TrimSpace(message) == "" {
		return "", vrrec.Errorf(vrrec.EINVALID, "Message required")
	}
	return strings.TrimSpace(message), nil
}

func (c scriptedChat) Answer(ctx context.Context, q vrrec.Question, _ func(vrrec.ChatEvent)) (*vrrec.Reply, error) {
	return c.answer(ctx, q.Message)
}

func (c scriptedChat) History(context.Context, string) ([]vrrec.Message, error) {
	return []vrrec.Message{}, nil
}

// scripted configures a server to answer chats with answer and log JSON
// lines into logs.
func scripted(logs *testenv.LogBuffer, answer func(ctx context.Context, message string) (*vrrec.Reply, error)) func(*web.Config) {
	return func(c *web.Config) {
		c.Chat = scriptedChat{answer: answer}
		c.Log = slog.New(web.LogHandler{Handler: slog.NewJSONHandler(logs, nil)})
	}
}

// scriptedServer serves a scripted server over real HTTP.
func scriptedServer(t *testing.T, answer func(ctx context.Context, message string) (*vrrec.Reply, error)) (string, *testenv.LogBuffer) {
	t.Helper()
	logs := &testenv.LogBuffer{}
	return start(t, newServer(t, nil, scripted(logs, answer))), logs
}

// A handler that panics answers 500 as JSON without the panic's text, is
// logged with its request id (the X-Request-ID the client got), and the
// server keeps serving.
func TestPanicAnswers500AndTheServerKeepsServing(t *testing.T) {
	base, logs := scriptedServer(t, func(_ context.Context, message string) (*vrrec.Reply, error) {
		if message == "abort" {
			panic(http.ErrAbortHandler)
		}
		panic("boom: secret internals")
	})
	res := postChat(t, nil, base, "hello")
	id := res.header.Get("X-Request-ID")
	if res.status != http.StatusInternalServerError || res.json(t)["error"] != "Internal error" || strings.Contains(string(res.body), "boom") {
		t.Errorf("panicking chat: %d %s", res.status, res.body)
	}
	if !strings.HasPrefix(res.header.Get("Content-Type"), "application/json") || id == "" {
		t.Errorf("panicking chat: Content-Type %q, X-Request-ID %q", res.header.Get("Content-Type"), id)
	}
	panics := logRecords(t, logs, "panic")
	if len(panics) != 1 || panics[0]["request_id"] != id || panics[0]["path"] != "/chat" || !strings.Contains(panics[0]["panic"].(string), "boom") {
		t.Errorf("panic log lines: %v, want one for request %s", panics, id)
	}
	if access := logRecords(t, logs, "request"); len(access) != 1 || access[0]["status"] != float64(500) || access[0]["request_id"] != id {
		t.Errorf("access log after the panic: %v", access)
	}

	// http.ErrAbortHandler is net/http's way to cut a response: it goes on
	// to the server, which drops the connection, and is not a 500.
	req, _ := http.NewRequest("POST", base+"/chat", strings.NewReader(`{"message":"abort"}`))
	req.Header.Set("Content-Type", "application/json")
	if res, err := http.DefaultClient.Do(req); err == nil {
		res.Body.Close()
		t.Errorf("an aborted handler answered %d, want the connection cut", res.StatusCode)
	}
	if n := len(logRecords(t, logs, "panic")); n != 1 {
		t.Errorf("the abort was logged as a panic (%d panic lines)", n)
	}

	for _, path := range []string{"/health", "/chat"} {
		if res := do(t, nil, "GET", base+path, "", "", nil); res.status != http.StatusOK {
			t.Errorf("GET %s after the panics: %d %s", path, res.status, res.body)
		}
	}
}

// Every request is logged once with its id, method, path, status and
// duration; never its body, query string, cookies or credentials. On the
// bubble's clock the logged duration is exactly the time the chat took.
func TestAccessLogLine(t *testing.T) {
	eng := engine() // built outside the bubble, as the other tests share it
	synctest.Test(t, func(t *testing.T) {
		logs := &testenv.LogBuffer{}
		srv := newServer(t, eng, scripted(logs, func(ctx context.Context, message string) (*vrrec.Reply, error) {
			time.Sleep(30 * time.Millisecond)
			return &vrrec.Reply{Response: "ok", Type: "success", Apps: []vrrec.AppRecommendation{}}, nil
		}))
		serve := func(req *http.Request) *httptest.ResponseRecorder {
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, req)
			return rec
		}
		secrets := []string{"private question about my anatomy exam", "Bearer-token-s3cret", "cookie-value-s3cret", "query-s3cret"}
		req := httptest.NewRequest("POST", "/chat?token="+secrets[3], strings.NewReader(`{"message":"`+secrets[0]+`"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Request-ID", "trace-42")
		req.Header.Set("Authorization", "Bearer "+secrets[1])
		req.Header.Set("Cookie", "vrrec_admin="+secrets[2])
		if res := serve(req); res.Code != http.StatusOK || res.Header().Get("X-Request-ID") != "trace-42" {
			t.Fatalf("chat: %d %s, X-Request-ID %q", res.Code, res.Body, res.Header().Get("X-Request-ID"))
		}
		lines := logRecords(t, logs, "request")
		if len(lines) != 1 {
			t.Fatalf("%d access log lines for one request: %s", len(lines), logs)
		}
		want := map[string]any{"request_id": "trace-42", "method": "POST", "path": "/chat", "status": float64(200), "level": "INFO", "ms": float64(30)}
		for k, v := range want {
			if lines[0][k] != v {
				t.Errorf("access log %s = %v, want %v (line %v)", k, lines[0][k], v, lines[0])
			}
		}
		for _, s := range secrets {
			if strings.Contains(logs.String(), s) {
				t.Errorf("the log holds %q:\n%s", s, logs)
			}
		}

		// An id that could forge log lines is replaced by a fresh one.
		req = httptest.NewRequest("GET", "/health", nil)
		req.Header.Set("X-Request-ID", "x\" status=200 forged=1 "+strings.Repeat("a", 80))
		id := serve(req).Header().Get("X-Request-ID")
		if id == "" || strings.Contains(id, "forged") {
			t.Errorf("unsafe request id echoed as %q", id)
		}
		if lines := logRecords(t, logs, "request"); len(lines) != 2 || lines[1]["request_id"] != id || lines[1]["path"] != "/health" {
			t.Errorf("second access line: %v", lines)
		}
	})
}

// Lines a handler logs with the request's context carry its request id
// (LogHandler), so one request's lines can be found together.
func TestLogLinesCarryTheRequestID(t *testing.T) {
	base, logs := scriptedServer(t, func(context.Context, string) (*vrrec.Reply, error) {
		return nil, errors.New("engine exploded") // logged by the server as a failed request
	})
	res := postChat(t, nil, base, "hello")
	if res.status != http.StatusInternalServerError {
		t.Fatalf("failing chat: %d %s", res.status, res.body)
	}
	failed := logRecords(t, logs, "request failed")
	if len(failed) != 1 || failed[0]["request_id"] != res.header.Get("X-Request-ID") || !strings.Contains(failed[0]["err"].(string), "engine exploded") {
		t.Errorf("failure log lines: %v, want one with request id %s", failed, res.header.Get("X-Request-ID"))
	}
}
