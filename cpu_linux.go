package roux

import "syscall"

// lowerThreadPriority gives the calling OS thread the lowest scheduling
// priority (nice 19), so the kernel runs any other runnable thread of the
// process first. Failure only loses the isolation, so it is ignored.
func lowerThreadPriority() {
	syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), 19) //nolint:errcheck // best effort
}

// onMainThread reports whether the calling goroutine runs on the
// process's main thread.
func onMainThread() bool { return syscall.Gettid() == syscall.Getpid() }
