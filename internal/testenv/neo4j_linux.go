package testenv

import (
	"os"
	"syscall"
)

// childProcAttr makes the kernel send the child SIGTERM when the test
// process dies, even by SIGKILL, so no JVM outlives its test binary. (The
// signal follows the OS thread that started the child; Go only retires
// threads that locked goroutines ran on, and tests do not lock any.)
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}

// lockFile takes an exclusive lock on path, creating it, and returns the
// function that releases it. Concurrent test binaries serialise on it.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
