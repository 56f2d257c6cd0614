package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"testing"

	"github.com/vrrec/vrrec/internal/testenv"
)

// BenchmarkChatRepeated posts one question over and over to `vrrec serve`
// offline (no LLM) from 64 clients with the limits raised: the cached
// answer path, where the query vector comes from the cache and no model
// runs. The whole server runs in this process, so -cpuprofile and
// -memprofile show where one answer's time and allocations go (the client's
// share included: look at the server's frames).
func BenchmarkChatRepeated(b *testing.B) {
	_, base, _ := startServe(b, map[string]string{
		"RATE_LIMIT_DEFAULT": "1000000000/day", "RATE_LIMIT_CHAT": "1000000000/minute",
		"RATE_LIMIT_IP_DEFAULT": "1000000000/day", "RATE_LIMIT_IP_CHAT": "1000000000/minute",
		"MAX_CONCURRENT_CHATS": "1024", "LOG_LEVEL": "warn",
	})
	body := []byte(`{"message": "I want to practice public speaking"}`)
	transport := &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport}
	post := func() error {
		res, err := client.Post(base+"/chat", "application/json", bytes.NewReader(body))
		if err != nil {
			return err
		}
		defer res.Body.Close()
		if _, err := io.Copy(io.Discard, res.Body); err != nil {
			return err
		}
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("POST /chat: %s", res.Status)
		}
		return nil
	}
	if err := post(); err != nil { // the first answer fills the caches
		b.Fatal(err)
	}
	b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
	b.ReportAllocs()
	cpu0 := testenv.CPUTime()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := post(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "answers/s")
	b.ReportMetric(float64(testenv.CPUTime()-cpu0)/1e3/float64(b.N), "cpu-µs/answer")
}
