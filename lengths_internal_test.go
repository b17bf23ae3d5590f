package roux

import (
	"strconv"
	"testing"
)

func TestContentLength(t *testing.T) {
	t.Parallel()
	for n := range 5000 {
		if got, want := contentLength(n), strconv.Itoa(n); len(got) != 1 || got[0] != want {
			t.Fatalf("contentLength(%d): got %q, want %q", n, got, want)
		}
	}
}
