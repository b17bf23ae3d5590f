//go:build !linux

package roux

// lowerThreadPriority is a no-op where per-thread priorities are not
// available; the pool still bounds CPU-bound work and sheds its excess.
func lowerThreadPriority() {}

// onMainThread reports false: without per-thread priorities, a worker
// leaves nothing behind on the thread it ran on.
func onMainThread() bool { return false }
