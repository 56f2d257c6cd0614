package bert_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vrrec/vrrec/bert"
	"github.com/vrrec/vrrec/internal/testenv"
)

// Run with GOMAXPROCS=1 go test -run '^$' -bench . ./bert/ for single-thread
// figures; the catalog benchmark uses every core GOMAXPROCS allows.

const (
	benchQuery = "I'm learning Python and want VR apps for data science" // 12 wordpieces

	benchCourse = "95-729 E-Commerce Technology. This course introduces the technologies behind " +
		"online businesses: web architecture, HTTP and REST services, databases and transactions, payment " +
		"systems, recommendation engines, search, cloud deployment and security. Students build a small " +
		"online store in teams, first as a monolith and then as services, and measure its performance " +
		"under load. Topics include threat modelling, cryptography (symmetric and public-key encryption, " +
		"hashing, digital signatures), TLS, SQL injection and cross-site scripting, access control, " +
		"privacy regulation and incident response. Weekly labs, two exams and a final project give practice " +
		"in designing, implementing and operating reliable systems. Prerequisites: programming experience " +
		"in Java or Python and basic familiarity with databases. Guest lectures from industry practitioners " +
		"cover fraud detection, marketplace design and the economics of platforms with network effects."
)

func checkTokens(b *testing.B, text string, lo, hi int) {
	e := embedded(b)
	if n := len(e.Tokenize(text)); n < lo || n > hi {
		b.Fatalf("benchmark text has %d wordpieces, want %d..%d", n, lo, hi)
	}
}

// BenchmarkEmbedQuery embeds one short chat query (12 wordpieces, 14 tokens
// with [CLS] and [SEP]), the request-path case.
func BenchmarkEmbedQuery(b *testing.B) {
	e := embedded(b)
	checkTokens(b, benchQuery, 10, 14)
	ctx := context.Background()
	texts := []string{benchQuery}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Embed(ctx, texts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEmbedQueryLatency reports the median and 99th percentile time,
// and the CPU time, of single query embeddings with each kernel this CPU
// runs: float32 activations on the AVX2 and on the AVX-512 dot product, and
// int8 activations (VNNI) where the CPU has them, the default there.
func BenchmarkEmbedQueryLatency(b *testing.B) {
	e := embedded(b)
	ctx := context.Background()
	texts := []string{benchQuery}
	for _, k := range []struct {
		name              string
		avx512, vnni, has bool
	}{{"avx2", false, false, true}, {"avx512", true, false, bert.HaveAVX512()}, {"vnni", true, true, bert.HaveVNNI()}} {
		if !k.has {
			continue
		}
		b.Run(k.name, func(b *testing.B) {
			defer bert.UseAVX512(k.avx512)()
			defer bert.UseVNNI(k.vnni)()
			var times []time.Duration
			cpu0 := testenv.CPUTime()
			for b.Loop() {
				t0 := time.Now()
				if _, err := e.Embed(ctx, texts); err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(t0))
			}
			cpu := testenv.CPUTime() - cpu0
			slices.Sort(times)
			at := func(q float64) float64 {
				return float64(times[min(len(times)-1, int(q*float64(len(times))))]) / 1e6
			}
			b.ReportMetric(at(0.50), "p50-ms")
			b.ReportMetric(at(0.99), "p99-ms")
			b.ReportMetric(float64(cpu)/1e6/float64(b.N), "cpu-ms/query")
		})
	}
}

// BenchmarkEmbedCourse embeds one course description of 176 wordpieces.
func BenchmarkEmbedCourse(b *testing.B) {
	e := embedded(b)
	checkTokens(b, benchCourse, 170, 180)
	ctx := context.Background()
	texts := []string{benchCourse}
	for b.Loop() {
		if _, err := e.Embed(ctx, texts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEmbedCatalog embeds a batch like a catalog rebuild does: 48 app
// descriptions (about 30 wordpieces) and 16 course descriptions (about 176)
// per call, spread over GOMAXPROCS goroutines by Embed.
func BenchmarkEmbedCatalog(b *testing.B) {
	e := embedded(b)
	var texts []string
	for i := range 48 {
		texts = append(texts, fmt.Sprintf("App %d. education. Practice %s in a virtual classroom with feedback on "+
			"pronunciation, pacing and eye contact, alone or with friends online.", i, strings.Repeat("skills ", i%5+1)))
	}
	for i := range 16 {
		texts = append(texts, fmt.Sprintf("%d %s", i, benchCourse))
	}
	ctx := context.Background()
	for b.Loop() {
		if _, err := e.Embed(ctx, texts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(texts))/b.Elapsed().Seconds(), "texts/s")
}

// BenchmarkEmbedQueriesConcurrent embeds short distinct queries from 64
// goroutines at once, one query per call, as concurrent chat requests do,
// with the default batching and with batches of one question (no batching);
// it reports queries per second over all cores GOMAXPROCS allows and the
// mean batch size.
func BenchmarkEmbedQueriesConcurrent(b *testing.B) {
	for _, c := range []struct {
		name string
		b    bert.Batching
	}{{"batched", bert.DefaultBatching}, {"single", bert.Batching{MaxQuestions: 1}}} {
		b.Run(c.name, func(b *testing.B) {
			e := embedded(b).WithBatching(c.b)
			ctx := context.Background()
			var n atomic.Int64
			b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
			cpu0 := testenv.CPUTime()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					q := fmt.Sprintf("%s %d", benchQuery, n.Add(1)%50)
					if _, err := e.Embed(ctx, []string{q}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			passes, questions := e.BatchStats()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "queries/s")
			b.ReportMetric(float64(questions)/float64(max(passes, 1)), "questions/pass")
			b.ReportMetric(float64(testenv.CPUTime()-cpu0)/1e6/float64(b.N), "cpu-ms/query")
		})
	}
}
