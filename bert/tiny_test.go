package bert_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vrrec/vrrec/bert"
	"github.com/vrrec/vrrec/bert/safetensors"
)

// A tiny BERT with random weights, written to a temporary directory in the
// sentence-transformers layout, loaded with bert.Load and checked against
// naiveEncode below: a deliberately plain float64 implementation that shares
// no code with the package.

const (
	tinyH      = 32 // hidden size
	tinyHeads  = 4
	tinyI      = 64 // intermediate size
	tinyLayers = 2
	tinyPos    = 16 // max_position_embeddings
	tinyMaxSeq = 10 // sentence_bert_config.json max_seq_length
)

var tinyVocab = []string{
	"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
	"the", "quick", "brown", "fox", "jump", "##s", "##ed", "over", "lazy", "dog",
	".", ",", "!", "un", "##believ", "##able", "##ly", "cafe", "a", "b", "##b",
}

// tinyModel is the parameters by Hugging Face tensor name.
type tinyModel map[string]tinyTensor

type tinyTensor struct {
	shape []int
	v     []float32
}

// newTinyModel draws weights that are exact in F16 and BF16 (m/256 with
// |m| < 256), so that every storage type encodes the same model.
func newTinyModel(seed uint64) tinyModel {
	rng := rand.New(rand.NewPCG(seed, 7))
	m := tinyModel{}
	add := func(name string, scale bool, shape ...int) {
		n := 1
		for _, d := range shape {
			n *= d
		}
		v := make([]float32, n)
		for i := range v {
			if scale { // LayerNorm gains in [0.5, 1)
				v[i] = float32(128+rng.IntN(128)) / 256
			} else {
				v[i] = float32(rng.IntN(255)-127) / 256
			}
		}
		m[name] = tinyTensor{shape, v}
	}
	V := len(tinyVocab)
	add("embeddings.word_embeddings.weight", false, V, tinyH)
	add("embeddings.position_embeddings.weight", false, tinyPos, tinyH)
	add("embeddings.token_type_embeddings.weight", false, 2, tinyH)
	add("embeddings.LayerNorm.weight", true, tinyH)
	add("embeddings.LayerNorm.bias", false, tinyH)
	for l := range tinyLayers {
		p := fmt.Sprintf("encoder.layer.%d.", l)
		for _, s := range []string{"query", "key", "value"} {
			add(p+"attention.self."+s+".weight", false, tinyH, tinyH)
			add(p+"attention.self."+s+".bias", false, tinyH)
		}
		add(p+"attention.output.dense.weight", false, tinyH, tinyH)
		add(p+"attention.output.dense.bias", false, tinyH)
		add(p+"attention.output.LayerNorm.weight", true, tinyH)
		add(p+"attention.output.LayerNorm.bias", false, tinyH)
		add(p+"intermediate.dense.weight", false, tinyI, tinyH)
		add(p+"intermediate.dense.bias", false, tinyI)
		add(p+"output.dense.weight", false, tinyH, tinyI)
		add(p+"output.dense.bias", false, tinyH)
		add(p+"output.LayerNorm.weight", true, tinyH)
		add(p+"output.LayerNorm.bias", false, tinyH)
	}
	add("pooler.dense.weight", false, tinyH, tinyH) // unused by sentence-transformers
	return m
}

// tinyOptions choose how the directory is written.
type tinyOptions struct {
	dtype       safetensors.Dtype // F32, F16, BF16 or I8 (int8 matrices with per-row scales)
	pooling     string            // mean, cls or max
	normalize   bool              // list a Normalize module
	legacyNames bool              // "bert." prefix and LayerNorm gamma/beta
	vocabJSON   bool              // tokenizer.json instead of vocab.txt
}

// write creates the model directory and returns its path. When the
// options ask for int8, the returned model holds the dequantised weights.
func (m tinyModel) write(t testing.TB, o tinyOptions) (string, tinyModel) {
	t.Helper()
	dir := t.TempDir()
	put := func(name string, v any) {
		var data []byte
		if s, ok := v.(string); ok {
			data = []byte(s)
		} else {
			var err error
			if data, err = json.Marshal(v); err != nil {
				t.Fatal(err)
			}
		}
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	put("config.json", map[string]any{
		"model_type": "bert", "hidden_size": tinyH, "num_hidden_layers": tinyLayers,
		"num_attention_heads": tinyHeads, "intermediate_size": tinyI, "hidden_act": "gelu",
		"layer_norm_eps": 1e-12, "max_position_embeddings": tinyPos, "vocab_size": len(tinyVocab),
		"type_vocab_size": 2,
	})
	if o.vocabJSON {
		vocab := map[string]int{}
		for i, tok := range tinyVocab {
			vocab[tok] = i
		}
		put("tokenizer.json", map[string]any{"model": map[string]any{
			"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
			"max_input_chars_per_word": 100, "vocab": vocab,
		}})
	} else {
		put("vocab.txt", strings.Join(tinyVocab, "\n")+"\n")
	}
	put("tokenizer_config.json", map[string]any{"do_lower_case": true, "tokenize_chinese_chars": true, "strip_accents": nil})
	put("sentence_bert_config.json", map[string]any{"max_seq_length": tinyMaxSeq, "do_lower_case": false})
	modules := []map[string]any{
		{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
		{"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
	}
	if o.normalize {
		modules = append(modules, map[string]any{"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"})
	}
	put("modules.json", modules)
	put("1_Pooling/config.json", map[string]any{
		"word_embedding_dimension": tinyH, "pooling_mode_cls_token": o.pooling == "cls",
		"pooling_mode_mean_tokens": o.pooling == "mean", "pooling_mode_max_tokens": o.pooling == "max",
		"pooling_mode_mean_sqrt_len_tokens": false,
	})

	used := tinyModel{}
	var tensors []safetensors.Tensor
	// A tensor the encoder never reads, of a type it cannot convert.
	tensors = append(tensors, safetensors.Tensor{Name: "embeddings.position_ids", Dtype: safetensors.I64, Shape: []int{1, 2}, Data: make([]byte, 16)})
	for _, name := range slices.Sorted(mapsKeys(m)) {
		tt := m[name]
		stored := name
		if o.legacyNames {
			stored = "bert." + strings.NewReplacer("LayerNorm.weight", "LayerNorm.gamma", "LayerNorm.bias", "LayerNorm.beta").Replace(name)
		}
		if o.dtype == safetensors.I8 && len(tt.shape) == 2 && !strings.Contains(name, "position") && !strings.Contains(name, "token_type") {
			q, scale, deq := quantizeRows(tt.v, tt.shape[0], tt.shape[1])
			tensors = append(tensors,
				safetensors.Tensor{Name: stored, Dtype: safetensors.I8, Shape: tt.shape, Data: q},
				safetensors.Tensor{Name: stored + ".scale", Dtype: safetensors.F32, Shape: tt.shape[:1], Data: encode(scale, safetensors.F32)})
			used[name] = tinyTensor{tt.shape, deq}
			continue
		}
		dt := o.dtype
		if dt == safetensors.I8 {
			dt = safetensors.F32
		}
		tensors = append(tensors, safetensors.Tensor{Name: stored, Dtype: dt, Shape: tt.shape, Data: encode(tt.v, dt)})
		used[name] = tt
	}
	var buf bytes.Buffer
	if err := safetensors.Write(&buf, tensors, nil); err != nil {
		t.Fatal(err)
	}
	put("model.safetensors", buf.String())
	return dir, used
}

func mapsKeys(m tinyModel) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// quantizeRows is the int8 scheme, written independently of the converter:
// scale = max|row|/127, q = round(w/scale).
func quantizeRows(w []float32, rows, cols int) (q []byte, scale, deq []float32) {
	q, scale, deq = make([]byte, len(w)), make([]float32, rows), make([]float32, len(w))
	for r := range rows {
		top := 0.0
		for _, v := range w[r*cols : (r+1)*cols] {
			top = math.Max(top, math.Abs(float64(v)))
		}
		scale[r] = float32(top / 127)
		for i := r * cols; i < (r+1)*cols; i++ {
			n := int8(math.Round(float64(w[i] / scale[r])))
			q[i] = byte(n)
			deq[i] = float32(n) * scale[r]
		}
	}
	return q, scale, deq
}

// encode writes v as little-endian F32, F16 or BF16. The F16 and BF16
// conversions are exact for the values newTinyModel draws.
func encode(v []float32, dt safetensors.Dtype) []byte {
	var b []byte
	for _, x := range v {
		bits := math.Float32bits(x)
		switch dt {
		case safetensors.F32:
			b = binary.LittleEndian.AppendUint32(b, bits)
		case safetensors.BF16:
			b = binary.LittleEndian.AppendUint16(b, uint16(bits>>16))
		case safetensors.F16:
			var h uint16
			if x != 0 {
				exp := int(bits>>23&0xff) - 127 + 15
				h = uint16(bits>>31)<<15 | uint16(exp)<<10 | uint16(bits>>13&0x3ff)
			}
			b = binary.LittleEndian.AppendUint16(b, h)
		}
	}
	return b
}

// naiveEncode is the reference forward pass: float64, nested loops, exact
// GELU, for token ids that already include [CLS] and [SEP].
func naiveEncode(m tinyModel, ids []int, pooling string) []float64 {
	n, H, d := len(ids), tinyH, tinyH/tinyHeads
	w := func(name string) []float32 { return m[name].v }
	mat := func(rows, cols int) [][]float64 {
		a := make([][]float64, rows)
		for i := range a {
			a[i] = make([]float64, cols)
		}
		return a
	}
	lin := func(x [][]float64, name string, out int) [][]float64 {
		W, b := w(name+".weight"), w(name+".bias")
		in := len(x[0])
		y := mat(len(x), out)
		for t := range x {
			for o := 0; o < out; o++ {
				s := float64(b[o])
				for i := 0; i < in; i++ {
					s += x[t][i] * float64(W[o*in+i])
				}
				y[t][o] = s
			}
		}
		return y
	}
	norm := func(x [][]float64, name string) {
		g, b := w(name+".weight"), w(name+".bias")
		for t := range x {
			mean, variance := 0.0, 0.0
			for _, v := range x[t] {
				mean += v
			}
			mean /= float64(H)
			for _, v := range x[t] {
				variance += (v - mean) * (v - mean)
			}
			variance /= float64(H)
			for i, v := range x[t] {
				x[t][i] = (v-mean)/math.Sqrt(variance+1e-12)*float64(g[i]) + float64(b[i])
			}
		}
	}
	x := mat(n, H)
	for t, id := range ids {
		for i := range H {
			x[t][i] = float64(w("embeddings.word_embeddings.weight")[id*H+i]) +
				float64(w("embeddings.position_embeddings.weight")[t*H+i]) +
				float64(w("embeddings.token_type_embeddings.weight")[i])
		}
	}
	norm(x, "embeddings.LayerNorm")
	for l := range tinyLayers {
		p := fmt.Sprintf("encoder.layer.%d.", l)
		q := lin(x, p+"attention.self.query", H)
		k := lin(x, p+"attention.self.key", H)
		v := lin(x, p+"attention.self.value", H)
		ctx := mat(n, H)
		for h := range tinyHeads {
			for i := range n {
				score := make([]float64, n)
				top := math.Inf(-1)
				for j := range n {
					for c := range d {
						score[j] += q[i][h*d+c] * k[j][h*d+c]
					}
					score[j] /= math.Sqrt(float64(d))
					top = math.Max(top, score[j])
				}
				sum := 0.0
				for j := range score {
					score[j] = math.Exp(score[j] - top)
					sum += score[j]
				}
				for j := range n {
					for c := range d {
						ctx[i][h*d+c] += score[j] / sum * v[j][h*d+c]
					}
				}
			}
		}
		a := lin(ctx, p+"attention.output.dense", H)
		for t := range a {
			for i := range a[t] {
				a[t][i] += x[t][i]
			}
		}
		norm(a, p+"attention.output.LayerNorm")
		x = a
		f := lin(x, p+"intermediate.dense", tinyI)
		for t := range f {
			for i, z := range f[t] {
				f[t][i] = z * 0.5 * (1 + math.Erf(z/math.Sqrt2))
			}
		}
		o := lin(f, p+"output.dense", H)
		for t := range o {
			for i := range o[t] {
				o[t][i] += x[t][i]
			}
		}
		norm(o, p+"output.LayerNorm")
		x = o
	}
	out := make([]float64, H)
	switch pooling {
	case "cls":
		copy(out, x[0])
	case "max":
		copy(out, x[0])
		for t := 1; t < n; t++ {
			for i := range out {
				out[i] = math.Max(out[i], x[t][i])
			}
		}
	default:
		for t := range n {
			for i := range out {
				out[i] += x[t][i] / float64(n)
			}
		}
	}
	ss := 0.0
	for _, v := range out {
		ss += v * v
	}
	for i := range out {
		out[i] /= math.Sqrt(ss)
	}
	return out
}

// tinyCases are texts with their wordpieces under tinyVocab.
var tinyCases = []struct {
	text   string
	tokens []string
}{
	{"The quick brown fox jumps!", []string{"the", "quick", "brown", "fox", "jump", "##s", "!"}},
	// A word whose tail matches no piece becomes one [UNK].
	{"  THE LAZY DOG, unbelievable unbelievably.", []string{"the", "lazy", "dog", ",", "un", "##believ", "##able", "[UNK]", "."}},
	{"Café [MASK] zebra bb", []string{"cafe", "[MASK]", "[UNK]", "b", "##b"}},
	{"", []string{}},
	// 11 wordpieces: truncated to 8 plus [CLS] and [SEP].
	{"the fox jumped over the lazy dog the fox jumps", []string{"the", "fox", "jump", "##ed", "over", "the", "lazy", "dog", "the", "fox", "jump", "##s"}},
}

func TestTinyModelMatchesNaive(t *testing.T) {
	model := newTinyModel(1)
	index := map[string]int{}
	for i, tok := range tinyVocab {
		index[tok] = i
	}
	for _, mode := range []string{"go", "asm", "vnni"} {
		if mode == "vnni" && !bert.HaveVNNI() {
			continue
		}
		restore, restoreVNNI := bert.UseAsm(mode != "go"), bert.UseVNNI(mode == "vnni")
		testTinyModel(t, model, index, mode)
		restoreVNNI()
		restore()
	}
}

// testTinyModel compares the encoder with the naive one: to 2e-5 in float32,
// to 1e-2 where an int8 model's activations are quantised to bytes (mode
// vnni: a byte per activation is about 1 % of its row's range).
func testTinyModel(t *testing.T, model tinyModel, index map[string]int, mode string) {
	for _, o := range []tinyOptions{
		{dtype: safetensors.F32, pooling: "mean", normalize: true},
		{dtype: safetensors.F32, pooling: "cls", normalize: true},
		{dtype: safetensors.BF16, pooling: "cls"}, // no Normalize module: still unit vectors
		{dtype: safetensors.F16, pooling: "max", legacyNames: true, vocabJSON: true},
		{dtype: safetensors.I8, pooling: "mean", normalize: true},
	} {
		tol := 2e-5
		if mode == "vnni" && o.dtype == safetensors.I8 {
			tol = 1e-2
		}
		t.Run(fmt.Sprintf("%s/%s-%s-legacy=%v", mode, o.dtype, o.pooling, o.legacyNames), func(t *testing.T) {
			dir, used := model.write(t, o)
			e, err := bert.Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			if e.Dim() != tinyH || e.MaxTokens() != tinyMaxSeq {
				t.Errorf("Dim, MaxTokens = %d, %d, want %d, %d", e.Dim(), e.MaxTokens(), tinyH, tinyMaxSeq)
			}
			texts := make([]string, len(tinyCases))
			for i, c := range tinyCases {
				texts[i] = c.text
			}
			got, err := e.Embed(context.Background(), texts)
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range tinyCases {
				if toks := e.Tokenize(c.text); !slices.Equal(toks, c.tokens) {
					t.Errorf("Tokenize(%q) = %q, want %q", c.text, toks, c.tokens)
				}
				ids := []int{index["[CLS]"]}
				for _, tok := range c.tokens[:min(len(c.tokens), tinyMaxSeq-2)] {
					ids = append(ids, index[tok])
				}
				ids = append(ids, index["[SEP]"])
				want := naiveEncode(used, ids, o.pooling)
				worst := 0.0
				for j := range want {
					worst = math.Max(worst, math.Abs(float64(got[i][j])-want[j]))
				}
				if worst > tol {
					t.Errorf("%q: largest difference from the naive encoder %.3g, want ≤ %g\n got %v\nwant %v", c.text, worst, tol, got[i][:6], want[:6])
				}
			}
		})
	}
}

// TestTinyModelErrors breaks one file of a valid directory at a time and
// expects an error naming what is wrong.
func TestTinyModelErrors(t *testing.T) {
	model := newTinyModel(2)
	type mutation func(t *testing.T, dir string)
	rewrite := func(name string, edit func(string) string) mutation {
		return func(t *testing.T, dir string) {
			p := filepath.Join(dir, name)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(edit(string(b))), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	remove := func(name string) mutation {
		return func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	// header edits the JSON header of model.safetensors in place, padding
	// with spaces so that the data offsets stay valid.
	header := func(edit func(string) string) mutation {
		return func(t *testing.T, dir string) {
			p := filepath.Join(dir, "model.safetensors")
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			n := binary.LittleEndian.Uint64(b)
			h := edit(string(b[8 : 8+n]))
			if len(h) > int(n) {
				t.Fatalf("edited header grew from %d to %d bytes", n, len(h))
			}
			h += strings.Repeat(" ", int(n)-len(h))
			copy(b[8:], h)
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	cases := []struct {
		name   string
		opts   tinyOptions
		mutate mutation
		want   []string
	}{
		{"missing vocab", tinyOptions{}, remove("vocab.txt"), []string{"vocab.txt", "not found"}},
		{"missing config", tinyOptions{}, remove("config.json"), []string{"config.json"}},
		{"missing weights", tinyOptions{}, remove("model.safetensors"), []string{"model.safetensors", "not found"}},
		{"wrong shape", tinyOptions{}, header(func(h string) string {
			return strings.Replace(h, `"encoder.layer.1.intermediate.dense.weight":{"dtype":"F32","shape":[64,32]`,
				`"encoder.layer.1.intermediate.dense.weight":{"dtype":"F32","shape":[32,64]`, 1)
		}), []string{`"encoder.layer.1.intermediate.dense.weight"`, "[32 64]", "want [64 32]"}},
		{"unknown dtype", tinyOptions{}, header(func(h string) string {
			return strings.Replace(h, `"embeddings.LayerNorm.bias":{"dtype":"F32"`, `"embeddings.LayerNorm.bias":{"dtype":"Q4"`, 1)
		}), []string{`"embeddings.LayerNorm.bias"`, `unknown dtype "Q4"`}},
		{"unsupported dtype", tinyOptions{}, header(func(h string) string {
			return strings.Replace(h, `"embeddings.LayerNorm.bias":{"dtype":"F32"`, `"embeddings.LayerNorm.bias":{"dtype":"I32"`, 1)
		}), []string{`"embeddings.LayerNorm.bias"`, "dtype I32"}},
		{"truncated file", tinyOptions{}, func(t *testing.T, dir string) {
			p := filepath.Join(dir, "model.safetensors")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)-100], 0o644)
		}, []string{"model.safetensors", "outside the", "truncated"}},
		{"header length beyond file", tinyOptions{}, func(t *testing.T, dir string) {
			b := binary.LittleEndian.AppendUint64(nil, 1<<40)
			os.WriteFile(filepath.Join(dir, "model.safetensors"), append(b, "{}"...), 0o644)
		}, []string{"model.safetensors", "header length 1099511627776 exceeds"}},
		{"missing tensor", tinyOptions{}, header(func(h string) string {
			return strings.Replace(h, `"encoder.layer.0.output.dense.bias"`, `"encoder.layer.0.output.dense.Bias"`, 1)
		}), []string{`missing tensor "encoder.layer.0.output.dense.bias"`}},
		{"int8 without scale", tinyOptions{dtype: safetensors.I8}, header(func(h string) string {
			return strings.Replace(h, `"encoder.layer.0.output.dense.weight.scale"`, `"encoder.layer.0.output.dense.weight.scal_"`, 1)
		}), []string{`"encoder.layer.0.output.dense.weight.scale" is missing`}},
		{"activation", tinyOptions{}, rewrite("config.json", func(s string) string {
			return strings.Replace(s, `"hidden_act":"gelu"`, `"hidden_act":"relu"`, 1)
		}), []string{"config.json", `hidden_act "relu"`}},
		{"heads", tinyOptions{}, rewrite("config.json", func(s string) string {
			return strings.Replace(s, `"num_attention_heads":4`, `"num_attention_heads":5`, 1)
		}), []string{"config.json", "num_attention_heads 5"}},
		{"two pooling modes", tinyOptions{}, rewrite("1_Pooling/config.json", func(s string) string {
			return strings.Replace(s, `"pooling_mode_max_tokens":false`, `"pooling_mode_max_tokens":true`, 1)
		}), []string{"1_Pooling/config.json", "[mean max]"}},
		{"dense module", tinyOptions{}, rewrite("modules.json", func(s string) string {
			return strings.Replace(s, `]`, `,{"idx":3,"name":"3","path":"3_Dense","type":"sentence_transformers.models.Dense"}]`, 1)
		}), []string{"modules.json", "sentence_transformers.models.Dense"}},
		{"bpe tokenizer", tinyOptions{vocabJSON: true}, rewrite("tokenizer.json", func(s string) string {
			return strings.Replace(s, `"type":"WordPiece"`, `"type":"BPE"`, 1)
		}), []string{"tokenizer.json", `"BPE"`, "not supported"}},
		{"vocab without [CLS]", tinyOptions{}, rewrite("vocab.txt", func(s string) string {
			return strings.Replace(s, "[CLS]\n", "[XLS]\n", 1)
		}), []string{"vocab.txt", "no [CLS] token"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.opts.dtype == "" {
				c.opts.dtype = safetensors.F32
			}
			c.opts.pooling = "mean"
			dir, _ := model.write(t, c.opts)
			if _, err := bert.Load(dir); err != nil {
				t.Fatalf("the unbroken directory does not load: %v", err)
			}
			c.mutate(t, dir)
			_, err := bert.Load(dir)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}
