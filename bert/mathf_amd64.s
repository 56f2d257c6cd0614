//go:build amd64 && !purego

#include "textflag.h"

// Constants of exp (as in exp32) and erf (as in erf32), see model.go.
DATA mathc<>+0(SB)/4, $0x3fb8aa3b  // log2 e
DATA mathc<>+4(SB)/4, $0x4b400000  // 1.5·2²³, rounds to an integer when added
DATA mathc<>+8(SB)/4, $0x3f318000  // ln 2, high part
DATA mathc<>+12(SB)/4, $0xb95e8083 // ln 2, low part
DATA mathc<>+16(SB)/4, $0x39500d01 // 1/7!
DATA mathc<>+20(SB)/4, $0x3ab60b61 // 1/6!
DATA mathc<>+24(SB)/4, $0x3c088889 // 1/5!
DATA mathc<>+28(SB)/4, $0x3d2aaaab // 1/4!
DATA mathc<>+32(SB)/4, $0x3e2aaaab // 1/3!
DATA mathc<>+36(SB)/4, $0x3f000000 // 1/2
DATA mathc<>+40(SB)/4, $0x3f800000 // 1
DATA mathc<>+44(SB)/4, $0xc2ae999a // -87.3, the smallest argument of exp
DATA mathc<>+48(SB)/4, $0x3f3504f3 // 1/√2
DATA mathc<>+52(SB)/4, $0x40800000 // 4, where erf reaches 1 in float32
DATA mathc<>+56(SB)/4, $0x3ea7ba05 // p
DATA mathc<>+60(SB)/4, $0x3e827906 // a1
DATA mathc<>+64(SB)/4, $0xbe91a98e // a2
DATA mathc<>+68(SB)/4, $0x3fb5f0e3 // a3
DATA mathc<>+72(SB)/4, $0xbfba00e3 // a4
DATA mathc<>+76(SB)/4, $0x3f87dc22 // a5
DATA mathc<>+80(SB)/4, $0x7fffffff // mask of all but the sign
DATA mathc<>+84(SB)/4, $0x80000000 // mask of the sign
GLOBL mathc<>(SB), RODATA|NOPTR, $88

// EXP8 sets the 8 lanes of X to e^X for X ≤ 0, clamped below at -87.3, by
// the method of exp32: t = X·log2e rounded (the integer k in the low bits of
// T), r = X - k·ln2, the Taylor polynomial of e^r, and k added to its
// exponent. T, K and F are scratch.
#define EXP8(X, T, K, F) \
	VBROADCASTSS mathc<>+44(SB), T \
	VMAXPS       T, X, X           \
	VBROADCASTSS mathc<>+0(SB), K  \
	VBROADCASTSS mathc<>+4(SB), T  \
	VFMADD213PS  T, X, K           \
	VSUBPS       T, K, F           \
	VBROADCASTSS mathc<>+8(SB), T  \
	VFNMADD231PS T, F, X           \
	VBROADCASTSS mathc<>+12(SB), T \
	VFNMADD231PS T, F, X           \
	VBROADCASTSS mathc<>+16(SB), F \
	VBROADCASTSS mathc<>+20(SB), T \
	VFMADD213PS  T, X, F           \
	VBROADCASTSS mathc<>+24(SB), T \
	VFMADD213PS  T, X, F           \
	VBROADCASTSS mathc<>+28(SB), T \
	VFMADD213PS  T, X, F           \
	VBROADCASTSS mathc<>+32(SB), T \
	VFMADD213PS  T, X, F           \
	VBROADCASTSS mathc<>+36(SB), T \
	VFMADD213PS  T, X, F           \
	VBROADCASTSS mathc<>+40(SB), T \
	VFMADD213PS  T, X, F           \
	VFMADD213PS  T, X, F           \
	VBROADCASTSS mathc<>+4(SB), T  \
	VPSUBD       T, K, K           \
	VPSLLD       $23, K, K         \
	VPADDD       K, F, X

// func expShiftAVX2(x *float32, n int, shift, scale float32) (sum float32)
//
// x[i] = e^((x[i]-shift)·scale) for i < n, n a positive multiple of 8, with
// (x[i]-shift)·scale ≤ 0; returns the sum of the new values.
TEXT ·expShiftAVX2(SB), NOSPLIT, $0-28
	MOVQ         x+0(FP), DI
	MOVQ         n+8(FP), CX
	VBROADCASTSS shift+16(FP), Y8
	VBROADCASTSS scale+20(FP), Y9
	VXORPS       Y10, Y10, Y10

exploop:
	VMOVUPS (DI), Y0
	VSUBPS  Y8, Y0, Y0
	VMULPS  Y9, Y0, Y0
	EXP8(Y0, Y1, Y2, Y3)
	VMOVUPS Y0, (DI)
	VADDPS  Y0, Y10, Y10
	ADDQ    $32, DI
	SUBQ    $8, CX
	JNZ     exploop

	VEXTRACTF128 $1, Y10, X11
	VADDPS       X11, X10, X10
	VHADDPS      X10, X10, X10
	VHADDPS      X10, X10, X10
	VMOVSS       X10, sum+24(FP)
	VZEROUPPER
	RET

// func geluAVX2(x *float32, n int)
//
// x[i] = x[i]/2·(1 + erf(x[i]/√2)) for i < n, n a positive multiple of 8,
// with erf as in erf32.
TEXT ·geluAVX2(SB), NOSPLIT, $0-16
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), CX

geluloop:
	// Y1 = a = min(|v/√2|, 4) for v in Y0.
	VMOVUPS      (DI), Y0
	VBROADCASTSS mathc<>+48(SB), Y1
	VMULPS       Y1, Y0, Y1
	VBROADCASTSS mathc<>+80(SB), Y2
	VANDPS       Y2, Y1, Y1
	VBROADCASTSS mathc<>+52(SB), Y2
	VMINPS       Y2, Y1, Y1

	// Y2 = t = 1/(1 + p·a)
	VBROADCASTSS mathc<>+56(SB), Y2
	VBROADCASTSS mathc<>+40(SB), Y3
	VFMADD213PS  Y3, Y1, Y2
	VDIVPS       Y2, Y3, Y2

	// Y3 = t·(a1 + t·(a2 + t·(a3 + t·(a4 + t·a5))))
	VBROADCASTSS mathc<>+76(SB), Y3
	VBROADCASTSS mathc<>+72(SB), Y4
	VFMADD213PS  Y4, Y2, Y3
	VBROADCASTSS mathc<>+68(SB), Y4
	VFMADD213PS  Y4, Y2, Y3
	VBROADCASTSS mathc<>+64(SB), Y4
	VFMADD213PS  Y4, Y2, Y3
	VBROADCASTSS mathc<>+60(SB), Y4
	VFMADD213PS  Y4, Y2, Y3
	VMULPS       Y2, Y3, Y3

	// Y4 = e^(-a²)
	VMULPS       Y1, Y1, Y4
	VBROADCASTSS mathc<>+84(SB), Y5
	VXORPS       Y5, Y4, Y4
	EXP8(Y4, Y5, Y6, Y7)

	// Y5 = erf(v/√2) = ±(1 - Y3·Y4), with the sign of v
	VBROADCASTSS mathc<>+40(SB), Y5
	VFNMADD231PS Y4, Y3, Y5
	VBROADCASTSS mathc<>+84(SB), Y6
	VANDPS       Y0, Y6, Y6
	VORPS        Y6, Y5, Y5

	// v/2·(1 + erf)
	VBROADCASTSS mathc<>+40(SB), Y6
	VADDPS       Y6, Y5, Y5
	VMULPS       Y0, Y5, Y5
	VBROADCASTSS mathc<>+36(SB), Y6
	VMULPS       Y6, Y5, Y5
	VMOVUPS      Y5, (DI)
	ADDQ         $32, DI
	SUBQ         $8, CX
	JNZ          geluloop

	VZEROUPPER
	RET

// func widenAVX2(dst *float32, q *int8, n int, scale float32)
//
// dst[i] = float32(q[i])·scale for i < n, n a positive multiple of 8. The
// loop also prefetches the bytes 3·n further on: linear widens the rows of a
// matrix three at a time, so those are the same row of the next block, which
// then arrives in cache while the current block is being used.
TEXT ·widenAVX2(SB), NOSPLIT, $0-28
	MOVQ         dst+0(FP), DI
	MOVQ         q+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS scale+24(FP), Y1
	LEAQ         (SI)(CX*2), R8
	ADDQ         CX, R8

	// 32 bytes per iteration while at least 32 are left, then 8.
	CMPQ CX, $32
	JLT  widen8

widen32:
	PREFETCHT0 (R8)
	VPMOVSXBD  (SI), Y0
	VPMOVSXBD  8(SI), Y2
	VPMOVSXBD  16(SI), Y3
	VPMOVSXBD  24(SI), Y4
	VCVTDQ2PS  Y0, Y0
	VCVTDQ2PS  Y2, Y2
	VCVTDQ2PS  Y3, Y3
	VCVTDQ2PS  Y4, Y4
	VMULPS     Y1, Y0, Y0
	VMULPS     Y1, Y2, Y2
	VMULPS     Y1, Y3, Y3
	VMULPS     Y1, Y4, Y4
	VMOVUPS    Y0, (DI)
	VMOVUPS    Y2, 32(DI)
	VMOVUPS    Y3, 64(DI)
	VMOVUPS    Y4, 96(DI)
	ADDQ       $32, SI
	ADDQ       $32, R8
	ADDQ       $128, DI
	SUBQ       $32, CX
	CMPQ       CX, $32
	JGE        widen32
	TESTQ      CX, CX
	JZ         widendone

widen8:
	VPMOVSXBD (SI), Y0
	VCVTDQ2PS Y0, Y0
	VMULPS    Y1, Y0, Y0
	VMOVUPS   Y0, (DI)
	ADDQ      $8, SI
	ADDQ      $32, DI
	SUBQ      $8, CX
	JNZ       widen8

widendone:
	VZEROUPPER
	RET
