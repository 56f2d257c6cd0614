package bert

// UseAsm switches the assembly kernels on or off (on only where the CPU
// supports them) and returns a function that restores the previous setting.
// Tests use it to run the same checks through both code paths.
func UseAsm(on bool) (restore func()) {
	saved := useAVX2
	useAVX2 = on && haveAsmKernel()
	return func() { useAVX2 = saved }
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
