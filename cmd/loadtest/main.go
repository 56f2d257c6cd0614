// Command loadtest sends chat questions to a vrrec server from many
// concurrent clients for a fixed time and reports throughput, latency
// percentiles and errors. Every question is distinct, so no cache answers
// for the model. With a model configured it also counts the answers the
// model explained (a valid structured answer in time) and those that fell
// back to retrieval's reasons. The latency is the time to the final answer
// of POST /chat; the time to the first card belongs to /chat/stream. It
// only targets the address it is given: keep it local.
//
//	loadtest -url http://127.0.0.1:5000 -c 256 -d 60s
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

var topics = []string{"anatomy", "public speaking", "astronomy", "learn Spanish", "3D modeling", "cybersecurity",
	"data visualization", "teamwork", "stress before exams", "music production", "history", "chemistry"}

func main() {
	url := flag.String("url", "http://127.0.0.1:5000", "vrrec base URL")
	clients := flag.Int("c", 256, "concurrent clients")
	dur := flag.Duration("d", 60*time.Second, "how long to send")
	flag.Parse()

	transport := &http.Transport{MaxIdleConns: *clients, MaxIdleConnsPerHost: *clients, MaxConnsPerHost: *clients}
	client := &http.Client{Transport: transport, Timeout: 150 * time.Second}
	var (
		n        atomic.Int64
		mu       sync.Mutex
		lat      []time.Duration
		statuses = map[int]int{}
		failures int
		// Answers the model explained, and those it was asked for but
		// fell back (error, timeout, or an answer that was not usable).
		explained, fallbacks int
		wg                   sync.WaitGroup
	)
	start := time.Now()
	stop := start.Add(*dur)
	for c := 0; c < *clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				i := n.Add(1)
				body, _ := json.Marshal(map[string]string{"message": fmt.Sprintf("%s question %d", topics[i%int64(len(topics))], i)})
				t0 := time.Now()
				res, err := client.Post(*url+"/chat", "application/json", bytes.NewReader(body))
				d := time.Since(t0)
				var reply struct {
					ExplainedBy string `json:"explained_by"`
					LLMFallback bool   `json:"llm_fallback"`
				}
				if err == nil {
					json.NewDecoder(res.Body).Decode(&reply)
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
				mu.Lock()
				if err != nil {
					failures++
				} else {
					statuses[res.StatusCode]++
					if res.StatusCode == http.StatusOK {
						lat = append(lat, d)
						if reply.ExplainedBy == "llm" {
							explained++
						}
						if reply.LLMFallback {
							fallbacks++
						}
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	errors := failures
	for code, k := range statuses {
		if code != http.StatusOK {
			errors += k
		}
	}
	out := map[string]any{
		"clients": *clients, "seconds": elapsed.Seconds(), "answers": len(lat),
		"answers_per_second": float64(len(lat)) / elapsed.Seconds(),
		"p50_ms":             pct(0.50).Milliseconds(), "p99_ms": pct(0.99).Milliseconds(),
		"errors": errors, "statuses": statuses, "transport_failures": failures,
		"llm_explained": explained, "llm_fallbacks": fallbacks,
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.Encode(out)
}
