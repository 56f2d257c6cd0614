//go:build amd64 && !purego

#include "textflag.h"

// tailmask<>+4·(8-r) is an 8-lane mask whose first r lanes are set.
DATA tailmask<>+0(SB)/4, $0xffffffff
DATA tailmask<>+4(SB)/4, $0xffffffff
DATA tailmask<>+8(SB)/4, $0xffffffff
DATA tailmask<>+12(SB)/4, $0xffffffff
DATA tailmask<>+16(SB)/4, $0xffffffff
DATA tailmask<>+20(SB)/4, $0xffffffff
DATA tailmask<>+24(SB)/4, $0xffffffff
DATA tailmask<>+28(SB)/4, $0xffffffff
DATA tailmask<>+32(SB)/4, $0
DATA tailmask<>+36(SB)/4, $0
DATA tailmask<>+40(SB)/4, $0
DATA tailmask<>+44(SB)/4, $0
DATA tailmask<>+48(SB)/4, $0
DATA tailmask<>+52(SB)/4, $0
DATA tailmask<>+56(SB)/4, $0
DATA tailmask<>+60(SB)/4, $0
GLOBL tailmask<>(SB), RODATA|NOPTR, $64

// REDUCE4 stores to OFF(R10) the lane sums of the accumulators A, B, C, D:
// [ΣA, ΣB, ΣC, ΣD] with two rounds of pairwise horizontal adds and one add of
// the 128-bit halves (XA and XB are the low halves of A and B).
#define REDUCE4(A, B, C, D, XA, XB, OFF) \
	VHADDPS      B, A, A   \
	VHADDPS      D, C, C   \
	VHADDPS      C, A, A   \
	VEXTRACTF128 $1, A, XB \
	VADDPS       XB, XA, XA \
	VMOVUPS      XA, OFF(R10)

// REDUCE12 stores the lane sums of Y0..Y11 to out (R10).
#define REDUCE12 \
	REDUCE4(Y0, Y1, Y2, Y3, X0, X1, 0)   \
	REDUCE4(Y4, Y5, Y6, Y7, X4, X5, 16)  \
	REDUCE4(Y8, Y9, Y10, Y11, X8, X9, 32)

// func dot4x3AVX2(x0, x1, x2, x3, w0, w1, w2 *float32, k int, out *[12]float32, pf *float32)
//
// Registers: AX BX CX DX rows of x, SI DI R8 rows of w, R9 k, R10 out,
// R11 element index, R12 k rounded down to 8, R13 the prefetch address,
// advanced by 96 bytes (three rows' worth of 8 floats) per iteration so that
// the loop prefetches 12·k bytes. Y0..Y11 accumulate
// out[3i+j] in lane-wise partial sums, Y12..Y14 hold 8 elements of w0..w2,
// Y15 8 elements of the current x row.
TEXT ·dot4x3AVX2(SB), NOSPLIT, $0-80
	MOVQ x0+0(FP), AX
	MOVQ x1+8(FP), BX
	MOVQ x2+16(FP), CX
	MOVQ x3+24(FP), DX
	MOVQ w0+32(FP), SI
	MOVQ w1+40(FP), DI
	MOVQ w2+48(FP), R8
	MOVQ k+56(FP), R9
	MOVQ out+64(FP), R10
	MOVQ pf+72(FP), R13

	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11

	XORQ R11, R11
	MOVQ R9, R12
	ANDQ $-8, R12
	JZ   tail

loop:
	PREFETCHT0  (R13)
	PREFETCHT0  64(R13)
	ADDQ        $96, R13
	VMOVUPS     (SI)(R11*4), Y12
	VMOVUPS     (DI)(R11*4), Y13
	VMOVUPS     (R8)(R11*4), Y14
	VMOVUPS     (AX)(R11*4), Y15
	VFMADD231PS Y12, Y15, Y0
	VFMADD231PS Y13, Y15, Y1
	VFMADD231PS Y14, Y15, Y2
	VMOVUPS     (BX)(R11*4), Y15
	VFMADD231PS Y12, Y15, Y3
	VFMADD231PS Y13, Y15, Y4
	VFMADD231PS Y14, Y15, Y5
	VMOVUPS     (CX)(R11*4), Y15
	VFMADD231PS Y12, Y15, Y6
	VFMADD231PS Y13, Y15, Y7
	VFMADD231PS Y14, Y15, Y8
	VMOVUPS     (DX)(R11*4), Y15
	VFMADD231PS Y12, Y15, Y9
	VFMADD231PS Y13, Y15, Y10
	VFMADD231PS Y14, Y15, Y11
	ADDQ        $8, R11
	CMPQ        R11, R12
	JLT         loop

tail:
	// r = k - R11 remaining elements, 0..7: masked loads read only those.
	MOVQ R9, R13
	SUBQ R11, R13
	JZ   reduce
	LEAQ tailmask<>+32(SB), R14
	SHLQ $2, R13
	SUBQ R13, R14
	VMOVUPS     (R14), Y15
	VMASKMOVPS  (SI)(R11*4), Y15, Y12
	VMASKMOVPS  (DI)(R11*4), Y15, Y13
	VMASKMOVPS  (R8)(R11*4), Y15, Y14
	VMASKMOVPS  (AX)(R11*4), Y15, Y15
	VFMADD231PS Y12, Y15, Y0
	VFMADD231PS Y13, Y15, Y1
	VFMADD231PS Y14, Y15, Y2
	VMOVUPS     (R14), Y15
	VMASKMOVPS  (BX)(R11*4), Y15, Y15
	VFMADD231PS Y12, Y15, Y3
	VFMADD231PS Y13, Y15, Y4
	VFMADD231PS Y14, Y15, Y5
	VMOVUPS     (R14), Y15
	VMASKMOVPS  (CX)(R11*4), Y15, Y15
	VFMADD231PS Y12, Y15, Y6
	VFMADD231PS Y13, Y15, Y7
	VFMADD231PS Y14, Y15, Y8
	VMOVUPS     (R14), Y15
	VMASKMOVPS  (DX)(R11*4), Y15, Y15
	VFMADD231PS Y12, Y15, Y9
	VFMADD231PS Y13, Y15, Y10
	VFMADD231PS Y14, Y15, Y11

reduce:
	REDUCE12

	VZEROUPPER
	RET

// func dot4x3AVX512(x0, x1, x2, x3, w0, w1, w2 *float32, k int, out *[12]float32, pf *float32)
//
// dot4x3AVX2 on 16-lane registers: the same registers (AX..R8 rows, R9 k,
// R10 out, R11 index, R12 k rounded down to 16, R13 prefetch address, now
// advanced by 192 bytes an iteration), Z0..Z11 accumulating, Z12..Z14 w,
// Z15 x. The last k mod 16 elements are read with a zeroing masked load
// (K1), which never touches memory past the row. The accumulators are then
// folded to 8 lanes and summed as in dot4x3AVX2.
TEXT ·dot4x3AVX512(SB), NOSPLIT, $0-80
	MOVQ x0+0(FP), AX
	MOVQ x1+8(FP), BX
	MOVQ x2+16(FP), CX
	MOVQ x3+24(FP), DX
	MOVQ w0+32(FP), SI
	MOVQ w1+40(FP), DI
	MOVQ w2+48(FP), R8
	MOVQ k+56(FP), R9
	MOVQ out+64(FP), R10
	MOVQ pf+72(FP), R13

	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11

	XORQ R11, R11
	MOVQ R9, R12
	ANDQ $-16, R12
	JZ   tail512

loop512:
	PREFETCHT0  (R13)
	PREFETCHT0  64(R13)
	PREFETCHT0  128(R13)
	ADDQ        $192, R13
	VMOVUPS     (SI)(R11*4), Z12
	VMOVUPS     (DI)(R11*4), Z13
	VMOVUPS     (R8)(R11*4), Z14
	VMOVUPS     (AX)(R11*4), Z15
	VFMADD231PS Z12, Z15, Z0
	VFMADD231PS Z13, Z15, Z1
	VFMADD231PS Z14, Z15, Z2
	VMOVUPS     (BX)(R11*4), Z15
	VFMADD231PS Z12, Z15, Z3
	VFMADD231PS Z13, Z15, Z4
	VFMADD231PS Z14, Z15, Z5
	VMOVUPS     (CX)(R11*4), Z15
	VFMADD231PS Z12, Z15, Z6
	VFMADD231PS Z13, Z15, Z7
	VFMADD231PS Z14, Z15, Z8
	VMOVUPS     (DX)(R11*4), Z15
	VFMADD231PS Z12, Z15, Z9
	VFMADD231PS Z13, Z15, Z10
	VFMADD231PS Z14, Z15, Z11
	ADDQ        $16, R11
	CMPQ        R11, R12
	JLT         loop512

tail512:
	// r = k - R11 remaining elements, 0..15: K1 holds r low bits.
	MOVQ R9, CX
	SUBQ R11, CX
	JZ   fold512
	MOVL $1, R14
	SHLL CX, R14
	DECL R14
	KMOVW R14, K1
	MOVQ x2+16(FP), CX
	VMOVUPS.Z   (SI)(R11*4), K1, Z12
	VMOVUPS.Z   (DI)(R11*4), K1, Z13
	VMOVUPS.Z   (R8)(R11*4), K1, Z14
	VMOVUPS.Z   (AX)(R11*4), K1, Z15
	VFMADD231PS Z12, Z15, Z0
	VFMADD231PS Z13, Z15, Z1
	VFMADD231PS Z14, Z15, Z2
	VMOVUPS.Z   (BX)(R11*4), K1, Z15
	VFMADD231PS Z12, Z15, Z3
	VFMADD231PS Z13, Z15, Z4
	VFMADD231PS Z14, Z15, Z5
	VMOVUPS.Z   (CX)(R11*4), K1, Z15
	VFMADD231PS Z12, Z15, Z6
	VFMADD231PS Z13, Z15, Z7
	VFMADD231PS Z14, Z15, Z8
	VMOVUPS.Z   (DX)(R11*4), K1, Z15
	VFMADD231PS Z12, Z15, Z9
	VFMADD231PS Z13, Z15, Z10
	VFMADD231PS Z14, Z15, Z11

fold512:
	// Add the upper 8 lanes of each accumulator to its lower 8.
	VEXTRACTF64X4 $1, Z0, Y12
	VADDPS        Y12, Y0, Y0
	VEXTRACTF64X4 $1, Z1, Y12
	VADDPS        Y12, Y1, Y1
	VEXTRACTF64X4 $1, Z2, Y12
	VADDPS        Y12, Y2, Y2
	VEXTRACTF64X4 $1, Z3, Y12
	VADDPS        Y12, Y3, Y3
	VEXTRACTF64X4 $1, Z4, Y12
	VADDPS        Y12, Y4, Y4
	VEXTRACTF64X4 $1, Z5, Y12
	VADDPS        Y12, Y5, Y5
	VEXTRACTF64X4 $1, Z6, Y12
	VADDPS        Y12, Y6, Y6
	VEXTRACTF64X4 $1, Z7, Y12
	VADDPS        Y12, Y7, Y7
	VEXTRACTF64X4 $1, Z8, Y12
	VADDPS        Y12, Y8, Y8
	VEXTRACTF64X4 $1, Z9, Y12
	VADDPS        Y12, Y9, Y9
	VEXTRACTF64X4 $1, Z10, Y12
	VADDPS        Y12, Y10, Y10
	VEXTRACTF64X4 $1, Z11, Y12
	VADDPS        Y12, Y11, Y11

	REDUCE12

	VZEROUPPER
	RET
