//go:build amd64 && !purego

package bert

import "golang.org/x/sys/cpu"

// useAVX2 selects the assembly kernels, which need AVX2 and FMA, useAVX512
// the AVX-512 form of the dot-product kernel among them, and useVNNI int8
// products of int8 weights (matmul8.go), all chosen at start from the CPU's
// features. Tests switch them to compare every kernel
// with the Go code.
var (
	useAVX2   = haveAsmKernel()
	useAVX512 = haveAVX512()
	useVNNI   = haveVNNI()
)

// haveAsmKernel reports whether the assembly kernels can run on this CPU.
func haveAsmKernel() bool { return cpu.X86.HasAVX2 && cpu.X86.HasFMA }

// haveAVX512 reports whether the AVX-512 dot-product kernel can run too.
func haveAVX512() bool { return haveAsmKernel() && cpu.X86.HasAVX512F }

// haveVNNI reports whether the int8 kernel (matmul8.go), which needs
// AVX-512 VNNI and BW, can run.
func haveVNNI() bool { return haveAVX512() && cpu.X86.HasAVX512VNNI && cpu.X86.HasAVX512BW }

// geluVec applies GELU to the longest prefix of x whose length is a multiple
// of 8 and returns that length; the caller finishes the rest.
func geluVec(x []float32) int {
	n := len(x) &^ 7
	if !useAVX2 || n == 0 {
		return 0
	}
	geluAVX2(&x[0], n)
	return n
}

// expVec sets x[i] = e^((x[i]-shift)·scale), which must be ≤ 0, for the
// longest prefix of x whose length is a multiple of 8, and returns that
// length and the sum of the new values; the caller finishes the rest.
func expVec(x []float32, shift, scale float32) (int, float32) {
	n := len(x) &^ 7
	if !useAVX2 || n == 0 {
		return 0, 0
	}
	return n, expShiftAVX2(&x[0], n, shift, scale)
}

// widenVec sets dst[i] = float32(q[i])·scale for the longest prefix of q
// whose length is a multiple of 8 and returns that length; the caller
// finishes the rest. dst must be at least as long as q.
func widenVec(dst []float32, q []int8, scale float32) int {
	n := len(q) &^ 7
	if !useAVX2 || n == 0 {
		return 0
	}
	_ = dst[n-1]
	widenAVX2(&dst[0], &q[0], n, scale)
	return n
}

//go:noescape
func widenAVX2(dst *float32, q *int8, n int, scale float32)

//go:noescape
func geluAVX2(x *float32, n int)

//go:noescape
func expShiftAVX2(x *float32, n int, shift, scale float32) (sum float32)

// dot4x3Asm adapts the assembly kernels to slices: the AVX-512 one when
// useAVX512 is set, else the AVX2 one. It panics, like an index out of range,
// when a row is shorter than w0.
func dot4x3Asm(x0, x1, x2, x3, w0, w1, w2 []float32, out *[12]float32) {
	k := len(w0)
	if k == 0 {
		*out = [12]float32{}
		return
	}
	_, _, _, _, _, _ = x0[k-1], x1[k-1], x2[k-1], x3[k-1], w1[k-1], w2[k-1]
	if useAVX512 {
		dot4x3AVX512(&x0[0], &x1[0], &x2[0], &x3[0], &w0[0], &w1[0], &w2[0], k, out, &w2[k-1])
		return
	}
	dot4x3AVX2(&x0[0], &x1[0], &x2[0], &x3[0], &w0[0], &w1[0], &w2[0], k, out, &w2[k-1])
}

// dot4x3AVX2 is dot4x3Go for rows of k floats in AVX2 and FMA: twelve
// 8-lane accumulators, a masked load for the last k mod 8 elements, and
// horizontal sums at the end. While it computes, it prefetches the 12·k bytes
// after pf, where the next three weight rows of a matrix multiplication start,
// so that they arrive in cache by the next call. Implemented in
// kernel_amd64.s.
//
//go:noescape
func dot4x3AVX2(x0, x1, x2, x3, w0, w1, w2 *float32, k int, out *[12]float32, pf *float32)

// dot4x3AVX512 is dot4x3AVX2 on 16-lane AVX-512 registers, with a masked
// load for the last k mod 16 elements. Implemented in kernel_amd64.s.
//
//go:noescape
func dot4x3AVX512(x0, x1, x2, x3, w0, w1, w2 *float32, k int, out *[12]float32, pf *float32)

// dot4x3Q8Asm adapts dot4x3VNNI to slices. It panics, like an index out of
// range, when a row is shorter than w0.
func dot4x3Q8Asm(x0, x1, x2, x3 []uint8, w0, w1, w2 []int8, out *[12]int32) {
	k := len(w0)
	if k == 0 {
		*out = [12]int32{}
		return
	}
	_, _, _, _, _, _ = x0[k-1], x1[k-1], x2[k-1], x3[k-1], w1[k-1], w2[k-1]
	dot4x3VNNI(&x0[0], &x1[0], &x2[0], &x3[0], &w0[0], &w1[0], &w2[0], k, out, &w2[k-1])
}

// dot4x3VNNI is dot4x3Q8Go in AVX-512 VNNI, prefetching like dot4x3AVX2.
// Implemented in kernel_amd64.s.
//
//go:noescape
func dot4x3VNNI(x0, x1, x2, x3 *uint8, w0, w1, w2 *int8, k int, out *[12]int32, pf *int8)

// quantizeVec quantises the longest prefix of row whose length is a multiple
// of 16 into u as quantizeRows does (u = row·inv + off, truncated, clamped
// to [0, 255]) and returns that length; the caller finishes the rest.
func quantizeVec(u []uint8, row []float32, inv, off float32) int {
	n := len(row) &^ 15
	if !useVNNI || n == 0 {
		return 0
	}
	_ = u[n-1]
	quantizeAVX512(&u[0], &row[0], n, inv, off)
	return n
}

// minMaxVec returns the smallest and largest of the longest prefix of x
// whose length is a multiple of 16, and that length; the caller looks at the
// rest.
func minMaxVec(x []float32) (lo, hi float32, n int) {
	n = len(x) &^ 15
	if !useVNNI || n == 0 {
		return 0, 0, 0
	}
	lo, hi = minMaxAVX512(&x[0], n)
	return lo, hi, n
}

//go:noescape
func minMaxAVX512(x *float32, n int) (lo, hi float32)

//go:noescape
func quantizeAVX512(u *uint8, x *float32, n int, inv, off float32)
