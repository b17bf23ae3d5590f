//go:build !linux

package roux

// lowerThreadPriority is a no-op where per-thread priorities are not
// available; the pool still bounds CPU-bound work and sheds its excess.
func lowerThreadPriority() {}
