//go:build !amd64 || purego

package bert

// useAVX2, useAVX512 and useVNNI are false: there are no assembly kernels for this
// platform.
var useAVX2, useAVX512, useVNNI = false, false, false

// haveAsmKernel reports whether the assembly kernels can run on this CPU.
func haveAsmKernel() bool { return false }

// haveAVX512 reports whether the AVX-512 kernel can run on this CPU.
func haveAVX512() bool { return false }

// dot4x3Asm is not available on this platform; the tests skip it.
func dot4x3Asm(x0, x1, x2, x3, w0, w1, w2 []float32, out *[12]float32) {
	panic("bert: no assembly kernel on this platform")
}

// geluVec has no vector form here: it leaves all of x to the caller.
func geluVec(x []float32) int { return 0 }

// expVec has no vector form here: it leaves all of x to the caller.
func expVec(x []float32, shift, scale float32) (int, float32) { return 0, 0 }

// widenVec has no vector form here: it leaves all of q to the caller.
func widenVec(dst []float32, q []int8, scale float32) int { return 0 }

// haveVNNI reports whether the int8 kernel can run on this CPU.
func haveVNNI() bool { return false }

// dot4x3Q8Asm is not available on this platform; the tests skip it.
func dot4x3Q8Asm(x0, x1, x2, x3 []uint8, w0, w1, w2 []int8, out *[12]int32) {
	panic("bert: no assembly kernel on this platform")
}

// quantizeVec has no vector form here: it leaves all of row to the caller.
func quantizeVec(u []uint8, row []float32, inv, off float32) int { return 0 }

// minMaxVec has no vector form here: it leaves all of x to the caller.
func minMaxVec(x []float32) (lo, hi float32, n int) { return 0, 0, 0 }
