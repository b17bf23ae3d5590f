//go:build unix

package cli

import "syscall"

// fileLimit returns the process's soft limit of open files, or 0. An
// unlimited one reads as a huge number, which no default comes near.
func fileLimit() uint64 {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0
	}
	return uint64(rl.Cur)
}
