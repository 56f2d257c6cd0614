package minilm

import (
	"context"
	"io/fs"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vrrec/vrrec/bert"
)

// TestLoad checks that every caller gets the same encoder, from any number
// of goroutines, and that it works.
func TestLoad(t *testing.T) {
	var wg sync.WaitGroup
	encoders := make([]*bert.Encoder, 8)
	for i := range encoders {
		wg.Go(func() {
			e, err := Load()
			if err != nil {
				t.Error(err)
			}
			encoders[i] = e
		})
	}
	wg.Wait()
	for _, e := range encoders[1:] {
		if e != encoders[0] {
			t.Fatal("Load returned different encoders")
		}
	}
	e := encoders[0]
	if e.Dim() != 384 {
		t.Errorf("Dim() = %d, want 384", e.Dim())
	}
	v, err := e.Embed(context.Background(), []string{"VR apps for learning Spanish", "Mondly VR. education. Practice conversations in 30 languages.", "Beat Saber. fitness. A rhythm game."})
	if err != nil {
		t.Fatal(err)
	}
	dot := func(a, b []float32) (s float32) {
		for i := range a {
			s += a[i] * b[i]
		}
		return s
	}
	if related, unrelated := dot(v[0], v[1]), dot(v[0], v[2]); related <= unrelated+0.1 {
		t.Errorf("similarity to a language app %.3f, to a rhythm game %.3f: want the language app clearly closer", related, unrelated)
	}
}

// TestLoadTime decodes the embedded files afresh; the service loads the model
// at start-up, so this must stay well under a second.
func TestLoadTime(t *testing.T) {
	start := time.Now()
	if _, err := bert.LoadFS(files, "."); err != nil {
		t.Fatal(err)
	}
	d := time.Since(start)
	t.Logf("decoding the embedded model took %v", d)
	if d > 3*time.Second { // generous for -race and loaded CI machines
		t.Errorf("decoding the embedded model took %v", d)
	}
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := bert.LoadFS(files, "."); err != nil {
			b.Fatal(err)
		}
	}
}

func TestWordsAndLanguages(t *testing.T) {
	e, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	words := e.Words()
	if len(words) < 15000 {
		t.Fatalf("%d vocabulary words, want the ~20,000 whole English words", len(words))
	}
	for _, w := range []string{"python", "structures", "exercise", "tax"} {
		if _, ok := slices.BinarySearch(words, w); !ok {
			t.Errorf("%q missing from the words", w)
		}
	}
	for _, w := range []string{"pyhton", "##ing", "[CLS]"} {
		if _, ok := slices.BinarySearch(words, w); ok {
			t.Errorf("%q listed as a word", w)
		}
	}
	if e.Multilingual() {
		t.Error("all-MiniLM-L6-v2 reads English only")
	}
}

// TestWeightsReadAgainAfterTheirPagesAreDropped loads the model (which gives
// back the binary's pages of the weights), then decodes the embedded files
// again: the kernel reads the pages back from the executable, and the
// weights' hash, part of the model's name, is unchanged.
func TestWeightsReadAgainAfterTheirPagesAreDropped(t *testing.T) {
	e, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	again, err := bert.LoadFS(files, ".")
	if err != nil {
		t.Fatal(err)
	}
	if again.Name() != e.Name() {
		t.Errorf("after the pages were dropped the weights decode as %s, first as %s", again.Name(), e.Name())
	}
	entries, err := fs.ReadDir(files, ".")
	if err != nil || !slices.ContainsFunc(entries, func(d fs.DirEntry) bool { return d.Name() == weightsName }) {
		t.Errorf("the model directory lists %v (%v), want the weights file among them", entries, err)
	}
}
