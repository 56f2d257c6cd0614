// Command loadtest sends chat questions to a vrrec server from many
// concurrent clients for a fixed time and reports throughput, latency
// percentiles and errors. Every question is distinct (but with -repeat), so no cache answers
// for the model. With -stream it asks POST /chat/stream and also reports
// the time to the first answer (the first "result" event: the cards,
// provisional while a model works on them); the latency is then the time
// to the stream's end (the final answer). With a model configured it also
// counts the answers the model explained (a valid structured answer in
// time) and those that fell back to retrieval's reasons (POST /chat only).
// It only targets the address it is given: keep it local.
//
//	loadtest -url http://127.0.0.1:5000 -c 256 -d 60s
//	loadtest -url http://127.0.0.1:5000 -c 64 -d 60s -stream
//	loadtest -url http://127.0.0.1:5000 -c 64 -d 60s -repeat
package main

import (
	"bufio"
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
	stream := flag.Bool("stream", false, "ask POST /chat/stream and time the first answer event too")
	repeat := flag.Bool("repeat", false, "ask one question over and over (the cached path) instead of distinct ones")
	flag.Parse()
	path := "/chat"
	if *stream {
		path = "/chat/stream"
	}

	transport := &http.Transport{MaxIdleConns: *clients, MaxIdleConnsPerHost: *clients, MaxConnsPerHost: *clients}
	client := &http.Client{Transport: transport, Timeout: 150 * time.Second}
	var (
		n     atomic.Int64
		mu    sync.Mutex
		lat   []time.Duration
		first []time.Duration // -stream: to the first "result" event
		// Answers the model explained, and those it was asked for but
		// fell back (error, timeout, or an answer that was not usable).
		explained, fallbacks int
		statuses             = map[int]int{}
		failures             int
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
				msg := fmt.Sprintf("%s question %d", topics[i%int64(len(topics))], i)
				if *repeat {
					msg = "I want to practice public speaking"
				}
				body, _ := json.Marshal(map[string]string{"message": msg})
				t0 := time.Now()
				res, err := client.Post(*url+path, "application/json", bytes.NewReader(body))
				if err != nil {
					mu.Lock()
					failures++
					mu.Unlock()
					continue
				}
				var toFirst time.Duration
				failed := false
				var reply struct {
					ExplainedBy string `json:"explained_by"`
					LLMFallback bool   `json:"llm_fallback"`
				}
				if *stream && res.StatusCode == http.StatusOK {
					toFirst, failed = readStream(res.Body, t0)
				} else {
					json.NewDecoder(res.Body).Decode(&reply)
					io.Copy(io.Discard, res.Body)
				}
				res.Body.Close()
				d := time.Since(t0)
				mu.Lock()
				switch {
				case failed:
					failures++
				default:
					statuses[res.StatusCode]++
					if res.StatusCode == http.StatusOK {
						lat = append(lat, d)
						if *stream {
							first = append(first, toFirst)
						}
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
	slices.Sort(first)
	pct := func(p float64) time.Duration { return percentile(lat, p) }
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
	if *stream {
		out["first_answer_p50_ms"], out["first_answer_p99_ms"] = percentile(first, 0.50).Milliseconds(), percentile(first, 0.99).Milliseconds()
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.Encode(out)
}

// percentile returns the p-th of sorted durations (0 when there are none).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]
}

// readStream reads a /chat/stream answer to its end and returns the time
// from t0 to its first "result" event; failed when the stream had an
// "error" event, no result, or broke.
func readStream(body io.Reader, t0 time.Time) (toFirst time.Duration, failed bool) {
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	got := false
	for sc.Scan() {
		switch sc.Text() {
		case "event: result":
			if !got {
				toFirst, got = time.Since(t0), true
			}
		case "event: error":
			failed = true
		}
	}
	return toFirst, failed || !got || sc.Err() != nil
}
