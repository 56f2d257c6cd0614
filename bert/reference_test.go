package bert_test

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/vrrec/vrrec/bert"
	"github.com/vrrec/vrrec/bert/minilm"
)

// reference is bert/testdata/reference.json, written by
// tools/minilm/reference.py with sentence-transformers and the fp32 model.
type reference struct {
	Dim   int `json:"dim"`
	Cases []struct {
		Text       string   `json:"text"`
		Tokens     []string `json:"tokens"`
		Vector     string   `json:"vector"`
		TokensOnly bool     `json:"tokens_only"`
	} `json:"cases"`
}

func loadReference(t testing.TB) *reference {
	t.Helper()
	data, err := os.ReadFile("testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref reference
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatalf("testdata/reference.json: %v", err)
	}
	if len(ref.Cases) < 100 {
		t.Fatalf("testdata/reference.json: only %d cases", len(ref.Cases))
	}
	return &ref
}

// vectors decodes the reference vectors and returns them with their texts.
func (r *reference) vectors(t testing.TB) ([]string, [][]float32) {
	var texts []string
	var vecs [][]float32
	for _, c := range r.Cases {
		if c.TokensOnly {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(c.Vector)
		if err != nil || len(b) != 4*r.Dim {
			t.Fatalf("reference vector of %q: %d bytes, %v", c.Text, len(b), err)
		}
		v := make([]float32, r.Dim)
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
		texts = append(texts, c.Text)
		vecs = append(vecs, v)
	}
	return texts, vecs
}

func embedded(t testing.TB) *bert.Encoder {
	t.Helper()
	e, err := minilm.Load()
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestTokenizeMatchesHuggingFace compares the wordpieces with those of
// Hugging Face's BertTokenizerFast for every fixture string.
func TestTokenizeMatchesHuggingFace(t *testing.T) {
	e := embedded(t)
	ref := loadReference(t)
	for _, c := range ref.Cases {
		got := e.Tokenize(c.Text)
		want := c.Tokens
		if want == nil {
			want = []string{}
		}
		if !slices.Equal(got, want) {
			t.Errorf("Tokenize(%q)\n got %q\nwant %q", c.Text, got, want)
		}
	}
}

// compare embeds the fixture texts and checks the cosine similarity of each
// vector with the reference, returning the minimum and mean.
func compare(t *testing.T, e *bert.Encoder, bar float64) {
	ref := loadReference(t)
	texts, want := ref.vectors(t)
	got, err := e.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	lo, sum := 1.0, 0.0
	for i := range texts {
		var dot, n float64
		for j, v := range got[i] {
			dot += float64(v) * float64(want[i][j])
			n += float64(v) * float64(v)
		}
		if math.Abs(n-1) > 1e-4 {
			t.Errorf("%q: |v|² = %g, want 1", texts[i], n)
		}
		if dot < bar {
			t.Errorf("%q: cosine %.6f with the reference, want ≥ %g", texts[i], dot, bar)
		}
		lo = min(lo, dot)
		sum += dot
	}
	t.Logf("%s: %d texts, cosine with sentence-transformers min %.6f (1-min %.1e) mean %.6f", e.Name(), len(texts), lo, 1-lo, sum/float64(len(texts)))
}

// TestEmbeddedMatchesReference checks the int8 model shipped in the binary,
// with float32 activations and, where the CPU has VNNI, with the int8
// activations it then uses.
func TestEmbeddedMatchesReference(t *testing.T) {
	for _, vnni := range []bool{false, true} {
		t.Run(map[bool]string{false: "float32", true: "vnni"}[vnni], func(t *testing.T) {
			defer bert.UseVNNI(vnni)()
			if vnni && !bert.HaveVNNI() {
				t.Skip("no AVX-512 VNNI on this CPU")
			}
			compare(t, embedded(t), 0.99)
		})
	}
}

// TestFP32MatchesReference checks the original float32 model, which is not in
// the repository: tools/minilm/fetch.sh downloads it and prints its path for
// VRREC_MINILM_FP32_DIR.
func TestFP32MatchesReference(t *testing.T) {
	dir := os.Getenv("VRREC_MINILM_FP32_DIR")
	if dir == "" {
		msg := "VRREC_MINILM_FP32_DIR is not set: run tools/minilm/fetch.sh and set it to the directory it prints"
		if os.Getenv("REQUIRE_INTEGRATION") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	e, err := bert.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	compare(t, e, 0.999)
}
