package inmem_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/internal/inmem"
	"github.com/vrrec/vrrec/internal/storetest"
)

func TestSessionsContract(t *testing.T) {
	storetest.Sessions(t, func(t *testing.T) vrrec.SessionStore { return inmem.NewSessions() })
	storetest.SessionRetention(t, func(t *testing.T) vrrec.SessionStore { return inmem.NewSessions() })
}

func TestSessionsStayBounded(t *testing.T) {
	s := inmem.NewSessions()
	ctx := context.Background()
	for i := 0; i < vrrec.MaxSessionMessages+10; i++ {
		s.Append(ctx, "u", "s", vrrec.Message{Role: vrrec.RoleUser, Content: fmt.Sprint(i), Time: time.Unix(int64(i), 0)})
	}
	msgs, _ := s.Session(ctx, "u", "s", 1000)
	if len(msgs) != vrrec.MaxSessionMessages || msgs[0].Content != "10" {
		t.Errorf("%d messages, first %q; want the latest %d", len(msgs), msgs[0].Content, vrrec.MaxSessionMessages)
	}
	for i := 0; i < inmem.MaxSessionsPerUser+5; i++ {
		s.Append(ctx, "u2", fmt.Sprint("s", i), vrrec.Message{Role: vrrec.RoleUser, Content: "x"})
	}
	if old, _ := s.Session(ctx, "u2", "s0", 10); len(old) != 0 {
		t.Error("the oldest session beyond the bound was kept")
	}
	if recent, _ := s.Session(ctx, "u2", fmt.Sprint("s", inmem.MaxSessionsPerUser+4), 10); len(recent) != 1 {
		t.Error("the newest session was lost")
	}
}
