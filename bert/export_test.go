package bert

// UseAsm switches the assembly kernels on or off (on only where the CPU
// supports them) and returns a function that restores the previous setting.
// Tests use it to run the same checks through both code paths.
func UseAsm(on bool) (restore func()) {
	saved, saved512, savedVNNI := useAVX2, useAVX512, useVNNI
	useAVX2, useAVX512, useVNNI = on && haveAsmKernel(), on && haveAVX512(), on && haveVNNI()
	return func() { useAVX2, useAVX512, useVNNI = saved, saved512, savedVNNI }
}

// UseAVX512 switches the AVX-512 dot-product kernel on or off (on only where
// the CPU has it; off leaves the AVX2 one) and returns a function that
// restores the previous setting.
func UseAVX512(on bool) (restore func()) {
	saved := useAVX512
	useAVX512 = on && haveAVX512() && useAVX2
	return func() { useAVX512 = saved }
}

// EmbedPacked embeds texts in one forward pass, packed as a batch of
// questions is, whatever the batch limits.
func EmbedPacked(e *Encoder, texts []string) [][]float32 {
	s := new(scratch)
	s.starts = []int{0}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		s.ids = e.tokens(t, s.ids)
		s.starts = append(s.starts, len(s.ids))
		out[i] = make([]float32, e.Dim())
	}
	e.encode(s, out)
	return out
}

// UseVNNI switches the int8 products on or off (on only where the CPU has
// VNNI) and returns a function that restores the previous setting.
func UseVNNI(on bool) (restore func()) {
	saved := useVNNI
	useVNNI = on && haveVNNI()
	return func() { useVNNI = saved }
}

// HaveVNNI reports whether this CPU runs the int8 products.
func HaveVNNI() bool { return haveVNNI() }

// HaveAVX512 reports whether this CPU runs the AVX-512 dot product.
func HaveAVX512() bool { return haveAVX512() }
