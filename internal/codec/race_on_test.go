//go:build race

package codec

// raceEnabled is set under the race detector, whose sync.Pool drops items
// at random, so allocation counts of pooled paths mean nothing there.
const raceEnabled = true
