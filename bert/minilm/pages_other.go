//go:build !linux

package minilm

// dropPages does nothing where there is no madvise.
func dropPages(string) {}
