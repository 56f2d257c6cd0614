package testenv

import (
	"syscall"
	"time"
)

// CPUTime is the CPU time, user and system, this process has used. A
// benchmark on a shared machine reports it per operation: other work on the
// machine disturbs it less than the wall-clock time. It is 0 where the
// system cannot tell.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
