//go:build race

package rouxotel_test

// raceEnabled is set under the race detector, which allocates where a
// plain build does not: allocation counts mean nothing there.
const raceEnabled = true
