// Package testutil holds helpers shared by roux's tests.
package testutil

import (
	"bytes"
	"runtime"
	"sync"
	"testing"
	"time"
)

// LockedBuffer is a log destination that servers' goroutines write to
// while a test reads it.
type LockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (l *LockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns everything written so far.
func (l *LockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// WaitGoroutines waits up to 10 seconds for the number of goroutines to
// fall to baseline+slack, and fails t with every goroutine's stack if it
// does not.
func WaitGoroutines(t testing.TB, baseline, slack int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > baseline+slack {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, %d before (slack %d):\n%s", runtime.NumGoroutine(), baseline, slack, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(5 * time.Millisecond)
	}
}
