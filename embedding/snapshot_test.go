package embedding

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/vrrec/vrrec"
)

// halfValue is the value of half-precision bits, computed from the IEEE 754
// definition.
func halfValue(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h >> 10 & 0x1f)
	mant := float64(h & 0x3ff)
	switch exp {
	case 0:
		return sign * mant * math.Pow(2, -24)
	case 0x1f:
		if mant != 0 {
			return math.NaN()
		}
		return sign * math.Inf(1)
	}
	return sign * (1 + mant/1024) * math.Pow(2, float64(exp-15))
}

func TestHalfPrecisionRoundTrip(t *testing.T) {
	for h := range 1 << 16 {
		want := halfValue(uint16(h))
		got := float64(fromHalf(uint16(h)))
		if math.IsNaN(want) {
			if !math.IsNaN(got) {
				t.Fatalf("fromHalf(%#04x) = %v, want NaN", h, got)
			}
			continue
		}
		if got != want {
			t.Fatalf("fromHalf(%#04x) = %v, want %v", h, got, want)
		}
		if back := toHalf(float32(want)); back != uint16(h) && want != 0 {
			t.Fatalf("toHalf(%v) = %#04x, want %#04x", want, back, h)
		}
	}
}

// toHalf rounds to the nearest representable value.
func TestToHalfRoundsToNearest(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		x := float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(9)-6)))
		h := toHalf(x)
		got := math.Abs(float64(fromHalf(h)) - float64(x))
		for _, n := range []uint16{h - 1, h + 1} {
			if v := halfValue(n); !math.IsNaN(v) && !math.IsInf(v, 0) && math.Signbit(v) == math.Signbit(float64(x)) {
				if d := math.Abs(v - float64(x)); d < got {
					t.Fatalf("toHalf(%v) = %v, but %v is nearer", x, fromHalf(h), v)
				}
			}
		}
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	vecs := map[string][]float32{}
	for i := range 50 {
		v := make([]float64, 384)
		for j := range v {
			v[j] = r.NormFloat64()
		}
		vecs[vrrec.TextKey(string(rune('a'+i)))] = Normalize(v)
	}
	var buf bytes.Buffer
	if err := WriteSnapshot(&buf, "bert:test", vecs); err != nil {
		t.Fatal(err)
	}
	model, got, err := ReadSnapshot(bytes.NewReader(buf.Bytes()))
	if err != nil || model != "bert:test" || len(got) != len(vecs) {
		t.Fatalf("read back %q, %d vectors, %v", model, len(got), err)
	}
	for k, v := range vecs {
		cos := 0.0
		for j := range v {
			cos += float64(v[j]) * float64(got[k][j])
		}
		if cos < 0.9999 {
			t.Errorf("vector %s: cosine %.6f after half precision", k, cos)
		}
	}
	if _, _, err := ReadSnapshot(bytes.NewReader(buf.Bytes()[:buf.Len()-10])); err == nil {
		t.Error("a truncated snapshot must be an error")
	}
	if _, _, err := ReadSnapshot(bytes.NewReader([]byte("garbage"))); err == nil {
		t.Error("garbage must be an error")
	}
}
