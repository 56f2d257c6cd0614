package redis_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/redis"
)

// The cache never waits on a Redis that failed: after one failure it
// answers "paused" at once, then tries Redis again after its pause, and
// works as soon as Redis is back.
func TestCachePausesAfterAFailure(t *testing.T) {
	srv := testenv.StartRedis(t)
	client, err := redis.Open(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	c := &redis.Cache{Client: client}
	ctx := context.Background()
	if err := c.Set(ctx, "k", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if b, ok, err := c.Get(ctx, "k"); err != nil || !ok || string(b) != "v" {
		t.Fatalf("get: %q %v %v", b, ok, err)
	}
	if _, ok, err := c.Get(ctx, "missing"); err != nil || ok {
		t.Fatalf("a miss is no failure: %v %v", ok, err)
	}

	srv.Stop()
	if _, _, err := c.Get(ctx, "k"); err == nil || errors.Is(err, redis.ErrPaused) {
		t.Fatalf("first call with Redis down: %v, want Redis's error", err)
	}
	if _, _, err := c.Get(ctx, "k"); !errors.Is(err, redis.ErrPaused) {
		t.Fatalf("second call: %v, want the pause", err)
	}

	srv.Start()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, ok, err := c.Get(ctx, "k")
		if err == nil {
			if ok { // Redis restarted empty, or kept the key: both are fine
				t.Logf("value after restart: %q", b)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the cache never came back: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
