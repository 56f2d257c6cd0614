package web_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/web"
)

type collected struct {
	mu    sync.Mutex
	items []vrrec.Interaction
}

func (c *collected) Log(_ context.Context, it vrrec.Interaction) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.items = append(c.items, it)
	return nil
}

func TestAnsweredChatsAreJournaled(t *testing.T) {
	j := &collected{}
	base := start(t, newServer(t, nil, func(c *web.Config) { c.Journal = j }))
	m := postChat(t, nil, base, "anatomy").json(t)
	do(t, nil, "POST", base+"/chat", "application/json", `{"message":"hi"}`, map[string]string{"X-Vrrec-Embed": "1"})
	res, err := http.Post(base+"/chat/stream", "application/json", strings.NewReader(`{"message":"astronomy"}`))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	postChat(t, nil, base, "") // refused: not journaled
	postChat(t, nil, base, "tell me more about Beat Saber")

	if len(j.items) != 4 {
		t.Fatalf("%d interactions journaled, want 4", len(j.items))
	}
	if d := j.items[3]; d.Intent != "app_details" || len(d.Apps) != 1 || d.Apps[0] != "beat-saber" {
		t.Errorf("app details journaled as %+v, want the app shown", d)
	}
	first := j.items[0]
	if first.ID == "" || first.UserID != m["user_id"] || first.SessionID != m["session_id"] || first.Query != "anatomy" ||
		first.Intent != "recommendation" || len(first.Apps) == 0 || first.LatencyMS <= 0 || first.Source != "web" || first.Response == "" {
		t.Errorf("interaction: %+v", first)
	}
	if j.items[1].Source != "widget" || j.items[1].Intent != "greeting" || j.items[2].Source != "stream" {
		t.Errorf("sources: %s, %s", j.items[1].Source, j.items[2].Source)
	}
}

func TestStoreDownIsDegradedNotUnready(t *testing.T) {
	base := start(t, newServer(t, nil, func(c *web.Config) {
		c.Checks = append(c.Checks, web.Check{Name: "store", Optional: true, Probe: func(context.Context) error { return errors.New("database is locked") }})
	}))
	res := do(t, nil, "GET", base+"/ready", "", "", nil)
	if res.status != 200 || !strings.Contains(string(res.body), `"store":"degraded"`) || strings.Contains(string(res.body), "locked") {
		t.Errorf("/ready with the store down: %d %s", res.status, res.body)
	}
	if chat := postChat(t, nil, base, "anatomy"); chat.status != 200 {
		t.Errorf("chat with the store down: %d", chat.status)
	}
}
