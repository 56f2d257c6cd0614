// Command convert turns a float32 sentence-transformers BERT directory (such
// as all-MiniLM-L6-v2) into the int8 form that package bert/minilm embeds:
//
//	go run ./tools/minilm/convert -in DIR -out bert/minilm
//
// Every 2-D weight matrix, the word-embedding table included, becomes an I8
// tensor with one F32 scale per output row in "<name>.scale" (symmetric:
// scale = max|row|/127, q = round(w/scale)); biases, LayerNorm parameters and
// the position and token-type embeddings stay F32. Tensors the encoder never
// reads (the pooler, position_ids) are dropped. The tokenizer and pooling
// files are copied unchanged. The output is deterministic, so converting the
// same input twice gives the same bytes (and the same encoder Name).
package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/vrrec/vrrec/bert/safetensors"
)

// copied are the files of the model directory that the encoder reads besides
// the weights.
var copied = []string{
	"config.json", "vocab.txt", "tokenizer_config.json", "sentence_bert_config.json",
	"modules.json", "1_Pooling/config.json",
}

const weightsFile = "model.q8.safetensors"

func main() {
	in := flag.String("in", "", "float32 model directory (from tools/minilm/fetch.sh)")
	out := flag.String("out", "bert/minilm", "output directory")
	name := flag.String("name", "all-MiniLM-L6-v2", "model name recorded in the weights metadata")
	flag.Parse()
	if *in == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*in, *out, *name); err != nil {
		log.Fatalf("convert: %v", err)
	}
}

func run(in, out, name string) error {
	for _, f := range copied {
		data, err := os.ReadFile(filepath.Join(in, f))
		if err != nil {
			return fmt.Errorf("read %s: %w", f, err)
		}
		dst := filepath.Join(out, f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return fmt.Errorf("create %s: %w", filepath.Dir(dst), err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", dst, err)
		}
	}
	src := filepath.Join(in, "model.safetensors")
	data, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("read weights: %w", err)
	}
	f, err := safetensors.Parse(data)
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	var floats, ints []safetensors.Tensor
	worst, worstName := 0.0, ""
	for _, n := range f.Names() {
		t := f.Tensors[n]
		if strings.Contains(n, "pooler.") || strings.HasSuffix(n, "position_ids") {
			continue
		}
		v, err := t.Float32s()
		if err != nil {
			return fmt.Errorf("%s: %w", src, err)
		}
		if len(t.Shape) != 2 || strings.Contains(n, "position_embeddings") || strings.Contains(n, "token_type_embeddings") {
			floats = append(floats, safetensors.Tensor{Name: n, Dtype: safetensors.F32, Shape: t.Shape, Data: f32Bytes(v)})
			continue
		}
		q, scale := quantize(v, t.Shape[0], t.Shape[1])
		if e := relError(v, q, scale, t.Shape[1]); e > worst {
			worst, worstName = e, n
		}
		qb := make([]byte, len(q))
		for i, x := range q {
			qb[i] = byte(x)
		}
		ints = append(ints, safetensors.Tensor{Name: n, Dtype: safetensors.I8, Shape: t.Shape, Data: qb})
		floats = append(floats, safetensors.Tensor{Name: n + ".scale", Dtype: safetensors.F32, Shape: t.Shape[:1], Data: f32Bytes(scale)})
	}
	var buf bytes.Buffer
	meta := map[string]string{
		"name":         name,
		"quantization": "int8 per output row, symmetric: w = q * <name>.scale[row], scale = max|row|/127",
	}
	// F32 tensors first keep every tensor's data 4-byte aligned.
	if err := safetensors.Write(&buf, append(floats, ints...), meta); err != nil {
		return err
	}
	dst := filepath.Join(out, weightsFile)
	if err := os.WriteFile(dst, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write weights: %w", err)
	}
	fmt.Printf("%s: %.1f MB → %s: %.1f MB (%d int8 matrices, %d float32 tensors)\n",
		src, float64(len(data))/1e6, dst, float64(buf.Len())/1e6, len(ints), len(floats)-len(ints))
	fmt.Printf("worst relative error ‖w−q·s‖/‖w‖: %.5f (%s)\n", worst, worstName)
	return nil
}

// quantize maps a [rows, cols] matrix to int8 with one scale per row.
func quantize(w []float32, rows, cols int) ([]int8, []float32) {
	q := make([]int8, len(w))
	scale := make([]float32, rows)
	for r := range rows {
		row := w[r*cols : (r+1)*cols]
		var top float64
		for _, v := range row {
			top = math.Max(top, math.Abs(float64(v)))
		}
		if top == 0 {
			continue
		}
		s := float32(top / 127)
		scale[r] = s
		for i, v := range row {
			q[r*cols+i] = int8(math.Max(-127, math.Min(127, math.Round(float64(v/s)))))
		}
	}
	return q, scale
}

// relError is the Frobenius norm of the quantisation error relative to the
// norm of the matrix.
func relError(w []float32, q []int8, scale []float32, cols int) float64 {
	var num, den float64
	for i, v := range w {
		d := float64(v) - float64(q[i])*float64(scale[i/cols])
		num += d * d
		den += float64(v) * float64(v)
	}
	if den == 0 {
		return 0
	}
	return math.Sqrt(num / den)
}

func f32Bytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}
