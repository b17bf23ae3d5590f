//go:build race

package middleware_test

// raceEnabled is set under the race detector, which slows everything
// down unevenly: timing comparisons mean nothing there.
const raceEnabled = true
