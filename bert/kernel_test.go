package bert

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// kernel is one of the dot-product kernels this CPU can run.
type kernel struct {
	name   string
	asm    bool // useAVX2
	avx512 bool // useAVX512
}

func kernels() []kernel {
	ks := []kernel{{name: "go"}}
	if haveAsmKernel() {
		ks = append(ks, kernel{name: "avx2", asm: true})
	}
	if haveAVX512() {
		ks = append(ks, kernel{name: "avx512", asm: true, avx512: true})
	}
	return ks
}

// use switches to the kernel until the returned function restores the
// previous one.
func (k kernel) use() (restore func()) {
	saved, saved512 := useAVX2, useAVX512
	useAVX2, useAVX512 = k.asm, k.avx512
	return func() { useAVX2, useAVX512 = saved, saved512 }
}

// TestKernelAsmMatchesGo checks each assembly kernel against the portable
// one on random rows of awkward lengths, including tails shorter than a
// vector of either width.
func TestKernelAsmMatchesGo(t *testing.T) {
	ks := kernels()[1:]
	if len(ks) == 0 {
		t.Skip("no assembly kernel for this CPU or architecture")
	}
	for _, kern := range ks {
		t.Run(kern.name, func(t *testing.T) {
			defer kern.use()()
			testKernel(t)
		})
	}
}

func testKernel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	lengths := []int{47, 48, 49, 63, 64, 65, 100, 383, 384, 385, 1535, 1536, 1537}
	for k := 1; k <= 33; k++ {
		lengths = append(lengths, k)
	}
	for _, k := range lengths {
		rows := make([][]float32, 7)
		for r := range rows {
			// Each row is a sub-slice with spare capacity after it, filled
			// with NaN: the kernel must never read past the row.
			buf := make([]float32, k+16)
			for i := range buf {
				buf[i] = float32(math.NaN())
			}
			for i := range k {
				buf[i] = float32(rng.NormFloat64())
			}
			rows[r] = buf[:k]
		}
		var want, got [12]float32
		dot4x3Go(rows[0], rows[1], rows[2], rows[3], rows[4], rows[5], rows[6], &want)
		dot4x3Asm(rows[0], rows[1], rows[2], rows[3], rows[4], rows[5], rows[6], &got)
		for i := range want {
			if d := math.Abs(float64(got[i] - want[i])); d > 1e-5*math.Sqrt(float64(k))*4 || math.IsNaN(float64(got[i])) {
				t.Errorf("k=%d out[%d]: asm %g, go %g", k, i, got[i], want[i])
			}
		}
	}
}

// TestMatmulT checks the blocked driver, with either kernel, against a
// plain triple loop on shapes that leave partial blocks in every direction.
func TestMatmulT(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, kern := range kernels() {
		restore := kern.use()
		name := kern.name
		for _, sh := range [][3]int{{1, 1, 1}, {1, 3, 8}, {4, 3, 8}, {5, 4, 9}, {14, 38, 33}, {13, 7, 64}, {2, 2, 3}} {
			n, m, k := sh[0], sh[1], sh[2]
			xs, ws, ys := k+2, k+1, m+3 // strides wider than the rows
			x := make([]float32, n*xs)
			w := make([]float32, m*ws)
			y := make([]float32, n*ys)
			for i := range x {
				x[i] = float32(rng.NormFloat64())
			}
			for i := range w {
				w[i] = float32(rng.NormFloat64())
			}
			for i := range y {
				y[i] = 42 // cells outside [n, m] must stay untouched
			}
			matmulT(y, ys, x, xs, w, ws, n, m, k)
			eachResult(t, fmt.Sprint(name, sh), y, ys, n, m, func(i, j int, got float32) {
				var want float64
				for p := range k {
					want += float64(x[i*xs+p]) * float64(w[j*ws+p])
				}
				if math.Abs(float64(got)-want) > 1e-4 {
					t.Errorf("%s %v: y[%d][%d] = %g, want %g", name, sh, i, j, got, want)
				}
			})
		}
		restore()
	}
}

// BenchmarkKernel measures each kernel alone on rows of 384 floats that stay
// in the L1 cache, in multiply-adds per second.
func BenchmarkKernel(b *testing.B) {
	const k = 384
	rows := make([][]float32, 7)
	for i := range rows {
		rows[i] = make([]float32, k)
		for j := range rows[i] {
			rows[i][j] = float32(j%7) * 0.1
		}
	}
	for _, kern := range kernels() {
		b.Run(kern.name, func(b *testing.B) {
			defer kern.use()()
			var out [12]float32
			for b.Loop() {
				dot4x3(rows[0], rows[1], rows[2], rows[3], rows[4], rows[5], rows[6], &out)
			}
			b.ReportMetric(float64(b.N)*12*k/b.Elapsed().Seconds()/1e9, "GMAC/s")
		})
	}
}

// TestKernelVNNIMatchesGo checks the int8 kernel against the portable one on
// random bytes of every length from 1 to 130 and around the weights' widths,
// exactly (the sums are integers).
func TestKernelVNNIMatchesGo(t *testing.T) {
	if !haveVNNI() {
		t.Skip("no AVX-512 VNNI on this CPU or architecture")
	}
	rng := rand.New(rand.NewPCG(9, 10))
	lengths := []int{191, 192, 193, 383, 384, 385, 1535, 1536, 1537}
	for k := 1; k <= 130; k++ {
		lengths = append(lengths, k)
	}
	for _, k := range lengths {
		// Rows with spare capacity after them, filled with 0xff: the kernel
		// must never read past the row.
		var xs [4][]uint8
		var ws [3][]int8
		for r := range xs {
			buf := make([]uint8, k+64)
			for i := range buf {
				buf[i] = 0xff
			}
			for i := range k {
				buf[i] = uint8(rng.IntN(256))
			}
			xs[r] = buf[:k]
		}
		for r := range ws {
			buf := make([]int8, k+64)
			for i := range buf {
				buf[i] = -1
			}
			for i := range k {
				buf[i] = int8(rng.IntN(256) - 128)
			}
			ws[r] = buf[:k]
		}
		var want, got [12]int32
		dot4x3Q8Go(xs[0], xs[1], xs[2], xs[3], ws[0], ws[1], ws[2], &want)
		dot4x3Q8Asm(xs[0], xs[1], xs[2], xs[3], ws[0], ws[1], ws[2], &got)
		if got != want {
			t.Errorf("k=%d: vnni %v, go %v", k, got, want)
		}
	}
}

// TestMatmulQ8 checks the int8 product, with either kernel, against the
// float product of the dequantised matrix on shapes with partial blocks:
// within the rounding of the activations to 8 bits.
func TestMatmulQ8(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, vnni := range []bool{false, true} {
		if vnni && !haveVNNI() {
			continue
		}
		saved := useVNNI
		useVNNI = vnni
		for _, sh := range [][3]int{{1, 1, 1}, {1, 3, 8}, {4, 3, 64}, {5, 4, 65}, {14, 38, 130}, {13, 7, 384}, {2, 2, 3}} {
			n, m, k := sh[0], sh[1], sh[2]
			w := matrix{rows: m, cols: k, q: make([]int8, m*k), scale: make([]float32, m)}
			for i := range w.q {
				w.q[i] = int8(rng.IntN(255) - 127)
			}
			for j := range w.scale {
				w.scale[j] = float32(rng.Float64()*0.01 + 0.001)
			}
			w.sumRows()
			x := make([]float32, n*k)
			for i := range x {
				x[i] = float32(rng.NormFloat64()) + 0.5 // skewed, as after GELU
			}
			u, sx, zp := make([]uint8, n*k), make([]float32, n), make([]int32, n)
			quantizeRows(u, sx, zp, x, k, n, k)
			ys := m + 2
			y := make([]float32, n*ys)
			for i := range y {
				y[i] = 42
			}
			matmulQ8(y, ys, u, sx, zp, &w, n)
			eachResult(t, fmt.Sprint("vnni=", vnni, sh), y, ys, n, m, func(i, j int, got float32) {
				var want, bound float64
				for p := range k {
					wv := float64(w.q[j*k+p]) * float64(w.scale[j])
					want += float64(x[i*k+p]) * wv
					bound += math.Abs(wv) * float64(sx[i]) / 2 // half a step per element
				}
				if math.Abs(float64(got)-want) > bound+1e-5 {
					t.Errorf("vnni=%v %v: y[%d][%d] = %g, want %g ± %g", vnni, sh, i, j, got, want, bound)
				}
			})
		}
		useVNNI = saved
	}
}

// TestQuantizeRowsVecMatchesGo checks the vector quantiser against the Go
// loop on rows of awkward lengths, one of them all zeros: the same scales
// and zero points, bytes within one (the vector form fuses the multiply-add,
// which can round a half the other way).
func TestQuantizeRowsVecMatchesGo(t *testing.T) {
	if !haveVNNI() {
		t.Skip("no AVX-512 VNNI on this CPU or architecture")
	}
	rng := rand.New(rand.NewPCG(13, 14))
	defer func(saved bool) { useVNNI = saved }(useVNNI)
	for _, k := range []int{1, 15, 16, 17, 31, 33, 64, 383, 384, 1537} {
		const n = 3
		x := make([]float32, n*k)
		for i := k; i < len(x); i++ { // row 0 stays zero
			x[i] = float32(rng.NormFloat64()*3) + float32(i%2)
		}
		var u [2][]uint8
		var sx [2][]float32
		var zp [2][]int32
		for v, on := range []bool{false, true} {
			useVNNI = on
			u[v], sx[v], zp[v] = make([]uint8, n*k+8), make([]float32, n), make([]int32, n)
			quantizeRows(u[v], sx[v], zp[v], x, k, n, k)
		}
		if !slices.Equal(sx[0], sx[1]) || !slices.Equal(zp[0], zp[1]) {
			t.Errorf("k=%d: scales %v / %v, zero points %v / %v", k, sx[0], sx[1], zp[0], zp[1])
		}
		for i := range u[0] {
			if d := int(u[0][i]) - int(u[1][i]); d < -1 || d > 1 || i >= n*k && d != 0 {
				t.Fatalf("k=%d: u[%d] = %d by Go, %d by the vector form", k, i, u[0][i], u[1][i])
			}
		}
	}
}

// eachResult calls check with every cell of the result [n, m] in y (row
// stride ys) and fails if a cell beyond m, which starts at 42, was written.
func eachResult(t *testing.T, label string, y []float32, ys, n, m int, check func(i, j int, got float32)) {
	t.Helper()
	for i := range n {
		for j := range ys {
			got := y[i*ys+j]
			if j >= m {
				if got != 42 {
					t.Fatalf("%s: y[%d][%d] written outside the result", label, i, j)
				}
				continue
			}
			check(i, j, got)
		}
	}
}
