package bert

import (
	"math"
	"math/rand/v2"
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
			for i := range n {
				for j := range ys {
					got := y[i*ys+j]
					if j >= m {
						if got != 42 {
							t.Fatalf("%s %v: y[%d][%d] written outside the result", name, sh, i, j)
						}
						continue
					}
					var want float64
					for p := range k {
						want += float64(x[i*xs+p]) * float64(w[j*ws+p])
					}
					if math.Abs(float64(got)-want) > 1e-4 {
						t.Errorf("%s %v: y[%d][%d] = %g, want %g", name, sh, i, j, got, want)
					}
				}
			}
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
