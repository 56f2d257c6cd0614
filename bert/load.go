package bert

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vrrec/vrrec/bert/safetensors"
)

// Load reads a sentence-transformers model directory of the BERT family:
//
//   - config.json: the architecture (hidden size, layers, heads,
//     intermediate size, layer_norm_eps, max_position_embeddings,
//     vocab_size); hidden_act must be "gelu";
//   - one safetensors weights file, model.safetensors or else the only
//     *.safetensors file whose name contains "model", in F32, F16, BF16 or
//     this package's int8 form (an I8 matrix "W" with one F32 scale per row in
//     "W.scale", values q·scale); tensor names may carry a "bert." or
//     "roberta." prefix and LayerNorm parameters may be called gamma and
//     beta;
//   - vocab.txt, or else tokenizer.json with a WordPiece model or, for
//     XLM-RoBERTa models (the multilingual MiniLMs), a SentencePiece Unigram
//     model with Metaspace pre-tokenisation (see unigram);
//   - tokenizer_config.json (optional): do_lower_case, strip_accents,
//     tokenize_chinese_chars and the special tokens, defaulting as
//     BertTokenizer does;
//   - sentence_bert_config.json (optional): max_seq_length, default 256,
//     capped at max_position_embeddings;
//   - modules.json (optional, default mean pooling) and the Pooling module's
//     config.json: mean, cls or max pooling; a Normalize module may follow.
//
// Models whose config.json model_type is xlm-roberta, roberta or camembert
// number positions from pad_token_id+1, as those architectures do. A missing
// or inconsistent file is an error that names the file and what is wrong
// with it.
func Load(dir string) (*Encoder, error) {
	label := filepath.Base(dir)
	if abs, err := filepath.Abs(dir); err == nil {
		label = filepath.Base(abs)
	}
	e, err := load(os.DirFS(dir), label)
	if err != nil {
		return nil, fmt.Errorf("bert: load %s: %w", dir, err)
	}
	return e, nil
}

// LoadFS is Load for the model directory name inside fsys, such as a
// directory embedded in the binary; name "." is the root of fsys.
func LoadFS(fsys fs.FS, name string) (*Encoder, error) {
	sub := fsys
	if name != "." {
		var err error
		if sub, err = fs.Sub(fsys, name); err != nil {
			return nil, fmt.Errorf("bert: load %s: %w", name, err)
		}
	}
	e, err := load(sub, path.Base(name))
	if err != nil {
		return nil, fmt.Errorf("bert: load %s: %w", name, err)
	}
	return e, nil
}

// hfConfig is the part of a Hugging Face config.json that the encoder uses.
type hfConfig struct {
	ModelType             string   `json:"model_type"`
	HiddenSize            int      `json:"hidden_size"`
	NumHiddenLayers       int      `json:"num_hidden_layers"`
	NumAttentionHeads     int      `json:"num_attention_heads"`
	IntermediateSize      int      `json:"intermediate_size"`
	HiddenAct             string   `json:"hidden_act"`
	LayerNormEps          *float64 `json:"layer_norm_eps"`
	MaxPositionEmbeddings int      `json:"max_position_embeddings"`
	VocabSize             int      `json:"vocab_size"`
	TypeVocabSize         *int     `json:"type_vocab_size"`
	PadTokenID            *int     `json:"pad_token_id"`
	PositionEmbeddingType string   `json:"position_embedding_type"`
}

func (c *hfConfig) check() error {
	for _, f := range []struct {
		name string
		v    int
	}{
		{"hidden_size", c.HiddenSize}, {"num_hidden_layers", c.NumHiddenLayers},
		{"num_attention_heads", c.NumAttentionHeads}, {"intermediate_size", c.IntermediateSize},
		{"max_position_embeddings", c.MaxPositionEmbeddings}, {"vocab_size", c.VocabSize},
	} {
		if f.v <= 0 {
			return fmt.Errorf("%s is %d, want a positive number", f.name, f.v)
		}
	}
	if c.HiddenSize%c.NumAttentionHeads != 0 {
		return fmt.Errorf("hidden_size %d is not a multiple of num_attention_heads %d", c.HiddenSize, c.NumAttentionHeads)
	}
	if c.HiddenAct != "gelu" {
		return fmt.Errorf("hidden_act %q is not supported (want gelu)", c.HiddenAct)
	}
	if t := c.PositionEmbeddingType; t != "" && t != "absolute" {
		return fmt.Errorf("position_embedding_type %q is not supported (want absolute)", t)
	}
	if c.TypeVocabSize != nil && *c.TypeVocabSize <= 0 {
		return fmt.Errorf("type_vocab_size is %d, want a positive number", *c.TypeVocabSize)
	}
	return nil
}

// readJSON decodes file name of fsys into v. A missing file is reported
// with found false and no error when optional is set.
func readJSON(fsys fs.FS, name string, v any, optional bool) (found bool, err error) {
	data, err := fs.ReadFile(fsys, name)
	if optional && errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s: %w", name, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, fmt.Errorf("%s: %w", name, err)
	}
	return true, nil
}

func load(fsys fs.FS, label string) (*Encoder, error) {
	var cfg hfConfig
	if _, err := readJSON(fsys, "config.json", &cfg, false); err != nil {
		return nil, err
	}
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("config.json: %w", err)
	}
	e := &Encoder{batch: batcher{limits: DefaultBatching}}
	tok, special, err := loadTokenizer(fsys)
	if err != nil {
		return nil, err
	}
	e.tok, e.cls, e.sep = tok, special.cls, special.sep
	// RoBERTa-style models number positions from padding_idx+1.
	posOffset := 0
	switch cfg.ModelType {
	case "xlm-roberta", "roberta", "camembert":
		pad := 1
		if cfg.PadTokenID != nil {
			pad = *cfg.PadTokenID
		}
		posOffset = pad + 1
	}
	e.m.posOffset = posOffset

	st := struct {
		MaxSeqLength *int `json:"max_seq_length"`
		DoLowerCase  bool `json:"do_lower_case"`
	}{}
	if _, err := readJSON(fsys, "sentence_bert_config.json", &st, true); err != nil {
		return nil, err
	}
	e.maxTokens = 256
	if st.MaxSeqLength != nil {
		e.maxTokens = *st.MaxSeqLength
	}
	if e.maxTokens < 2 {
		return nil, fmt.Errorf("sentence_bert_config.json: max_seq_length %d leaves no room for [CLS] and [SEP]", e.maxTokens)
	}
	e.maxTokens = min(e.maxTokens, cfg.MaxPositionEmbeddings-posOffset)
	e.lowerText = st.DoLowerCase

	if e.pooling, err = loadModules(fsys, cfg.HiddenSize); err != nil {
		return nil, err
	}

	file, data, err := readWeights(fsys)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	f, err := safetensors.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	w := &weights{file: file, f: f}
	if err := e.m.load(w, &cfg); err != nil {
		return nil, err
	}
	if n := e.m.wordEmb.rows; int(special.maxID) >= n {
		return nil, fmt.Errorf("the tokenizer has ids up to %d but %s has %d word embeddings", special.maxID, file, n)
	}
	if name := f.Metadata["name"]; name != "" {
		label = name
	}
	if label == "." || label == "" || label == string(filepath.Separator) {
		label = "model"
	}
	e.name = fmt.Sprintf("bert:%s:%s:%s", label, w.kind, hex.EncodeToString(sum[:])[:12])
	return e, nil
}

// readWeights finds and reads the weights file: model.safetensors, or else
// the only *.safetensors file whose name contains "model".
func readWeights(fsys fs.FS) (string, []byte, error) {
	file := "model.safetensors"
	if _, err := fs.Stat(fsys, file); err != nil {
		matches, _ := fs.Glob(fsys, "*.safetensors")
		matches = slices.DeleteFunc(matches, func(m string) bool { return !strings.Contains(m, "model") })
		switch {
		case len(matches) == 1:
			file = matches[0]
		case len(matches) > 1:
			return "", nil, fmt.Errorf("several weights files %v; keep one", matches)
		default:
			if _, err := fs.Stat(fsys, "pytorch_model.bin"); err == nil {
				return "", nil, errors.New("model.safetensors: not found (pytorch_model.bin is not supported; convert it to safetensors)")
			}
			return "", nil, errors.New("model.safetensors: not found (no *.safetensors weights file)")
		}
	}
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", file, err)
	}
	return file, data, nil
}

// loadModules reads modules.json and the Pooling module's configuration.
// Without modules.json the pipeline is sentence-transformers' default for a
// bare transformer: mean pooling.
func loadModules(fsys fs.FS, hidden int) (pooling, error) {
	var modules []struct {
		Name string `json:"name"`
		Path string `json:"path"`
		Type string `json:"type"`
	}
	found, err := readJSON(fsys, "modules.json", &modules, true)
	if err != nil || !found {
		return poolMean, err
	}
	poolDir := ""
	for _, m := range modules {
		switch m.Type[strings.LastIndexByte(m.Type, '.')+1:] {
		case "Transformer":
		case "Pooling":
			poolDir = m.Path
		case "Normalize":
			// Embed normalises in every case.
		default:
			return 0, fmt.Errorf("modules.json: module %q of type %s is not supported (only Transformer, Pooling and Normalize)", m.Name, m.Type)
		}
	}
	if poolDir == "" {
		return 0, errors.New("modules.json: no Pooling module")
	}
	file := path.Join(poolDir, "config.json")
	var pc struct {
		Dim       int  `json:"word_embedding_dimension"`
		CLS       bool `json:"pooling_mode_cls_token"`
		Mean      bool `json:"pooling_mode_mean_tokens"`
		Max       bool `json:"pooling_mode_max_tokens"`
		MeanSqrt  bool `json:"pooling_mode_mean_sqrt_len_tokens"`
		Weighted  bool `json:"pooling_mode_weightedmean_tokens"`
		LastToken bool `json:"pooling_mode_lasttoken"`
	}
	if _, err := readJSON(fsys, file, &pc, false); err != nil {
		return 0, err
	}
	if pc.Dim != 0 && pc.Dim != hidden {
		return 0, fmt.Errorf("%s: word_embedding_dimension %d differs from config.json hidden_size %d", file, pc.Dim, hidden)
	}
	var modes []string
	mode := poolMean
	for _, m := range []struct {
		on   bool
		name string
		p    pooling
	}{{pc.Mean, "mean", poolMean}, {pc.CLS, "cls", poolCLS}, {pc.Max, "max", poolMax},
		{pc.MeanSqrt, "mean_sqrt_len", -1}, {pc.Weighted, "weightedmean", -1}, {pc.LastToken, "lasttoken", -1}} {
		if m.on {
			modes = append(modes, m.name)
			mode = m.p
		}
	}
	if len(modes) != 1 || mode < 0 {
		return 0, fmt.Errorf("%s: pooling modes %v are not supported (want exactly one of mean, cls or max)", file, modes)
	}
	return mode, nil
}

// weights gives typed, shape-checked access to the tensors of the weights
// file.
type weights struct {
	file string
	f    *safetensors.File
	kind string // storage of the word embeddings: f32, f16, bf16 or q8
}

// find returns the tensor called name, also under a "bert." prefix and, for
// LayerNorm parameters, under the older names gamma and beta.
func (w *weights) find(name string) (*safetensors.Tensor, error) {
	names := []string{name}
	if base, ok := strings.CutSuffix(name, "LayerNorm.weight"); ok {
		names = append(names, base+"LayerNorm.gamma")
	} else if base, ok := strings.CutSuffix(name, "LayerNorm.bias"); ok {
		names = append(names, base+"LayerNorm.beta")
	}
	for _, prefix := range []string{"", "bert.", "roberta."} {
		for _, n := range names {
			if t, ok := w.f.Tensors[prefix+n]; ok {
				return t, nil
			}
		}
	}
	return nil, fmt.Errorf("%s: missing tensor %q", w.file, name)
}

// tensor returns the tensor called name after checking its shape.
func (w *weights) tensor(name string, shape ...int) (*safetensors.Tensor, error) {
	t, err := w.find(name)
	if err != nil {
		return nil, err
	}
	if !slices.Equal(t.Shape, shape) {
		return nil, fmt.Errorf("%s: tensor %q has shape %v, want %v", w.file, t.Name, t.Shape, shape)
	}
	return t, nil
}

// matrix reads a [rows, cols] weight matrix, keeping int8 storage as it is.
func (w *weights) matrix(name string, rows, cols int) (matrix, error) {
	t, err := w.tensor(name, rows, cols)
	if err != nil {
		return matrix{}, err
	}
	m := matrix{rows: rows, cols: cols}
	if t.Dtype == safetensors.I8 {
		m.q, m.scale, err = w.quantized(t, rows)
	} else {
		m.f32, err = w.floats(t)
	}
	return m, err
}

// vector reads a float tensor of the given shape.
func (w *weights) vector(name string, shape ...int) ([]float32, error) {
	t, err := w.tensor(name, shape...)
	if err != nil {
		return nil, err
	}
	if t.Dtype == safetensors.I8 {
		return nil, fmt.Errorf("%s: tensor %q is I8, which only weight matrices may be", w.file, t.Name)
	}
	return w.floats(t)
}

// stack concatenates matrices of the same width row-wise, widening int8 to
// float32 when they are stored differently.
func stack(ms ...matrix) matrix {
	out := matrix{cols: ms[0].cols}
	quantized := true
	for _, m := range ms {
		out.rows += m.rows
		quantized = quantized && m.q != nil
	}
	for _, m := range ms {
		switch {
		case quantized:
			out.q = append(out.q, m.q...)
			out.scale = append(out.scale, m.scale...)
		case m.q != nil:
			for r := range m.rows {
				row := make([]float32, m.cols)
				m.addRow(row, r)
				out.f32 = append(out.f32, row...)
			}
		default:
			out.f32 = append(out.f32, m.f32...)
		}
	}
	return out
}

func (w *weights) floats(t *safetensors.Tensor) ([]float32, error) {
	switch t.Dtype {
	case safetensors.F32, safetensors.F16, safetensors.BF16:
		return t.Float32s()
	}
	return nil, fmt.Errorf("%s: tensor %q has dtype %s (supported: F32, F16, BF16, or I8 with a per-row F32 %q)", w.file, t.Name, t.Dtype, t.Name+".scale")
}

// quantized returns the int8 values of a [rows, ·] matrix and its per-row
// scales, the F32 tensor "<name>.scale" of shape [rows].
func (w *weights) quantized(t *safetensors.Tensor, rows int) ([]int8, []float32, error) {
	q, err := t.Int8s()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", w.file, err)
	}
	st, ok := w.f.Tensors[t.Name+".scale"]
	if !ok {
		return nil, nil, fmt.Errorf("%s: tensor %q is I8 but %q is missing", w.file, t.Name, t.Name+".scale")
	}
	if !slices.Equal(st.Shape, []int{rows}) {
		return nil, nil, fmt.Errorf("%s: tensor %q has shape %v, want [%d]", w.file, st.Name, st.Shape, rows)
	}
	if st.Dtype != safetensors.F32 {
		return nil, nil, fmt.Errorf("%s: tensor %q has dtype %s, want F32", w.file, st.Name, st.Dtype)
	}
	scale, err := st.Float32s()
	return q, scale, err
}

// load fills the model's parameters from the weights file.
func (m *model) load(w *weights, cfg *hfConfig) error {
	H, I := cfg.HiddenSize, cfg.IntermediateSize
	m.hidden, m.heads, m.intermediate = H, cfg.NumAttentionHeads, I
	m.eps = 1e-12
	if cfg.LayerNormEps != nil {
		m.eps = float32(*cfg.LayerNormEps)
	}
	types := 2
	if cfg.TypeVocabSize != nil {
		types = *cfg.TypeVocabSize
	}
	// The first error stops the reading; later calls return zero values.
	var err error
	vec := func(name string, shape ...int) []float32 {
		if err != nil {
			return nil
		}
		var v []float32
		v, err = w.vector(name, shape...)
		return v
	}
	mat := func(name string, rows, cols int) matrix {
		if err != nil {
			return matrix{}
		}
		var v matrix
		v, err = w.matrix(name, rows, cols)
		return v
	}
	m.wordEmb = mat("embeddings.word_embeddings.weight", cfg.VocabSize, H)
	if err != nil {
		return err
	}
	w.kind = "f32"
	if t, _ := w.find("embeddings.word_embeddings.weight"); t != nil {
		w.kind = map[safetensors.Dtype]string{safetensors.I8: "q8", safetensors.F32: "f32", safetensors.F16: "f16", safetensors.BF16: "bf16"}[t.Dtype]
	}
	m.posEmb = vec("embeddings.position_embeddings.weight", cfg.MaxPositionEmbeddings, H)
	if typeEmb := vec("embeddings.token_type_embeddings.weight", types, H); typeEmb != nil {
		m.typeEmb = typeEmb[:H]
	}
	m.embNormW = vec("embeddings.LayerNorm.weight", H)
	m.embNormB = vec("embeddings.LayerNorm.bias", H)
	m.layers = make([]layer, cfg.NumHiddenLayers)
	for i := range m.layers {
		l := &m.layers[i]
		p := fmt.Sprintf("encoder.layer.%d.", i)
		q, k, v := mat(p+"attention.self.query.weight", H, H), mat(p+"attention.self.key.weight", H, H), mat(p+"attention.self.value.weight", H, H)
		qb, kb, vb := vec(p+"attention.self.query.bias", H), vec(p+"attention.self.key.bias", H), vec(p+"attention.self.value.bias", H)
		if err != nil {
			return err
		}
		l.qkvW, l.qkvB = stack(q, k, v), slices.Concat(qb, kb, vb)
		l.attnOutW = mat(p+"attention.output.dense.weight", H, H)
		l.attnOutB = vec(p+"attention.output.dense.bias", H)
		l.attnNormW = vec(p+"attention.output.LayerNorm.weight", H)
		l.attnNormB = vec(p+"attention.output.LayerNorm.bias", H)
		l.ffnInW = mat(p+"intermediate.dense.weight", I, H)
		l.ffnInB = vec(p+"intermediate.dense.bias", I)
		l.ffnOutW = mat(p+"output.dense.weight", H, I)
		l.ffnOutB = vec(p+"output.dense.bias", H)
		l.ffnNormW = vec(p+"output.LayerNorm.weight", H)
		// Int8 inputs where VNNI has them, except for the query, key and
		// value projection: its input, the output of a LayerNorm, has a few
		// outlier channels that per-token bytes resolve badly (quantising it
		// too lowered the lowest reference cosine from 0.9946 to 0.9928 and
		// saved 12 % more; docs/benchmarks.md).
		for _, mm := range []*matrix{&l.qkvW, &l.attnOutW, &l.ffnInW, &l.ffnOutW} {
			mm.sumRows()
		}
		l.attnOutW.int8Inputs, l.ffnInW.int8Inputs, l.ffnOutW.int8Inputs = true, true, true
		l.ffnNormB = vec(p+"output.LayerNorm.bias", H)
	}
	return err
}

// specialIDs are the tokenizer's ids that the encoder needs.
type specialIDs struct {
	cls, sep int32 // open and close every sequence
	maxID    int32 // the largest id the tokenizer can produce
}

// tokenName is a special token in tokenizer_config.json, written either as a
// string or as an object with a "content" field.
type tokenName string

func (t *tokenName) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*t = tokenName(s)
		return nil
	}
	var o struct {
		Content string `json:"content"`
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return fmt.Errorf("special token: %w", err)
	}
	*t = tokenName(o.Content)
	return nil
}

// tokenizerConfig is the part of tokenizer_config.json that the encoder
// uses.
type tokenizerConfig struct {
	DoLowerCase          *bool     `json:"do_lower_case"`
	StripAccents         *bool     `json:"strip_accents"`
	TokenizeChineseChars *bool     `json:"tokenize_chinese_chars"`
	Unk                  tokenName `json:"unk_token"`
	CLS                  tokenName `json:"cls_token"`
	Sep                  tokenName `json:"sep_token"`
	Pad                  tokenName `json:"pad_token"`
	Mask                 tokenName `json:"mask_token"`
}

// tokenizerJSON is the part of a Hugging Face tokenizer.json that the
// encoder uses.
type tokenizerJSON struct {
	AddedTokens []struct {
		ID      int32  `json:"id"`
		Content string `json:"content"`
		Lstrip  bool   `json:"lstrip"`
		Rstrip  bool   `json:"rstrip"`
	} `json:"added_tokens"`
	Normalizer   json.RawMessage `json:"normalizer"`
	PreTokenizer json.RawMessage `json:"pre_tokenizer"`
	Model        struct {
		Type     string          `json:"type"`
		Vocab    json.RawMessage `json:"vocab"`
		Unk      *string         `json:"unk_token"`
		UnkID    *int32          `json:"unk_id"`
		Prefix   *string         `json:"continuing_subword_prefix"`
		MaxChars *int            `json:"max_input_chars_per_word"`
		Fallback bool            `json:"byte_fallback"`
	} `json:"model"`
}

// loadTokenizer builds the tokenizer: WordPiece from vocab.txt, or else
// WordPiece or Unigram from tokenizer.json, with the options of
// tokenizer_config.json.
func loadTokenizer(fsys fs.FS) (tokenizer, specialIDs, error) {
	var tc tokenizerConfig
	if _, err := readJSON(fsys, "tokenizer_config.json", &tc, true); err != nil {
		return nil, specialIDs{}, err
	}
	data, err := fs.ReadFile(fsys, "vocab.txt")
	if err == nil {
		vocab, tokens := parseVocab(string(data))
		return newWordPiece("vocab.txt", vocab, tokens, &tc, nil)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, specialIDs{}, fmt.Errorf("vocab.txt: %w", err)
	}
	var tj tokenizerJSON
	if _, err := readJSON(fsys, "tokenizer.json", &tj, false); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, specialIDs{}, errors.New("vocab.txt: not found (nor tokenizer.json)")
		}
		return nil, specialIDs{}, err
	}
	switch tj.Model.Type {
	case "WordPiece":
		var vocab map[string]int32
		if err := json.Unmarshal(tj.Model.Vocab, &vocab); err != nil {
			return nil, specialIDs{}, fmt.Errorf("tokenizer.json: model vocab: %w", err)
		}
		if tj.Model.Unk != nil {
			tc.Unk = tokenName(*tj.Model.Unk)
		}
		return newWordPiece("tokenizer.json", vocab, invertVocab(vocab), &tc, &tj)
	case "Unigram":
		return newUnigramJSON(&tj, &tc)
	}
	return nil, specialIDs{}, fmt.Errorf("tokenizer.json: tokenizer model %q is not supported (only WordPiece and Unigram)", tj.Model.Type)
}

// newWordPiece builds a WordPiece tokenizer from its vocabulary, read from
// file, with BertTokenizer's defaults for whatever tokenizer_config.json does
// not say. The special tokens split out of raw text are tokenizer.json's
// added tokens, when there is one, and the five of tokenizer_config.json.
func newWordPiece(file string, vocab map[string]int32, tokens []string, tc *tokenizerConfig, tj *tokenizerJSON) (tokenizer, specialIDs, error) {
	t := &wordPiece{vocab: vocab, tokens: tokens, prefix: "##", maxRunes: 100, lower: true, chineseChars: true}
	if tc.DoLowerCase != nil {
		t.lower = *tc.DoLowerCase
	}
	t.stripAccents = t.lower // BertTokenizer: strip_accents None follows do_lower_case
	if tc.StripAccents != nil {
		t.stripAccents = *tc.StripAccents
	}
	if tc.TokenizeChineseChars != nil {
		t.chineseChars = *tc.TokenizeChineseChars
	}
	if tj != nil {
		if tj.Model.Prefix != nil {
			t.prefix = *tj.Model.Prefix
		}
		if tj.Model.MaxChars != nil {
			t.maxRunes = *tj.Model.MaxChars
		}
	}
	names := defaultNames(tc, "[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]")
	ids, specials, err := resolveSpecials(file, t.vocab, &t.tokens, names, tj)
	if err != nil {
		return nil, specialIDs{}, err
	}
	t.unk, t.specials = ids.unk, specials
	return t, ids.specialIDs, nil
}

// newUnigramJSON builds a Unigram tokenizer from tokenizer.json.
func newUnigramJSON(tj *tokenizerJSON, tc *tokenizerConfig) (tokenizer, specialIDs, error) {
	const file = "tokenizer.json"
	if tj.Model.Fallback {
		return nil, specialIDs{}, fmt.Errorf("%s: Unigram byte_fallback is not supported", file)
	}
	var entries [][2]any
	if err := json.Unmarshal(tj.Model.Vocab, &entries); err != nil {
		return nil, specialIDs{}, fmt.Errorf("%s: model vocab: %w", file, err)
	}
	pieces, scores := make([]string, len(entries)), make([]float64, len(entries))
	for i, e := range entries {
		p, ok1 := e[0].(string)
		s, ok2 := e[1].(float64)
		if !ok1 || !ok2 {
			return nil, specialIDs{}, fmt.Errorf("%s: model vocab entry %d is not [piece, score]", file, i)
		}
		pieces[i], scores[i] = p, s
	}
	if len(pieces) == 0 {
		return nil, specialIDs{}, fmt.Errorf("%s: empty vocabulary", file)
	}
	u := newUnigram(pieces, scores, 0)
	if err := u.configure(tj.Normalizer, tj.PreTokenizer); err != nil {
		return nil, specialIDs{}, fmt.Errorf("%s: %w", file, err)
	}
	names := defaultNames(tc, "<unk>", "<s>", "</s>", "<pad>", "<mask>")
	if tj.Model.UnkID != nil && int(*tj.Model.UnkID) < len(pieces) {
		names[0] = tokenName(pieces[*tj.Model.UnkID])
	}
	ids, specials, err := resolveSpecials(file, u.vocab, &u.tokens, names, tj)
	if err != nil {
		return nil, specialIDs{}, err
	}
	u.unk, u.specials = ids.unk, specials
	for len(u.scores) < len(u.tokens) { // added tokens beyond the model's vocabulary
		u.scores = append(u.scores, 0)
	}
	return u, ids.specialIDs, nil
}

// defaultNames returns the unk, cls, sep, pad and mask tokens of
// tokenizer_config.json, with defaults for the missing ones.
func defaultNames(tc *tokenizerConfig, defaults ...tokenName) []tokenName {
	names := []tokenName{tc.Unk, tc.CLS, tc.Sep, tc.Pad, tc.Mask}
	for i := range names {
		if names[i] == "" {
			names[i] = defaults[i]
		}
	}
	return names
}

// resolvedIDs are the special ids of a vocabulary.
type resolvedIDs struct {
	specialIDs
	unk int32
}

// resolveSpecials looks up the unk, cls and sep tokens (names[0:3]) in
// vocab and lists the special tokens to split out of raw text: tokenizer.json's
// added tokens when tj is set (added to vocab and tokens when the model's
// vocabulary lacks them) and those of names present in vocab.
func resolveSpecials(file string, vocab map[string]int32, tokens *[]string, names []tokenName, tj *tokenizerJSON) (resolvedIDs, []special, error) {
	var specials []special
	if tj != nil {
		for _, a := range tj.AddedTokens {
			if a.Content == "" || a.ID < 0 {
				continue
			}
			if _, ok := vocab[a.Content]; !ok {
				vocab[a.Content] = a.ID
				for int(a.ID) >= len(*tokens) {
					*tokens = append(*tokens, "")
				}
				(*tokens)[a.ID] = a.Content
			}
			specials = append(specials, special{text: a.Content, lstrip: a.Lstrip, rstrip: a.Rstrip})
		}
	}
	for _, n := range names {
		if _, ok := vocab[string(n)]; ok && !slices.ContainsFunc(specials, func(s special) bool { return s.text == string(n) }) {
			specials = append(specials, special{text: string(n)})
		}
	}
	var ids resolvedIDs
	for i, id := range []*int32{&ids.unk, &ids.cls, &ids.sep} {
		v, ok := vocab[string(names[i])]
		if !ok {
			return resolvedIDs{}, nil, fmt.Errorf("%s: no %s token", file, names[i])
		}
		*id = v
	}
	ids.maxID = int32(len(*tokens) - 1)
	return ids, specials, nil
}

// parseVocab reads vocab.txt: one token per line, its id the line number
// from 0. Only the newline is stripped, as BertTokenizer does.
func parseVocab(data string) (map[string]int32, []string) {
	tokens := strings.SplitAfter(data, "\n")
	if tokens[len(tokens)-1] == "" {
		tokens = tokens[:len(tokens)-1]
	}
	vocab := make(map[string]int32, len(tokens))
	for i, tok := range tokens {
		tok = strings.TrimSuffix(tok, "\n")
		tokens[i] = tok
		vocab[tok] = int32(i)
	}
	return vocab, tokens
}

// invertVocab lists the tokens of a token → id map by id.
func invertVocab(vocab map[string]int32) []string {
	var top int32 = -1
	for _, id := range vocab {
		top = max(top, id)
	}
	tokens := make([]string, top+1)
	for tok, id := range vocab {
		if id >= 0 {
			tokens[id] = tok
		}
	}
	return tokens
}
