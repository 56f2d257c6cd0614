// Package safetensors reads and writes the safetensors file format used by
// Hugging Face models: an 8-byte little-endian header length N, N bytes of
// JSON mapping each tensor name to {dtype, shape, data_offsets} (plus an
// optional "__metadata__" object of strings), then the raw little-endian
// tensor bytes, addressed by data_offsets relative to the end of the header.
package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
)

// Dtype names an element type as spelled in the header.
type Dtype string

// The element types of the format. Parse accepts all of them; conversions
// exist for the ones a model loader needs.
const (
	BOOL    Dtype = "BOOL"
	U8      Dtype = "U8"
	I8      Dtype = "I8"
	F8E5M2  Dtype = "F8_E5M2"
	F8E4M3  Dtype = "F8_E4M3"
	I16     Dtype = "I16"
	U16     Dtype = "U16"
	F16     Dtype = "F16"
	BF16    Dtype = "BF16"
	I32     Dtype = "I32"
	U32     Dtype = "U32"
	F32     Dtype = "F32"
	F64     Dtype = "F64"
	I64     Dtype = "I64"
	U64     Dtype = "U64"
	metaKey       = "__metadata__"
)

// Size is the number of bytes of one element, or 0 for an unknown dtype.
func (d Dtype) Size() int {
	switch d {
	case BOOL, U8, I8, F8E5M2, F8E4M3:
		return 1
	case I16, U16, F16, BF16:
		return 2
	case I32, U32, F32:
		return 4
	case F64, I64, U64:
		return 8
	}
	return 0
}

// Tensor is one named array. Data holds its raw little-endian bytes; after
// Parse it aliases the parsed buffer.
type Tensor struct {
	Name  string
	Dtype Dtype
	Shape []int
	Data  []byte
}

// Len is the number of elements: the product of the shape (1 for a scalar).
func (t *Tensor) Len() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// Float32s decodes an F32, F16 or BF16 tensor into a new float32 slice.
func (t *Tensor) Float32s() ([]float32, error) {
	n := t.Len()
	out := make([]float32, n)
	switch t.Dtype {
	case F32:
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.Data[4*i:]))
		}
	case F16:
		for i := range out {
			out[i] = Float16(binary.LittleEndian.Uint16(t.Data[2*i:]))
		}
	case BF16:
		for i := range out {
			out[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(t.Data[2*i:])) << 16)
		}
	default:
		return nil, fmt.Errorf("tensor %q: dtype %s is not a float type (want F32, F16 or BF16)", t.Name, t.Dtype)
	}
	return out, nil
}

// Int8s returns the elements of an I8 tensor.
func (t *Tensor) Int8s() ([]int8, error) {
	if t.Dtype != I8 {
		return nil, fmt.Errorf("tensor %q: dtype %s, want I8", t.Name, t.Dtype)
	}
	out := make([]int8, len(t.Data))
	for i, b := range t.Data {
		out[i] = int8(b)
	}
	return out, nil
}

// Float16 converts IEEE 754 half-precision bits to float32, including
// subnormals, infinities and NaN.
func Float16(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // inf or NaN
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: frac · 2^-24
		v := float32(frac) * (1.0 / (1 << 24))
		if sign != 0 {
			v = -v
		}
		return v
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
}

// File is a parsed safetensors file.
type File struct {
	Metadata map[string]string
	Tensors  map[string]*Tensor
}

type headerEntry struct {
	Dtype       Dtype    `json:"dtype"`
	Shape       []int    `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// maxHeader bounds the JSON header, as the reference implementation does, so
// a corrupt length cannot make Parse allocate gigabytes.
const maxHeader = 100 << 20

// Parse checks and indexes a whole safetensors file held in memory. Tensor
// data is not copied. Every tensor's dtype must be known and its byte range
// must lie inside the file and match its shape.
func Parse(data []byte) (*File, error) {
	if len(data) < 8 {
		return nil, fmt.Errorf("file is %d bytes, shorter than the 8-byte header length", len(data))
	}
	n := binary.LittleEndian.Uint64(data)
	rest := uint64(len(data) - 8)
	if n > rest {
		return nil, fmt.Errorf("header length %d exceeds the %d bytes after it (truncated or not a safetensors file)", n, rest)
	}
	if n > maxHeader {
		return nil, fmt.Errorf("header length %d exceeds the %d-byte limit", n, maxHeader)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data[8:8+n], &raw); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	body := data[8+n:]
	f := &File{Metadata: map[string]string{}, Tensors: make(map[string]*Tensor, len(raw))}
	for name, msg := range raw {
		if name == metaKey {
			if err := json.Unmarshal(msg, &f.Metadata); err != nil {
				return nil, fmt.Errorf("header %s: %w", metaKey, err)
			}
			continue
		}
		var e headerEntry
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, fmt.Errorf("header entry %q: %w", name, err)
		}
		size := e.Dtype.Size()
		if size == 0 {
			return nil, fmt.Errorf("tensor %q: unknown dtype %q", name, e.Dtype)
		}
		count := int64(1)
		for _, d := range e.Shape {
			if d < 0 || (d > 0 && count > (1<<62)/int64(d)) {
				return nil, fmt.Errorf("tensor %q: invalid shape %v", name, e.Shape)
			}
			count *= int64(d)
		}
		begin, end := e.DataOffsets[0], e.DataOffsets[1]
		if begin < 0 || end < begin || end > int64(len(body)) {
			return nil, fmt.Errorf("tensor %q: data offsets [%d, %d] outside the %d data bytes (truncated file?)", name, begin, end, len(body))
		}
		if want := count * int64(size); end-begin != want {
			return nil, fmt.Errorf("tensor %q: %d data bytes for shape %v of %s, want %d", name, end-begin, e.Shape, e.Dtype, want)
		}
		f.Tensors[name] = &Tensor{Name: name, Dtype: e.Dtype, Shape: e.Shape, Data: body[begin:end:end]}
	}
	return f, nil
}

// Write encodes tensors, in the given order, as a safetensors file. The
// header is padded with spaces to a multiple of 8 bytes so that the data of
// every tensor starts aligned for its element size when the tensors are
// ordered by decreasing element size. Each tensor's Data must hold exactly
// Len()·Dtype.Size() bytes.
func Write(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	header := make(map[string]any, len(tensors)+1)
	if len(metadata) > 0 {
		header[metaKey] = metadata
	}
	var off int64
	for _, t := range tensors {
		if _, dup := header[t.Name]; dup || t.Name == metaKey {
			return fmt.Errorf("tensor %q: duplicate or reserved name", t.Name)
		}
		if t.Dtype.Size() == 0 {
			return fmt.Errorf("tensor %q: unknown dtype %q", t.Name, t.Dtype)
		}
		if want := t.Len() * t.Dtype.Size(); len(t.Data) != want {
			return fmt.Errorf("tensor %q: %d data bytes for shape %v of %s, want %d", t.Name, len(t.Data), t.Shape, t.Dtype, want)
		}
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		header[t.Name] = headerEntry{Dtype: t.Dtype, Shape: shape, DataOffsets: [2]int64{off, off + int64(len(t.Data))}}
		off += int64(len(t.Data))
	}
	js, err := json.Marshal(header)
	if err != nil {
		return fmt.Errorf("encode header: %w", err)
	}
	if pad := len(js) % 8; pad != 0 {
		js = append(js, bytes.Repeat([]byte(" "), 8-pad)...)
	}
	var buf [8]byte
	binary.LittleEndian.PutUint64(buf[:], uint64(len(js)))
	if _, err := w.Write(buf[:]); err != nil {
		return fmt.Errorf("write header length: %w", err)
	}
	if _, err := w.Write(js); err != nil {
		return fmt.Errorf("write header: %w", err)
	}
	for _, t := range tensors {
		if _, err := w.Write(t.Data); err != nil {
			return fmt.Errorf("write tensor %q: %w", t.Name, err)
		}
	}
	return nil
}

// Names returns the tensor names in sorted order.
func (f *File) Names() []string {
	names := make([]string, 0, len(f.Tensors))
	for n := range f.Tensors {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
