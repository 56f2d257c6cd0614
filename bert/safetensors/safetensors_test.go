package safetensors

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"testing"
)

func TestFloat16(t *testing.T) {
	for bits, want := range map[uint16]float32{
		0x0000: 0, 0x3c00: 1, 0xc000: -2, 0x3555: 0.333251953125, 0x7bff: 65504,
		0x0001: 5.960464477539063e-08, // smallest subnormal
		0x03ff: 6.097555160522461e-05, // largest subnormal
		0x0400: 6.103515625e-05,       // smallest normal
	} {
		if got := Float16(bits); got != want {
			t.Errorf("Float16(%#04x) = %g, want %g", bits, got, want)
		}
	}
	if !math.IsInf(float64(Float16(0xfc00)), -1) || !math.IsNaN(float64(Float16(0x7e00))) {
		t.Error("Float16 infinities or NaN wrong")
	}
	if math.Float32bits(Float16(0x8000)) != 1<<31 {
		t.Error("Float16(0x8000) is not -0")
	}
}

// TestRoundTrip writes tensors of every supported float type and reads them
// back.
func TestRoundTrip(t *testing.T) {
	f32 := binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, math.Float32bits(1.5)), math.Float32bits(-2))
	in := []Tensor{
		{Name: "a", Dtype: F32, Shape: []int{2}, Data: f32},
		{Name: "b", Dtype: F16, Shape: []int{1, 2}, Data: []byte{0x00, 0x3c, 0x00, 0xc0}},                         // 1, -2
		{Name: "c", Dtype: BF16, Shape: []int{2, 1}, Data: []byte{0xc0, 0x3f, 0x80, 0xbf}},                        // 1.5, -1
		{Name: "d", Dtype: I8, Shape: []int{3}, Data: []byte{0x7f, 0x80, 0x01}},                                   // 127, -128, 1
		{Name: "e", Dtype: F32, Shape: []int{}, Data: binary.LittleEndian.AppendUint32(nil, math.Float32bits(7))}, // scalar
	}
	var buf bytes.Buffer
	if err := Write(&buf, in, map[string]string{"name": "test"}); err != nil {
		t.Fatal(err)
	}
	if n := binary.LittleEndian.Uint64(buf.Bytes()); n%8 != 0 {
		t.Errorf("header length %d is not a multiple of 8", n)
	}
	f, err := Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if f.Metadata["name"] != "test" || len(f.Tensors) != len(in) {
		t.Fatalf("metadata %v, %d tensors", f.Metadata, len(f.Tensors))
	}
	for name, want := range map[string][]float32{"a": {1.5, -2}, "b": {1, -2}, "c": {1.5, -1}, "e": {7}} {
		got, err := f.Tensors[name].Float32s()
		if err != nil || len(got) != len(want) || got[0] != want[0] || got[len(got)-1] != want[len(want)-1] {
			t.Errorf("tensor %s: %v, %v; want %v", name, got, err, want)
		}
	}
	q, err := f.Tensors["d"].Int8s()
	if err != nil || q[0] != 127 || q[1] != -128 || q[2] != 1 {
		t.Errorf("tensor d: %v, %v", q, err)
	}
	if _, err := f.Tensors["d"].Float32s(); err == nil {
		t.Error("Float32s of an I8 tensor succeeded")
	}
}

func TestParseErrors(t *testing.T) {
	file := func(header string, data int) []byte {
		b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
		return append(append(b, header...), make([]byte, data)...)
	}
	for _, c := range []struct {
		data []byte
		want string
	}{
		{[]byte{1, 2, 3}, "shorter than the 8-byte header length"},
		{binary.LittleEndian.AppendUint64(nil, 100), "header length 100 exceeds the 0 bytes"},
		{file(`{"a":`, 0), "header"},
		{file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, 4), "outside the 4 data bytes"},
		{file(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, 8), "8 data bytes for shape [3] of F32, want 12"},
		{file(`{"a":{"dtype":"X9","shape":[2],"data_offsets":[0,8]}}`, 8), `unknown dtype "X9"`},
		{file(`{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}`, 8), "invalid shape"},
	} {
		_, err := Parse(c.data)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse: error %v, want one containing %q", err, c.want)
		}
	}
}
