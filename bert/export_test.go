package bert

// UseAsm switches the assembly kernels on or off (on only where the CPU
// supports them) and returns a function that restores the previous setting.
// Tests use it to run the same checks through both code paths.
func UseAsm(on bool) (restore func()) {
	saved := useAVX2
	useAVX2 = on && haveAsmKernel()
	return func() { useAVX2 = saved }
}
