package bert

// dot4x3 computes the twelve dot products of four rows of x with three rows
// of w: out[3·i+j] = x_i · w_j. All seven slices have the same length. It is
// where the encoder spends most of its time: in assembly (AVX2 and FMA) when
// the CPU has it, in Go otherwise.
func dot4x3(x0, x1, x2, x3, w0, w1, w2 []float32, out *[12]float32) {
	if useAVX2 {
		dot4x3Asm(x0, x1, x2, x3, w0, w1, w2, out)
		return
	}
	dot4x3Go(x0, x1, x2, x3, w0, w1, w2, out)
}

// matmulT computes y = x·wᵀ on row-major matrices with row strides:
//
//	x [n, k] (row stride xs), w [m, k] (row stride ws) → y [n, m] (row stride ys)
//	y[i·ys + j] = Σ_p x[i·xs + p] · w[j·ws + p]
//
// The loops walk three rows of w at a time and, for each, every block of four
// rows of x, so a weight row is read from memory once per call and reused from
// the L1 cache for all tokens. At the edges the last row is repeated to fill
// the block and the extra results are dropped.
func matmulT(y []float32, ys int, x []float32, xs int, w []float32, ws int, n, m, k int) {
	if n <= 0 || m <= 0 {
		return
	}
	if k == 0 {
		for i := range n {
			clear(y[i*ys : i*ys+m])
		}
		return
	}
	_ = x[(n-1)*xs+k-1]
	_ = w[(m-1)*ws+k-1]
	_ = y[(n-1)*ys+m-1]
	row := func(a []float32, stride, i, last int) []float32 {
		i = min(i, last)
		return a[i*stride : i*stride+k]
	}
	for j := 0; j < m; j += 3 {
		rowBlock(y, ys, x, xs, n, j, m, row(w, ws, j, m-1), row(w, ws, j+1, m-1), row(w, ws, j+2, m-1))
	}
}

// matmulQ is matmulT for an int8 matrix w [m, k] (k = w.cols, x row stride
// xs, y row stride ys): each block of three weight rows is widened to
// float32 (q·scale) into wide [3k], where it stays in the L1 cache while
// every block of tokens uses it. The tokens are taken in tiles of about
// tileBytes of x, so that a batch of many tokens is read from the L2 cache
// rather than from memory for every block of weight rows.
func matmulQ(y []float32, ys int, x []float32, xs int, w *matrix, n int, wide []float32) {
	m, k := w.rows, w.cols
	if n <= 0 || m <= 0 || k == 0 {
		matmulT(y, ys, x, xs, nil, 0, n, m, k)
		return
	}
	_ = x[(n-1)*xs+k-1]
	_ = y[(n-1)*ys+m-1]
	w0, w1, w2 := wide[:k], wide[k:2*k], wide[2*k:3*k]
	tile := max(4, tileBytes/(4*k)&^3)
	for t0 := 0; t0 < n; t0 += tile {
		nt := min(tile, n-t0)
		for j := 0; j < m; j += 3 {
			for r, dst := range [3][]float32{w0, w1, w2} {
				jr := min(j+r, m-1)
				widen(dst, w.q[jr*k:(jr+1)*k], w.scale[jr])
			}
			rowBlock(y[t0*ys:], ys, x[t0*xs:], xs, nt, j, m, w0, w1, w2)
		}
	}
}

// tileBytes is how much of x one pass of matmulQ over the weights reads: a
// part of the L2 cache.
const tileBytes = 192 << 10

// rowBlock computes columns j, j+1, j+2 (those below m) of y = x·wᵀ from the
// three weight rows w0, w1, w2 of length k, for every block of four of the n
// rows of x.
func rowBlock(y []float32, ys int, x []float32, xs int, n, j, m int, w0, w1, w2 []float32) {
	k := len(w0)
	row := func(i int) []float32 {
		i = min(i, n-1)
		return x[i*xs : i*xs+k]
	}
	var out [12]float32
	for i := 0; i < n; i += 4 {
		dot4x3(row(i), row(i+1), row(i+2), row(i+3), w0, w1, w2, &out)
		for a := 0; a < 4 && i+a < n; a++ {
			yr := y[(i+a)*ys+j:]
			for b := 0; b < 3 && j+b < m; b++ {
				yr[b] = out[3*a+b]
			}
		}
	}
}

// widen sets dst[i] = float32(q[i])·scale.
func widen(dst []float32, q []int8, scale float32) {
	n := widenVec(dst, q, scale)
	dst = dst[:len(q)]
	for i := n; i < len(q); i++ {
		dst[i] = float32(q[i]) * scale
	}
}

// dot4x3Go is the portable kernel.
func dot4x3Go(x0, x1, x2, x3, w0, w1, w2 []float32, out *[12]float32) {
	k := len(w0)
	x0, x1, x2, x3, w1, w2 = x0[:k], x1[:k], x2[:k], x3[:k], w1[:k], w2[:k]
	var s00, s01, s02, s10, s11, s12, s20, s21, s22, s30, s31, s32 float32
	for p, a := range w0 {
		b, c := w1[p], w2[p]
		v := x0[p]
		s00 += v * a
		s01 += v * b
		s02 += v * c
		v = x1[p]
		s10 += v * a
		s11 += v * b
		s12 += v * c
		v = x2[p]
		s20 += v * a
		s21 += v * b
		s22 += v * c
		v = x3[p]
		s30 += v * a
		s31 += v * b
		s32 += v * c
	}
	*out = [12]float32{s00, s01, s02, s10, s11, s12, s20, s21, s22, s30, s31, s32}
}
