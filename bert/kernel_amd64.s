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
#define REDUCE4(HADD, EXTRACT, ADD, MOV, A, B, C, D, XA, XB, OFF) \
	HADD    B, A, A    \
	HADD    D, C, C    \
	HADD    C, A, A    \
	EXTRACT $1, A, XB  \
	ADD     XB, XA, XA \
	MOV     XA, OFF(R10)

// REDUCE12 stores the lane sums of Y0..Y11 to out (R10), float32 lanes
// with VHADDPS, VEXTRACTF128, VADDPS, VMOVUPS, int32 lanes with VPHADDD,
// VEXTRACTI128, VPADDD, VMOVDQU.
#define REDUCE12(HADD, EXTRACT, ADD, MOV) \
	REDUCE4(HADD, EXTRACT, ADD, MOV, Y0, Y1, Y2, Y3, X0, X1, 0)   \
	REDUCE4(HADD, EXTRACT, ADD, MOV, Y4, Y5, Y6, Y7, X4, X5, 16)  \
	REDUCE4(HADD, EXTRACT, ADD, MOV, Y8, Y9, Y10, Y11, X8, X9, 32)

// FOLD12 adds the upper 256 bits of each of Z0..Z11 to its lower 256 bits
// with EXTRACT and ADD (float or integer lanes); Y12 is scratch.
#define FOLD12(EXTRACT, ADD) \
	EXTRACT $1, Z0, Y12; ADD Y12, Y0, Y0    \
	EXTRACT $1, Z1, Y12; ADD Y12, Y1, Y1    \
	EXTRACT $1, Z2, Y12; ADD Y12, Y2, Y2    \
	EXTRACT $1, Z3, Y12; ADD Y12, Y3, Y3    \
	EXTRACT $1, Z4, Y12; ADD Y12, Y4, Y4    \
	EXTRACT $1, Z5, Y12; ADD Y12, Y5, Y5    \
	EXTRACT $1, Z6, Y12; ADD Y12, Y6, Y6    \
	EXTRACT $1, Z7, Y12; ADD Y12, Y7, Y7    \
	EXTRACT $1, Z8, Y12; ADD Y12, Y8, Y8    \
	EXTRACT $1, Z9, Y12; ADD Y12, Y9, Y9    \
	EXTRACT $1, Z10, Y12; ADD Y12, Y10, Y10 \
	EXTRACT $1, Z11, Y12; ADD Y12, Y11, Y11

// DOT4X3ARGS loads the arguments of the dot4x3 kernels: AX BX CX DX the
// rows of x, SI DI R8 those of w, R9 k, R10 out, R13 the prefetch address.
#define DOT4X3ARGS \
	MOVQ x0+0(FP), AX   \
	MOVQ x1+8(FP), BX   \
	MOVQ x2+16(FP), CX  \
	MOVQ x3+24(FP), DX  \
	MOVQ w0+32(FP), SI  \
	MOVQ w1+40(FP), DI  \
	MOVQ w2+48(FP), R8  \
	MOVQ k+56(FP), R9   \
	MOVQ out+64(FP), R10 \
	MOVQ pf+72(FP), R13

// ZERO12Z clears the accumulators Z0..Z11.
#define ZERO12Z \
	VPXORD Z0, Z0, Z0; VPXORD Z1, Z1, Z1; VPXORD Z2, Z2, Z2    \
	VPXORD Z3, Z3, Z3; VPXORD Z4, Z4, Z4; VPXORD Z5, Z5, Z5    \
	VPXORD Z6, Z6, Z6; VPXORD Z7, Z7, Z7; VPXORD Z8, Z8, Z8    \
	VPXORD Z9, Z9, Z9; VPXORD Z10, Z10, Z10; VPXORD Z11, Z11, Z11

// MADD3 accumulates the products of the x vector X with the w vectors
// W0, W1, W2 into A, B, C with the multiply-add instruction INS.
#define MADD3(INS, W0, W1, W2, X, A, B, C) \
	INS W0, X, A \
	INS W1, X, B \
	INS W2, X, C

// BODY4X3 loads a vector of each w row (Z12..Z14) with LOAD at R11 (an
// index scaled by S) and accumulates its products with each x row into
// Z0..Z11 with MADD; BODY4X3K does it with loads masked by K1.
#define BODY4X3(LOAD, S, MADD) \
	LOAD (SI)(R11*S), Z12 \
	LOAD (DI)(R11*S), Z13 \
	LOAD (R8)(R11*S), Z14 \
	LOAD (AX)(R11*S), Z15 \
	MADD3(MADD, Z12, Z13, Z14, Z15, Z0, Z1, Z2) \
	LOAD (BX)(R11*S), Z15 \
	MADD3(MADD, Z12, Z13, Z14, Z15, Z3, Z4, Z5) \
	LOAD (CX)(R11*S), Z15 \
	MADD3(MADD, Z12, Z13, Z14, Z15, Z6, Z7, Z8) \
	LOAD (DX)(R11*S), Z15 \
	MADD3(MADD, Z12, Z13, Z14, Z15, Z9, Z10, Z11)

#define BODY4X3K(LOAD, S, MADD) \
	LOAD (SI)(R11*S), K1, Z12 \
	LOAD (DI)(R11*S), K1, Z13 \
	LOAD (R8)(R11*S), K1, Z14 \
	LOAD (AX)(R11*S), K1, Z15 \
	MADD3(MADD, Z12, Z13, Z14, Z15, Z0, Z1, Z2) \
	LOAD (BX)(R11*S), K1, Z15 \
	MADD3(MADD, Z12, Z13, Z14, Z15, Z3, Z4, Z5) \
	LOAD (CX)(R11*S), K1, Z15 \
	MADD3(MADD, Z12, Z13, Z14, Z15, Z6, Z7, Z8) \
	LOAD (DX)(R11*S), K1, Z15 \
	MADD3(MADD, Z12, Z13, Z14, Z15, Z9, Z10, Z11)

// func dot4x3AVX2(x0, x1, x2, x3, w0, w1, w2 *float32, k int, out *[12]float32, pf *float32)
//
// Registers: AX BX CX DX rows of x, SI DI R8 rows of w, R9 k, R10 out,
// R11 element index, R12 k rounded down to 8, R13 the prefetch address,
// advanced by 96 bytes (three rows' worth of 8 floats) per iteration so that
// the loop prefetches 12·k bytes. Y0..Y11 accumulate
// out[3i+j] in lane-wise partial sums, Y12..Y14 hold 8 elements of w0..w2,
// Y15 8 elements of the current x row.
TEXT ·dot4x3AVX2(SB), NOSPLIT, $0-80
	DOT4X3ARGS

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
	MADD3(VFMADD231PS, Y12, Y13, Y14, Y15, Y0, Y1, Y2)
	VMOVUPS     (BX)(R11*4), Y15
	MADD3(VFMADD231PS, Y12, Y13, Y14, Y15, Y3, Y4, Y5)
	VMOVUPS     (CX)(R11*4), Y15
	MADD3(VFMADD231PS, Y12, Y13, Y14, Y15, Y6, Y7, Y8)
	VMOVUPS     (DX)(R11*4), Y15
	MADD3(VFMADD231PS, Y12, Y13, Y14, Y15, Y9, Y10, Y11)
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
	MADD3(VFMADD231PS, Y12, Y13, Y14, Y15, Y0, Y1, Y2)
	VMOVUPS     (R14), Y15
	VMASKMOVPS  (BX)(R11*4), Y15, Y15
	MADD3(VFMADD231PS, Y12, Y13, Y14, Y15, Y3, Y4, Y5)
	VMOVUPS     (R14), Y15
	VMASKMOVPS  (CX)(R11*4), Y15, Y15
	MADD3(VFMADD231PS, Y12, Y13, Y14, Y15, Y6, Y7, Y8)
	VMOVUPS     (R14), Y15
	VMASKMOVPS  (DX)(R11*4), Y15, Y15
	MADD3(VFMADD231PS, Y12, Y13, Y14, Y15, Y9, Y10, Y11)

reduce:
	REDUCE12(VHADDPS, VEXTRACTF128, VADDPS, VMOVUPS)

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
	DOT4X3ARGS

	ZERO12Z

	XORQ R11, R11
	MOVQ R9, R12
	ANDQ $-16, R12
	JZ   tail512

loop512:
	PREFETCHT0  (R13)
	PREFETCHT0  64(R13)
	PREFETCHT0  128(R13)
	ADDQ        $192, R13
	BODY4X3(VMOVUPS, 4, VFMADD231PS)
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
	BODY4X3K(VMOVUPS.Z, 4, VFMADD231PS)

fold512:
	FOLD12(VEXTRACTF64X4, VADDPS)
	REDUCE12(VHADDPS, VEXTRACTF128, VADDPS, VMOVUPS)

	VZEROUPPER
	RET

// func dot4x3VNNI(x0, x1, x2, x3 *uint8, w0, w1, w2 *int8, k int, out *[12]int32, pf *int8)
//
// dot4x3AVX512 on bytes: VPDPBUSD multiplies 64 unsigned bytes of an x row
// by 64 signed bytes of a w row and adds each group of four products to an
// int32 lane of the accumulator. Registers as in dot4x3AVX512; the tail of
// k mod 64 bytes is read with a zeroing masked load (K1, 64 bits), and the
// prefetch moves 192 bytes (three rows' worth of 64) an iteration.
TEXT ·dot4x3VNNI(SB), NOSPLIT, $0-80
	DOT4X3ARGS

	ZERO12Z

	XORQ R11, R11
	MOVQ R9, R12
	ANDQ $-64, R12
	JZ   tailq

loopq:
	PREFETCHT0 (R13)
	PREFETCHT0 64(R13)
	PREFETCHT0 128(R13)
	ADDQ       $192, R13
	BODY4X3(VMOVDQU8, 1, VPDPBUSD)
	ADDQ       $64, R11
	CMPQ       R11, R12
	JLT        loopq

tailq:
	// r = k - R11 remaining bytes, 0..63: K1 holds r low bits.
	MOVQ  R9, CX
	SUBQ  R11, CX
	JZ    foldq
	MOVQ  $1, R14
	SHLQ  CX, R14
	DECQ  R14
	KMOVQ R14, K1
	MOVQ  x2+16(FP), CX
	BODY4X3K(VMOVDQU8.Z, 1, VPDPBUSD)

foldq:
	FOLD12(VEXTRACTI64X4, VPADDD)
	REDUCE12(VPHADDD, VEXTRACTI128, VPADDD, VMOVDQU)
	VZEROUPPER
	RET

// func minMaxAVX512(x *float32, n int) (lo, hi float32)
//
// The smallest and largest of x[0:n], n a positive multiple of 16.
TEXT ·minMaxAVX512(SB), NOSPLIT, $0-24
	MOVQ    x+0(FP), SI
	MOVQ    n+8(FP), CX
	VMOVUPS (SI), Z0
	VMOVUPS Z0, Z1
	MOVQ    $16, AX

mmloop:
	CMPQ    AX, CX
	JGE     mmfold
	VMOVUPS (SI)(AX*4), Z2
	VMINPS  Z2, Z0, Z0
	VMAXPS  Z2, Z1, Z1
	ADDQ    $16, AX
	JMP     mmloop

mmfold:
	VEXTRACTF64X4 $1, Z0, Y2
	VMINPS        Y2, Y0, Y0
	VEXTRACTF64X4 $1, Z1, Y3
	VMAXPS        Y3, Y1, Y1
	VEXTRACTF128  $1, Y0, X2
	VMINPS        X2, X0, X0
	VEXTRACTF128  $1, Y1, X3
	VMAXPS        X3, X1, X1
	VPERMILPS     $0x4e, X0, X2
	VMINPS        X2, X0, X0
	VPERMILPS     $0x4e, X1, X3
	VMAXPS        X3, X1, X1
	VPERMILPS     $0xb1, X0, X2
	VMINPS        X2, X0, X0
	VPERMILPS     $0xb1, X1, X3
	VMAXPS        X3, X1, X1
	VMOVSS        X0, lo+16(FP)
	VMOVSS        X1, hi+20(FP)
	VZEROUPPER
	RET

// func quantizeAVX512(u *uint8, x *float32, n int, inv, off float32)
//
// u[i] = x[i]·inv + off truncated and clamped to [0, 255], for n a positive
// multiple of 16.
TEXT ·quantizeAVX512(SB), NOSPLIT, $0-32
	MOVQ         u+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS inv+24(FP), Z1
	VBROADCASTSS off+28(FP), Z2
	VPXORD       Z3, Z3, Z3
	XORQ         AX, AX

qloop:
	VMOVUPS     (SI)(AX*4), Z0
	VFMADD213PS Z2, Z1, Z0
	VCVTTPS2DQ  Z0, Z0
	VPMAXSD     Z3, Z0, Z0
	VPMOVUSDB   Z0, (DI)(AX*1)
	ADDQ        $16, AX
	CMPQ        AX, CX
	JLT         qloop
	VZEROUPPER
	RET
