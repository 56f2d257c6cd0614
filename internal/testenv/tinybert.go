package testenv

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vrrec/vrrec/bert/safetensors"
)

// TinyBERT writes a BERT sentence-transformers directory with random
// weights (2 layers, hidden size 16, a vocabulary of common words) and CLS
// pooling, and returns its path: a stand-in for MODEL_DIR that loads in
// milliseconds. Its vectors mean nothing.
func TinyBERT(tb testing.TB) string {
	tb.Helper()
	const hidden, inter, layers, positions = 16, 32, 2, 64
	vocab := []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}
	vocab = append(vocab, strings.Fields("the a of and to in for i im want learn anatomy python space music art history fitness game games data science ##s ##ing ##ed")...)
	dir := tb.TempDir()
	write := func(name string, data []byte) {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	writeJSON := func(name string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			tb.Fatal(err)
		}
		write(name, b)
	}
	writeJSON("config.json", map[string]any{
		"model_type": "bert", "hidden_size": hidden, "num_hidden_layers": layers, "num_attention_heads": 2,
		"intermediate_size": inter, "hidden_act": "gelu", "layer_norm_eps": 1e-12,
		"max_position_embeddings": positions, "vocab_size": len(vocab), "type_vocab_size": 2,
	})
	write("vocab.txt", []byte(strings.Join(vocab, "\n")+"\n"))
	writeJSON("tokenizer_config.json", map[string]any{"do_lower_case": true})
	writeJSON("sentence_bert_config.json", map[string]any{"max_seq_length": 32})
	writeJSON("modules.json", []map[string]any{
		{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
		{"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
		{"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
	})
	writeJSON("1_Pooling/config.json", map[string]any{"word_embedding_dimension": hidden, "pooling_mode_cls_token": true})

	r := rand.New(rand.NewPCG(7, 13))
	var tensors []safetensors.Tensor
	add := func(name string, ones bool, shape ...int) {
		n := 1
		for _, d := range shape {
			n *= d
		}
		b := make([]byte, 4*n)
		for i := range n {
			v := float32(r.NormFloat64() * 0.2)
			if ones {
				v = 1
			}
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
		}
		tensors = append(tensors, safetensors.Tensor{Name: name, Dtype: safetensors.F32, Shape: shape, Data: b})
	}
	add("embeddings.word_embeddings.weight", false, len(vocab), hidden)
	add("embeddings.position_embeddings.weight", false, positions, hidden)
	add("embeddings.token_type_embeddings.weight", false, 2, hidden)
	add("embeddings.LayerNorm.weight", true, hidden)
	add("embeddings.LayerNorm.bias", false, hidden)
	for l := range layers {
		p := "encoder.layer." + string(rune('0'+l)) + "."
		for _, m := range []string{"attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"} {
			add(p+m+".weight", false, hidden, hidden)
			add(p+m+".bias", false, hidden)
		}
		add(p+"attention.output.LayerNorm.weight", true, hidden)
		add(p+"attention.output.LayerNorm.bias", false, hidden)
		add(p+"intermediate.dense.weight", false, inter, hidden)
		add(p+"intermediate.dense.bias", false, inter)
		add(p+"output.dense.weight", false, hidden, inter)
		add(p+"output.dense.bias", false, hidden)
		add(p+"output.LayerNorm.weight", true, hidden)
		add(p+"output.LayerNorm.bias", false, hidden)
	}
	var buf bytes.Buffer
	if err := safetensors.Write(&buf, tensors, map[string]string{"name": "tiny-random-bert"}); err != nil {
		tb.Fatal(err)
	}
	write("model.safetensors", buf.Bytes())
	return dir
}
