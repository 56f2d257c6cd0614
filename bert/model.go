package bert

import "math"

// The forward pass of a BERT encoder, one function per operation in the
// manner of llm.c. All matrices are flat, row-major float32 slices; the
// comments give their shapes, with n the number of tokens of the sequence,
// H the hidden size, I the intermediate (feed-forward) size and V the
// vocabulary size. Weight matrices are stored [out, in] as PyTorch stores
// them.

// model holds the parameters of an encoder.
type model struct {
	hidden, heads, intermediate int
	eps                         float32
	posOffset                   int // first position id: 0 for BERT, padding_idx+1 for XLM-R

	wordEmb  matrix    // [V, H]
	posEmb   []float32 // [P, H]
	typeEmb  []float32 // [H], the embedding of token type 0
	embNormW []float32 // [H]
	embNormB []float32 // [H]
	layers   []layer
}

// layer holds the parameters of one transformer layer.
type layer struct {
	qkvW      matrix    // [3H, H]: the query, key and value projections stacked
	qkvB      []float32 // [3H]
	attnOutW  matrix    // [H, H]
	attnOutB  []float32 // [H]
	attnNormW []float32 // [H]
	attnNormB []float32 // [H]
	ffnInW    matrix    // [I, H]
	ffnInB    []float32 // [I]
	ffnOutW   matrix    // [H, I]
	ffnOutB   []float32 // [H]
	ffnNormW  []float32 // [H]
	ffnNormB  []float32 // [H]
}

// matrix is a weight matrix [rows, cols], row-major, held either as float32
// or as int8 with one float32 scale per row (row r is q[r]·scale[r]). Int8
// matrices stay int8 in memory, a quarter of the size, and are widened to
// float32 three rows at a time as linear uses them.
type matrix struct {
	rows, cols int
	f32        []float32
	q          []int8
	scale      []float32
	qsum       []int32 // the sum of each row of q, for matmulQ8
	int8Inputs bool    // quantise the inputs too where the CPU has VNNI
}

// addRow adds row r of the matrix to dst [cols].
func (w *matrix) addRow(dst []float32, r int) {
	if w.q == nil {
		for i, v := range w.f32[r*w.cols : (r+1)*w.cols] {
			dst[i] += v
		}
		return
	}
	s := w.scale[r]
	for i, v := range w.q[r*w.cols : (r+1)*w.cols] {
		dst[i] += float32(v) * s
	}
}

// scratch holds the activations of one forward pass over a batch of
// sequences, reused across passes. The sequences are packed one after
// another, without padding: n is the number of tokens of all of them, and
// only attention and pooling see where one ends and the next begins.
type scratch struct {
	ids    []int32   // [n] the tokens of every sequence of the batch
	starts []int     // sequence b is ids[starts[b]:starts[b+1]]
	x      []float32 // [n, H] the residual stream
	qkv    []float32 // [n, 3H]
	ctx    []float32 // [n, H] attention output before its projection
	tmp    []float32 // [n, H]
	ffn    []float32 // [n, I]
	scores []float32 // [L, L] attention weights of one head of one sequence of L tokens
	vt     []float32 // [H/heads, L] the values of one head of one sequence, transposed
	wide   []float32 // [3, max(H, I)] int8 weight rows widened to float32
	u      []uint8   // [n, max(H, I)] the input of an int8 product, quantised (matmul8.go)
	sx     []float32 // [n] the scales of u's rows
	zp     []int32   // [n] the zero points of u's rows
}

func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// forward runs the encoder on the sequences in s.ids and s.starts and
// leaves the final hidden states in s.x [n, H]. Every token row goes through
// the same arithmetic whatever else is in the batch, so a sequence's states
// do not depend on its companions.
func (m *model) forward(s *scratch) []float32 {
	n, H, I := len(s.ids), m.hidden, m.intermediate
	d := H / m.heads
	longest := 0
	for b := range len(s.starts) - 1 {
		longest = max(longest, s.starts[b+1]-s.starts[b])
	}
	s.x, s.qkv, s.ctx, s.tmp = grow(s.x, n*H), grow(s.qkv, n*3*H), grow(s.ctx, n*H), grow(s.tmp, n*H)
	s.ffn, s.scores, s.vt = grow(s.ffn, n*I), grow(s.scores, longest*longest), grow(s.vt, d*longest)
	s.wide = grow(s.wide, 3*max(H, I))
	if useVNNI {
		if cap(s.u) < n*max(H, I) {
			s.u = make([]uint8, n*max(H, I))
		}
		s.sx = grow(s.sx, n)
		if cap(s.zp) < n {
			s.zp = make([]int32, n)
		}
		s.zp = s.zp[:n]
	}

	for b := range len(s.starts) - 1 {
		m.embeddings(s.x[s.starts[b]*H:], s.ids[s.starts[b]:s.starts[b+1]])
	}
	layerNorm(s.x, s.x, m.embNormW, m.embNormB, n, H, m.eps)
	for i := range m.layers {
		m.layer(&m.layers[i], s, n)
	}
	return s.x
}

// embeddings: ids [n] of one sequence → x [n, H], the sum of the word,
// position and token type (always 0) embeddings of each token.
func (m *model) embeddings(x []float32, ids []int32) {
	H := m.hidden
	for t, id := range ids {
		row := x[t*H : (t+1)*H]
		p := (m.posOffset + t) * H
		copy(row, m.posEmb[p:p+H])
		for i, v := range m.typeEmb {
			row[i] += v
		}
		m.wordEmb.addRow(row, int(id))
	}
}

// layer applies one post-norm transformer layer to s.x [n, H] in place:
//
//	x = LayerNorm(x + Attention(x)·Woᵀ + bo)
//	x = LayerNorm(x + GELU(x·W1ᵀ + b1)·W2ᵀ + b2)
func (m *model) layer(l *layer, s *scratch, n int) {
	H := m.hidden
	linear(s.qkv, s.x, &l.qkvW, l.qkvB, n, s)
	for b := range len(s.starts) - 1 {
		o, L := s.starts[b], s.starts[b+1]-s.starts[b]
		attention(s.ctx[o*H:], s.qkv[o*3*H:], s.scores, s.vt, L, H, m.heads)
	}
	linear(s.tmp, s.ctx, &l.attnOutW, l.attnOutB, n, s)
	residual(s.tmp, s.x)
	layerNorm(s.x, s.tmp, l.attnNormW, l.attnNormB, n, H, m.eps)

	linear(s.ffn, s.x, &l.ffnInW, l.ffnInB, n, s)
	gelu(s.ffn)
	linear(s.tmp, s.ffn, &l.ffnOutW, l.ffnOutB, n, s)
	residual(s.tmp, s.x)
	layerNorm(s.x, s.tmp, l.ffnNormW, l.ffnNormB, n, H, m.eps)
}

// linear: x [n, in] → y [n, out] = x·Wᵀ + b, with W [out, in] and b [out].
// An int8 W multiplies quantised activations where the CPU has VNNI
// (matmul8.go), else float32 ones with W widened in s.wide.
func linear(y, x []float32, w *matrix, b []float32, n int, s *scratch) {
	in, out := w.cols, w.rows
	switch {
	case w.q == nil:
		matmulT(y, out, x, in, w.f32, in, n, out, in)
	case useVNNI && w.int8Inputs:
		quantizeRows(s.u, s.sx, s.zp, x, in, n, in)
		matmulQ8(y, out, s.u, s.sx, s.zp, w, n)
	default:
		matmulQ(y, out, x, in, w, n, s.wide)
	}
	for t := range n {
		row := y[t*out : (t+1)*out]
		for j, v := range b[:out] {
			row[j] += v
		}
	}
}

// attention is multi-head scaled dot-product self-attention over the n
// tokens of one sequence. Sequences are packed without padding, so no mask
// is needed: a token attends to its own sequence's tokens only.
//
//	qkv [n, 3H], each row q | k | v, each of those split into heads of d = H/heads
//	out [n, H], out[:, h·d:(h+1)·d] = softmax(q_h·k_hᵀ / √d) · v_h
//
// scores [n, n] and vt [d, n] are scratch.
func attention(out, qkv, scores, vt []float32, n, H, heads int) {
	d := H / heads
	scale := float32(1 / math.Sqrt(float64(d)))
	for h := range heads {
		q, k, v := qkv[h*d:], qkv[H+h*d:], qkv[2*H+h*d:]
		matmulT(scores, n, q, 3*H, k, 3*H, n, n, d) // [n, n] = q_h·k_hᵀ
		for i := range n {
			softmax(scores[i*n:(i+1)*n], scale)
		}
		for j := range n { // vt [d, n] = v_hᵀ
			for c := range d {
				vt[c*n+j] = v[j*3*H+c]
			}
		}
		matmulT(out[h*d:], H, scores, n, vt, n, n, d, n) // [n, d] = scores·v_h
	}
}

// softmax replaces x [n] by softmax(scale·x), subtracting the maximum first
// so that exp cannot overflow.
func softmax(x []float32, scale float32) {
	top := x[0]
	for _, v := range x[1:] {
		if v > top {
			top = v
		}
	}
	n, sum := expVec(x, top, scale)
	for i, v := range x[n:] {
		e := exp32((v - top) * scale)
		x[n+i] = e
		sum += e
	}
	inv := 1 / sum
	for i := range x {
		x[i] *= inv
	}
}

// residual: y [n·H] += x [n·H].
func residual(y, x []float32) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] += v
	}
}

// layerNorm: x [n, H] → y [n, H], each row normalised to zero mean and unit
// variance (the biased variance, plus eps) and then scaled by w [H] and
// shifted by b [H]. y may be x.
func layerNorm(y, x, w, b []float32, n, H int, eps float32) {
	w, b = w[:H], b[:H]
	for t := range n {
		in, out := x[t*H:(t+1)*H], y[t*H:(t+1)*H]
		var mean float32
		for _, v := range in {
			mean += v
		}
		mean /= float32(H)
		var variance float32
		for _, v := range in {
			variance += (v - mean) * (v - mean)
		}
		variance /= float32(H)
		inv := float32(1 / math.Sqrt(float64(variance+eps)))
		for i, v := range in {
			out[i] = (v-mean)*inv*w[i] + b[i]
		}
	}
}

// gelu applies GELU(x) = x·Φ(x) = x/2·(1 + erf(x/√2)) in place, the exact
// form BERT uses (not the tanh approximation).
func gelu(x []float32) {
	n := geluVec(x)
	for i, v := range x[n:] {
		x[n+i] = 0.5 * v * (1 + erf32(v*math.Sqrt2/2))
	}
}

// pool reduces the hidden states x [n, H] to one vector out [H]: the mean of
// all rows, the first row (the [CLS] token) or the element-wise maximum.
func pool(out, x []float32, n, H int, mode pooling) {
	switch mode {
	case poolCLS:
		copy(out, x[:H])
	case poolMax:
		copy(out, x[:H])
		for t := 1; t < n; t++ {
			for i, v := range x[t*H : (t+1)*H] {
				out[i] = max(out[i], v)
			}
		}
	default:
		clear(out[:H])
		for t := range n {
			for i, v := range x[t*H : (t+1)*H] {
				out[i] += v
			}
		}
		inv := 1 / float32(n)
		for i := range out[:H] {
			out[i] *= inv
		}
	}
}

// normalize scales v to unit Euclidean length; a zero vector stays zero.
func normalize(v []float32) {
	var ss float64
	for _, x := range v {
		ss += float64(x) * float64(x)
	}
	if ss == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(ss))
	for i := range v {
		v[i] *= inv
	}
}

// exp32 is e^x in float32 to about 2 ulp: x = k·ln2 + r with |r| ≤ ln2/2,
// e^r by its Taylor polynomial of degree 7, and 2^k put in the exponent.
// It returns 0 below -87.3 (where float32 results become subnormal).
func exp32(x float32) float32 {
	const (
		log2e = 1.44269504088896341
		ln2hi = 0.693359375 // ln 2 split so that k·ln2hi is exact
		ln2lo = -2.12194440e-4
		round = 12582912 // 1.5·2²³: adding it rounds a float32 to an integer
	)
	if !(x >= -87.3) { // also NaN
		if x != x {
			return x
		}
		return 0
	}
	if x > 88.7 {
		return float32(math.Inf(1))
	}
	t := x*log2e + round
	k := t - round
	r := x - k*ln2hi - k*ln2lo
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720+r*(1.0/5040)))))))
	// The low bits of t hold k; adding them to the exponent of p scales by 2^k.
	return math.Float32frombits(math.Float32bits(p) + (math.Float32bits(t)-math.Float32bits(round))<<23)
}

// erf32 is the error function in float32 to about 5e-7 absolute, by
// Abramowitz and Stegun's formula 7.1.26:
// erf(x) = 1 − (a1·t + a2·t² + a3·t³ + a4·t⁴ + a5·t⁵)·e^(−x²), t = 1/(1 + p·x), x ≥ 0,
// extended to negative x by symmetry. Beyond |x| = 4 it is ±1 in float32.
func erf32(x float32) float32 {
	const (
		p  = 0.3275911
		a1 = 0.254829592
		a2 = -0.284496736
		a3 = 1.421413741
		a4 = -1.453152027
		a5 = 1.061405429
	)
	ax := math.Float32frombits(math.Float32bits(x) &^ (1 << 31))
	if ax > 4 {
		return math.Float32frombits(math.Float32bits(1) | math.Float32bits(x)&(1<<31))
	}
	t := 1 / (1 + p*ax)
	y := 1 - t*(a1+t*(a2+t*(a3+t*(a4+t*a5))))*exp32(-ax*ax)
	return math.Float32frombits(math.Float32bits(y) | math.Float32bits(x)&(1<<31))
}
