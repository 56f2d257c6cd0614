package redis_test

import (
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/internal/storetest"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/redis"
)

// The Redis spend store keeps the same contract as the databases'.
func TestLLMSpendContract(t *testing.T) {
	storetest.LLMSpend(t, func(t *testing.T) vrrec.LLMSpendStore {
		client, err := redis.Open(testenv.StartRedis(t).URL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { client.Close() })
		return &redis.LLMSpend{Client: client}
	})
}
