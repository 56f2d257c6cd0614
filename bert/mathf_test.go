package bert

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestExp32 compares the fast exponential with math.Exp over its range.
func TestExp32(t *testing.T) {
	worst := 0.0
	for x := -87.0; x <= 88.5; x += 0.00731 {
		got, want := float64(exp32(float32(x))), math.Exp(float64(float32(x)))
		if rel := math.Abs(got-want) / want; rel > worst {
			worst = rel
		}
	}
	if worst > 5e-7 {
		t.Errorf("exp32: worst relative error %.3g, want ≤ 5e-7", worst)
	}
	if exp32(-100) != 0 || !math.IsInf(float64(exp32(100)), 1) || !math.IsNaN(float64(exp32(float32(math.NaN())))) {
		t.Errorf("exp32 edge cases: %g %g %g", exp32(-100), exp32(100), exp32(float32(math.NaN())))
	}
}

// TestErf32 compares the fast error function with math.Erf.
func TestErf32(t *testing.T) {
	worst := 0.0
	for x := -6.0; x <= 6; x += 0.00037 {
		if d := math.Abs(float64(erf32(float32(x))) - math.Erf(float64(float32(x)))); d > worst {
			worst = d
		}
	}
	if worst > 6e-7 {
		t.Errorf("erf32: worst absolute error %.3g, want ≤ 6e-7", worst)
	}
}

// TestGELU checks gelu, whose vector form handles the multiple-of-8 prefix
// and the scalar form the tail, against the scalar form and the exact
// definition, on awkward lengths.
func TestGELU(t *testing.T) {
	for _, asm := range []bool{false, true} {
		defer UseAsm(asm)()
		testGELU(t)
	}
}

func testGELU(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 7, 8, 9, 31, 33, 1537} {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(rng.NormFloat64() * 3)
		}
		x[0] = -12 // saturated erf
		y := append([]float32(nil), x...)
		gelu(y)
		for i, v := range x {
			scalar := 0.5 * v * (1 + erf32(v*math.Sqrt2/2))
			exact := float64(v) * 0.5 * (1 + math.Erf(float64(v)/math.Sqrt2))
			tol := 1e-6 * math.Max(1, math.Abs(float64(v)))
			if math.Abs(float64(y[i]-scalar)) > tol || math.Abs(float64(y[i])-exact) > tol {
				t.Errorf("asm=%v n=%d gelu(%g) = %g, scalar %g, exact %g", useAVX2, n, v, y[i], scalar, exact)
			}
		}
	}
}

// TestSoftmax checks softmax (vector prefix and scalar tail) against a
// float64 softmax on awkward lengths, including very negative scores.
func TestSoftmax(t *testing.T) {
	for _, asm := range []bool{false, true} {
		defer UseAsm(asm)()
		testSoftmax(t)
	}
}

func testSoftmax(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{1, 5, 8, 13, 64, 177} {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(rng.NormFloat64() * 20)
		}
		x[n/2] = -1e30
		const scale = 0.17677669 // 1/√32
		want := make([]float64, n)
		top, sum := math.Inf(-1), 0.0
		for _, v := range x {
			top = math.Max(top, float64(v))
		}
		for i, v := range x {
			want[i] = math.Exp((float64(v) - top) * scale)
			sum += want[i]
		}
		softmax(x, scale)
		for i := range x {
			if d := math.Abs(float64(x[i]) - want[i]/sum); d > 1e-6 {
				t.Errorf("asm=%v n=%d softmax[%d] = %g, want %g", useAVX2, n, i, x[i], want[i]/sum)
			}
		}
	}
}

// TestWiden checks the int8 to float32 conversion, vector prefix and scalar
// tail, with and without assembly.
func TestWiden(t *testing.T) {
	for _, asm := range []bool{false, true} {
		defer UseAsm(asm)()
		for _, n := range []int{1, 7, 8, 9, 17, 384, 385} {
			q := make([]int8, n)
			for i := range q {
				q[i] = int8(i*37%255 - 127)
			}
			q[0] = -128
			dst := make([]float32, n+1)
			dst[n] = 42
			widen(dst, q, 0.25)
			for i, v := range q {
				if dst[i] != float32(v)*0.25 {
					t.Fatalf("asm=%v n=%d widen[%d] = %g, want %g", useAVX2, n, i, dst[i], float32(v)*0.25)
				}
			}
			if dst[n] != 42 {
				t.Fatalf("asm=%v n=%d: widen wrote past its input", useAVX2, n)
			}
		}
	}
}

// TestExpVec checks the vector exponential used by softmax against math.Exp,
// to the accuracy of exp32.
func TestExpVec(t *testing.T) {
	if !haveAsmKernel() {
		t.Skip("no vector exponential on this CPU or architecture")
	}
	x := make([]float32, 8*2000)
	for i := range x {
		x[i] = -86 * float32(i) / float32(len(x)) // arguments above the clamp at -87.3
	}
	want := make([]float64, len(x))
	sum := 0.0
	for i, v := range x {
		want[i] = math.Exp(float64(v - 0.5)) // the argument rounded to float32, as expVec sees it
		sum += want[i]
	}
	n, got := expVec(x, 0.5, 1)
	if n != len(x) {
		t.Fatalf("expVec did %d of %d", n, len(x))
	}
	for i, v := range x {
		if rel := math.Abs(float64(v)-want[i]) / want[i]; rel > 5e-7 {
			t.Fatalf("exp(%g) = %g, want %g (relative error %.2g)", math.Log(want[i]), v, want[i], rel)
		}
	}
	if rel := math.Abs(float64(got)-sum) / sum; rel > 1e-6 {
		t.Errorf("sum %g, want %g", got, sum)
	}
}
