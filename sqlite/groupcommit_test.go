package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
)

// Concurrent answers' messages are committed together, every one of them
// kept, each in its session; closing commits what is queued.
func TestGroupCommitKeepsEveryAnswer(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "vrrec.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	var groups, alone atomic.Int64
	commit, single := db.commitGroup, db.commitAlone
	db.appends.close()
	db.appends = startGroupCommit(func(ctx context.Context, g []*appendReq) error {
		groups.Add(1)
		return commit(ctx, g)
	}, func(ctx context.Context, r *appendReq) error {
		alone.Add(1)
		return single(ctx, r)
	})
	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := vrrec.Message{Role: "user", Content: fmt.Sprint("question ", i), Time: time.Now()}
			errs <- db.Append(ctx, fmt.Sprint("u", i%7), fmt.Sprint("s", i), m)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if groups.Load() == 0 {
		t.Errorf("no two of %d concurrent answers were committed together (%d alone)", n, alone.Load())
	}
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range n {
		got, err := db.Session(ctx, fmt.Sprint("u", i%7), fmt.Sprint("s", i), 10)
		if err != nil || len(got) != 1 || got[0].Content != fmt.Sprint("question ", i) {
			t.Fatalf("session s%d after reopening: %+v, %v", i, got, err)
		}
	}
}

// One write that fails fails only its own answer: the group is retried one
// by one. After close, an append is refused rather than lost or hung.
func TestGroupCommitIsolatesAFailure(t *testing.T) {
	bad := errors.New("bad write")
	release := make(chan struct{})
	var calls atomic.Int64
	g := startGroupCommit(func(ctx context.Context, group []*appendReq) error {
		for _, r := range group {
			if r.userID == "bad" {
				return bad
			}
		}
		return nil
	}, func(ctx context.Context, r *appendReq) error {
		if calls.Add(1) == 1 {
			<-release // hold the committer so the others queue up into one group
		}
		if r.userID == "bad" {
			return bad
		}
		return nil
	})
	ctx := context.Background()
	first := make(chan error, 1)
	go func() { first <- g.append(ctx, &appendReq{userID: "first"}) }()
	for calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	users := []string{"a", "bad", "b", "c"}
	results := make([]chan error, len(users))
	for i, u := range users {
		results[i] = make(chan error, 1)
		go func() { results[i] <- g.append(ctx, &appendReq{userID: u}) }()
	}
	for len(g.reqs) < len(users) {
		time.Sleep(time.Millisecond)
	}
	close(release)
	if err := <-first; err != nil {
		t.Errorf("first: %v", err)
	}
	for i, u := range users {
		err := <-results[i]
		if (u == "bad") != errors.Is(err, bad) || u != "bad" && err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	g.close()
	if err := g.append(ctx, &appendReq{userID: "late"}); !errors.Is(err, errClosed) {
		t.Errorf("after close: %v", err)
	}
}
