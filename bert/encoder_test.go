package bert_test

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/bert"
)

var _ vrrec.Embedder = (*bert.Encoder)(nil)

func TestName(t *testing.T) {
	e := embedded(t)
	if !regexp.MustCompile(`^bert:all-MiniLM-L6-v2:q8:[0-9a-f]{12}$`).MatchString(e.Name()) {
		t.Errorf("Name() = %q, want bert:all-MiniLM-L6-v2:q8:<12 hex digits>", e.Name())
	}
	if e.Dim() != 384 || e.MaxTokens() != 256 {
		t.Errorf("Dim, MaxTokens = %d, %d, want 384, 256", e.Dim(), e.MaxTokens())
	}
}

func TestIsWord(t *testing.T) {
	e := embedded(t)
	for w, want := range map[string]bool{
		"tax": true, "Tax": true, "PYTHON": true, "café": true, "learning": true, "95": true,
		"pyhton": false, "learnign": false, "##ing": false, "ing": true, "[UNK]": false, "[CLS]": false,
		"": false, " ": false, "machine learning": false, "!": false, "tax.": false, "cybersecurity": false,
	} {
		if got := e.IsWord(w); got != want {
			t.Errorf("IsWord(%q) = %v, want %v", w, got, want)
		}
	}
}

// TestTruncation checks that only the first MaxTokens()-2 wordpieces count.
func TestTruncation(t *testing.T) {
	e := embedded(t)
	long := strings.Repeat("rhythm game ", 200)
	cut := strings.Repeat("rhythm game ", (e.MaxTokens()-2)/2)
	shorter := strings.Repeat("rhythm game ", (e.MaxTokens()-2)/2-1)
	v, err := e.Embed(context.Background(), []string{long, cut, shorter})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(v[0], v[1]) {
		t.Error("a text longer than MaxTokens embeds differently from its first MaxTokens-2 wordpieces")
	}
	if slices.Equal(v[1], v[2]) {
		t.Error("texts of 254 and 252 wordpieces embed the same")
	}
}

// TestEmbedConcurrent embeds from many goroutines at once (run with -race)
// and expects the same vectors as one sequential call.
func TestEmbedConcurrent(t *testing.T) {
	e := embedded(t)
	texts := []string{"I'm learning Python", "Beat Saber. fitness. A rhythm game", "", "统计学", strings.Repeat("data ", 100)}
	want, err := e.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Go(func() {
			for i := range 3 {
				k := (g + i) % len(texts)
				got, err := e.Embed(context.Background(), []string{texts[k], texts[(k+1)%len(texts)]})
				if err != nil {
					errs <- err
					return
				}
				if !slices.Equal(got[0], want[k]) || !slices.Equal(got[1], want[(k+1)%len(texts)]) {
					errs <- errors.New("concurrent Embed returned a different vector for " + texts[k])
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestEmbedCancelled(t *testing.T) {
	e := embedded(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	v, err := e.Embed(ctx, []string{"a", "b"})
	if !errors.Is(err, context.Canceled) || v != nil {
		t.Errorf("Embed with a cancelled context = %d vectors, %v; want none, context.Canceled", len(v), err)
	}

	// Cancelled while working through a long batch: Embed stops between texts.
	texts := make([]string, 2000)
	for i := range texts {
		texts[i] = strings.Repeat("course description ", 100)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	v, err = e.Embed(ctx, texts)
	if !errors.Is(err, context.DeadlineExceeded) || v != nil {
		t.Errorf("Embed past its deadline = %d vectors, %v; want none, context.DeadlineExceeded", len(v), err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Embed took %v to notice its deadline", d)
	}

	if v, err := e.Embed(context.Background(), nil); err != nil || len(v) != 0 {
		t.Errorf("Embed(nil) = %v, %v; want no vectors, no error", v, err)
	}
}
