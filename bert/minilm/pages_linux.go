package minilm

import (
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// dropPages tells the kernel that the pages of the binary holding s are not
// needed now. They are read-only pages of the executable file: were s read
// again, the kernel would read them back from the file.
func dropPages(s string) {
	page := uintptr(os.Getpagesize())
	p := unsafe.Pointer(unsafe.StringData(s))
	start := uintptr(p)
	lo, hi := (start+page-1)&^(page-1), (start+uintptr(len(s)))&^(page-1)
	if hi <= lo {
		return
	}
	// Only whole pages inside s: nothing else of the binary is touched.
	_ = unix.Madvise(unsafe.Slice((*byte)(unsafe.Add(p, lo-start)), hi-lo), unix.MADV_DONTNEED)
}
