package embedding

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
)

// snapshotMagic starts a vector snapshot file.
const snapshotMagic = "vrrec-vectors-1\n"

// A snapshot is vectors of one model keyed by vrrec.TextKey, in half
// precision: the embedded catalog's vectors ship inside the binary this
// way (the cosine between a vector and its half-precision copy stays
// above 0.9999). Layout, little-endian: magic; model name length (uint16)
// and name; dimensions (uint16); count (uint32); then per vector its
// 16-byte key and dimensions × float16, sorted by key.

// WriteSnapshot writes the vectors of model to w.
func WriteSnapshot(w io.Writer, model string, vecs map[string][]float32) error {
	bw := bufio.NewWriter(w)
	keys := make([]string, 0, len(vecs))
	dim := 0
	for k, v := range vecs {
		keys = append(keys, k)
		if dim == 0 {
			dim = len(v)
		}
		if len(v) != dim {
			return fmt.Errorf("write snapshot: vectors of %d and %d dimensions", dim, len(v))
		}
	}
	slices.Sort(keys)
	if len(model) > math.MaxUint16 || dim > math.MaxUint16 {
		return errors.New("write snapshot: model name or dimensions too large")
	}
	bw.WriteString(snapshotMagic)
	binary.Write(bw, binary.LittleEndian, uint16(len(model)))
	bw.WriteString(model)
	binary.Write(bw, binary.LittleEndian, uint16(dim))
	binary.Write(bw, binary.LittleEndian, uint32(len(keys)))
	for _, k := range keys {
		raw, err := hex.DecodeString(k)
		if err != nil || len(raw) != 16 {
			return fmt.Errorf("write snapshot: key %q is not a text key", k)
		}
		bw.Write(raw)
		for _, x := range vecs[k] {
			binary.Write(bw, binary.LittleEndian, toHalf(x))
		}
	}
	return bw.Flush()
}

// ReadSnapshot reads what WriteSnapshot wrote.
func ReadSnapshot(r io.Reader) (string, map[string][]float32, error) {
	br := bufio.NewReader(r)
	magic := make([]byte, len(snapshotMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != snapshotMagic {
		return "", nil, errors.New("read snapshot: not a vector snapshot")
	}
	var n uint16
	if err := binary.Read(br, binary.LittleEndian, &n); err != nil {
		return "", nil, fmt.Errorf("read snapshot: %w", err)
	}
	name := make([]byte, n)
	if _, err := io.ReadFull(br, name); err != nil {
		return "", nil, fmt.Errorf("read snapshot: %w", err)
	}
	var dim uint16
	var count uint32
	if err := binary.Read(br, binary.LittleEndian, &dim); err != nil {
		return "", nil, fmt.Errorf("read snapshot: %w", err)
	}
	if err := binary.Read(br, binary.LittleEndian, &count); err != nil {
		return "", nil, fmt.Errorf("read snapshot: %w", err)
	}
	vecs := make(map[string][]float32, count)
	raw := make([]byte, 16+2*int(dim))
	for range count {
		if _, err := io.ReadFull(br, raw); err != nil {
			return "", nil, fmt.Errorf("read snapshot: %d of %d vectors: %w", len(vecs), count, err)
		}
		v := make([]float32, dim)
		for j := range v {
			v[j] = fromHalf(binary.LittleEndian.Uint16(raw[16+2*j:]))
		}
		vecs[hex.EncodeToString(raw[:16])] = v
	}
	return string(name), vecs, nil
}

// toHalf rounds a float32 to the nearest IEEE 754 half-precision value
// (ties to even), saturating to infinity.
func toHalf(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23&0xff) - 127 + 15
	mant := b & 0x7fffff
	switch {
	case b&0x7fffffff == 0:
		return sign
	case exp >= 0x1f: // overflow, infinity or NaN
		if b&0x7f800000 == 0x7f800000 && mant != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	case exp <= 0: // subnormal half
		if exp < -10 {
			return sign
		}
		mant |= 0x800000
		shift := uint32(14 - exp)
		half := mant >> shift
		rem := mant & (1<<shift - 1)
		mid := uint32(1) << (shift - 1)
		if rem > mid || rem == mid && half&1 == 1 {
			half++
		}
		return sign | uint16(half)
	}
	half := uint32(exp)<<10 | mant>>13
	rem := mant & 0x1fff
	if rem > 0x1000 || rem == 0x1000 && half&1 == 1 {
		half++ // may carry into the exponent, which is the right rounding
	}
	return sign | uint16(half)
}

// fromHalf widens an IEEE 754 half-precision value to float32.
func fromHalf(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h >> 10 & 0x1f)
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0 && mant == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal
		for mant&0x400 == 0 {
			mant <<= 1
			exp--
		}
		exp++
		mant &= 0x3ff
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}
