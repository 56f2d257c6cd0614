package bert

// Int8 matrix products for CPUs with AVX-512 VNNI, whose VPDPBUSD does 64
// multiply-adds of unsigned by signed bytes an instruction, four times the
// float32 rate. The activations x are quantised per token row to bytes:
// x[t] ≈ sx[t]·(u[t] − 128) with u in [1, 255] and sx[t] = max|x[t]|/127,
// so that with int8 weights w[j] = scale[j]·q[j]
//
//	x[t]·w[j] ≈ sx[t]·scale[j]·(Σ u[t]·q[j] − 128·Σ q[j])
//
// where Σ u·q is exact in int32 and Σ q[j] is kept with the matrix (qsum).
// Each token's row is quantised alone, so a question's vector still does not
// depend on the rest of its batch.

// quantizeRows quantises the n rows of x [n, k] (row stride xs) into
// u [n, k], each row with its own scale sx and zero point zp (asymmetric:
// the row's minimum maps to 0 and its maximum to 255), x ≈ sx·(u − zp).
func quantizeRows(u []uint8, sx []float32, zp []int32, x []float32, xs, n, k int) {
	for t := range n {
		row, out := x[t*xs:t*xs+k], u[t*k:(t+1)*k]
		lo, hi, v := minMaxVec(row)
		if v == 0 {
			lo, hi = row[0], row[0]
		}
		for _, x := range row[v:] {
			lo, hi = min(lo, x), max(hi, x)
		}
		lo, hi = min(lo, 0), max(hi, 0) // zero stays exact
		if hi == lo {
			clear(out)
			sx[t], zp[t] = 0, 0
			continue
		}
		scale := (hi - lo) / 255
		inv := 1 / scale
		z := int32(-lo*inv + 0.5)
		// x·inv + z is in [0, 255] but for rounding: adding 0.5 and
		// truncating rounds it.
		off := float32(z) + 0.5
		for i := quantizeVec(out, row, inv, off); i < k; i++ {
			out[i] = uint8(min(max(int32(row[i]*inv+off), 0), 255))
		}
		sx[t], zp[t] = scale, z
	}
}

// matmulQ8 computes y = x·wᵀ (y row stride ys) from the quantised rows u
// [n, k] with scales sx [n] of x and the int8 matrix w [m, k]. The tokens are
// taken in tiles of about tileBytes of u, as in matmulQ.
func matmulQ8(y []float32, ys int, u []uint8, sx []float32, zp []int32, w *matrix, n int) {
	m, k := w.rows, w.cols
	if n <= 0 || m <= 0 || k == 0 {
		matmulT(y, ys, nil, 0, nil, 0, n, m, k)
		return
	}
	_ = u[n*k-1]
	_ = y[(n-1)*ys+m-1]
	scale, qsum := w.scale[:m], w.qsum[:m]
	tile := max(4, tileBytes/k&^3)
	var out [12]int32
	for t0 := 0; t0 < n; t0 += tile {
		t1 := min(t0+tile, n)
		for j := 0; j < m; j += 3 {
			j1, j2 := min(j+1, m-1), min(j+2, m-1)
			w0, w1, w2 := w.q[j*k:(j+1)*k], w.q[j1*k:(j1+1)*k], w.q[j2*k:(j2+1)*k]
			cols := min(3, m-j)
			for i := t0; i < t1; i += 4 {
				i1, i2, i3 := min(i+1, t1-1), min(i+2, t1-1), min(i+3, t1-1)
				dot4x3Q8(u[i*k:(i+1)*k], u[i1*k:(i1+1)*k], u[i2*k:(i2+1)*k], u[i3*k:(i3+1)*k], w0, w1, w2, &out)
				for a := range min(4, t1-i) {
					s, z := sx[i+a], zp[i+a]
					yr := y[(i+a)*ys+j : (i+a)*ys+j+cols]
					for b := range yr {
						yr[b] = s * scale[j+b] * float32(out[3*a+b]-z*qsum[j+b])
					}
				}
			}
		}
	}
}

// dot4x3Q8 is dot4x3 on bytes: out[3·i+j] = Σ x_i·w_j with x unsigned and w
// signed, exact in int32. All seven slices have the same length.
func dot4x3Q8(x0, x1, x2, x3 []uint8, w0, w1, w2 []int8, out *[12]int32) {
	if useVNNI {
		dot4x3Q8Asm(x0, x1, x2, x3, w0, w1, w2, out)
		return
	}
	dot4x3Q8Go(x0, x1, x2, x3, w0, w1, w2, out)
}

// dot4x3Q8Go is the portable form of dot4x3Q8, the reference its assembly is
// tested against.
func dot4x3Q8Go(x0, x1, x2, x3 []uint8, w0, w1, w2 []int8, out *[12]int32) {
	*out = [12]int32{}
	for i, x := range [4][]uint8{x0, x1, x2, x3} {
		for j, w := range [3][]int8{w0, w1, w2} {
			var s int32
			for p, v := range w {
				s += int32(x[p]) * int32(v)
			}
			out[3*i+j] = s
		}
	}
}

// sumRows sets w.qsum, the sum of each row of an int8 matrix.
func (w *matrix) sumRows() {
	if w.q == nil {
		return
	}
	w.qsum = make([]int32, w.rows)
	for r := range w.rows {
		var s int32
		for _, v := range w.q[r*w.cols : (r+1)*w.cols] {
			s += int32(v)
		}
		w.qsum[r] = s
	}
}
