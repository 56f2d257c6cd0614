package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
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

func (c scriptedChat) Answer(ctx context.Context, userID, sessionID, message string, _ func(vrrec.ChatEvent)) (*vrrec.Reply, error) {
	return c.answer(ctx, message)
}

func (c scriptedChat) History(context.Context, string) ([]vrrec.Message, error) {
	return []vrrec.Message{}, nil
}

func scriptedServer(t *testing.T, answer func(ctx context.Context, message string) (*vrrec.Reply, error)) (string, *testenv.LogBuffer) {
	t.Helper()
	logs := &testenv.LogBuffer{}
	base := start(t, newServer(t, nil, func(c *web.Config) {
		c.Chat = scriptedChat{answer: answer}
		c.Log = slog.New(web.LogHandler{Handler: slog.NewJSONHandler(logs, nil)})
	}))
	return base, logs
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
// duration; never its body, query string, cookies or credentials.
func TestAccessLogLine(t *testing.T) {
	const hold = 30 * time.Millisecond
	base, logs := scriptedServer(t, func(ctx context.Context, message string) (*vrrec.Reply, error) {
		time.Sleep(hold) // a lower bound for the logged duration, not a wait for something
		return &vrrec.Reply{Response: "ok", Type: "success", Apps: []vrrec.AppRecommendation{}}, nil
	})
	secrets := []string{"private question about my anatomy exam", "Bearer-token-s3cret", "cookie-value-s3cret", "query-s3cret"}
	res := do(t, nil, "POST", base+"/chat?token="+secrets[3], "application/json", `{"message":"`+secrets[0]+`"}`, map[string]string{
		"X-Request-ID": "trace-42", "Authorization": "Bearer " + secrets[1], "Cookie": "vrrec_admin=" + secrets[2]})
	if res.status != http.StatusOK || res.header.Get("X-Request-ID") != "trace-42" {
		t.Fatalf("chat: %d %s, X-Request-ID %q", res.status, res.body, res.header.Get("X-Request-ID"))
	}
	lines := logRecords(t, logs, "request")
	if len(lines) != 1 {
		t.Fatalf("%d access log lines for one request: %s", len(lines), logs)
	}
	line := lines[0]
	for k, want := range map[string]any{"request_id": "trace-42", "method": "POST", "path": "/chat", "status": float64(200), "level": "INFO"} {
		if line[k] != want {
			t.Errorf("access log %s = %v, want %v (line %v)", k, line[k], want, line)
		}
	}
	if ms, _ := line["ms"].(float64); ms < float64(hold.Milliseconds()) || ms > 60_000 {
		t.Errorf("access log ms = %v for a request that took at least %s", line["ms"], hold)
	}
	for _, s := range secrets {
		if strings.Contains(logs.String(), s) {
			t.Errorf("the log holds %q:\n%s", s, logs)
		}
	}

	// An id that could forge log lines is replaced by a fresh one.
	res = do(t, nil, "GET", base+"/health", "", "", map[string]string{"X-Request-ID": "x\" status=200 forged=1 " + strings.Repeat("a", 80)})
	id := res.header.Get("X-Request-ID")
	if id == "" || strings.Contains(id, "forged") {
		t.Errorf("unsafe request id echoed as %q", id)
	}
	if lines := logRecords(t, logs, "request"); len(lines) != 2 || lines[1]["request_id"] != id || lines[1]["path"] != "/health" {
		t.Errorf("second access line: %v", lines)
	}
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
