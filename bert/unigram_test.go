package bert_test

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/vrrec/vrrec/bert"
)

// TestUnigramMatchesHuggingFace loads testdata/unigram/model, a tiny
// XLM-RoBERTa sentence-transformers model with a SentencePiece Unigram
// tokenizer and random weights written by tools/minilm/unigram_fixture.py,
// and compares pieces and vectors with those of Hugging Face and
// sentence-transformers.
func TestUnigramMatchesHuggingFace(t *testing.T) {
	data, err := os.ReadFile("testdata/unigram/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Dim   int `json:"dim"`
		Cases []struct {
			Text   string   `json:"text"`
			Tokens []string `json:"tokens"`
			Vector string   `json:"vector"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	e, err := bert.Load("testdata/unigram/model")
	if err != nil {
		t.Fatal(err)
	}
	if e.Dim() != ref.Dim || e.MaxTokens() != 24 {
		t.Errorf("Dim, MaxTokens = %d, %d, want %d, 24", e.Dim(), e.MaxTokens(), ref.Dim)
	}
	texts := make([]string, len(ref.Cases))
	for i, c := range ref.Cases {
		texts[i] = c.Text
	}
	got, err := e.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range ref.Cases {
		want := c.Tokens
		if want == nil {
			want = []string{}
		}
		if toks := e.Tokenize(c.Text); !slices.Equal(toks, want) {
			t.Errorf("Tokenize(%q)\n got %q\nwant %q", c.Text, toks, want)
		}
		b, err := base64.StdEncoding.DecodeString(c.Vector)
		if err != nil || len(b) != 4*ref.Dim {
			t.Fatalf("reference vector of %q: %v", c.Text, err)
		}
		var dot float64
		for j := range ref.Dim {
			dot += float64(got[i][j]) * float64(math.Float32frombits(binary.LittleEndian.Uint32(b[4*j:])))
		}
		if dot < 0.99999 {
			t.Errorf("%q: cosine %.6f with sentence-transformers, want ≥ 0.99999", c.Text, dot)
		}
	}
	if !e.IsWord("de") || e.IsWord("pyhton") {
		t.Errorf(`IsWord("de"), IsWord("pyhton") = %v, %v; want true, false`, e.IsWord("de"), e.IsWord("pyhton"))
	}
}

// TestUnigramUnsupported expects a clear error for a tokenizer.json step the
// Unigram tokenizer does not implement.
func TestUnigramUnsupported(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"config.json", "model.safetensors", "tokenizer_config.json", "sentence_bert_config.json", "modules.json", "1_Pooling/config.json"} {
		b, err := os.ReadFile("testdata/unigram/model/" + f)
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(dir+"/1_Pooling", 0o755)
		if err := os.WriteFile(dir+"/"+f, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile("testdata/unigram/model/tokenizer.json")
	if err != nil {
		t.Fatal(err)
	}
	var tj map[string]any
	if err := json.Unmarshal(b, &tj); err != nil {
		t.Fatal(err)
	}
	tj["normalizer"] = map[string]any{"type": "Lowercase"}
	b, _ = json.Marshal(tj)
	os.WriteFile(dir+"/tokenizer.json", b, 0o644)
	_, err = bert.Load(dir)
	if err == nil || !strings.Contains(err.Error(), "tokenizer.json: normalizer Lowercase") {
		t.Errorf("Load with a Lowercase normalizer: %v, want an error naming it", err)
	}
}
