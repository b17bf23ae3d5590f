package roux

import (
	"maps"
	"sync"
)

// The reasons of the refusal counts an API reports ([API.Refusals]):
// requests turned away before an operation could serve them (with 503,
// or 429 for a rate limit), which an operator needs to see apart from the
// operations' own answers.
const (
	// RefusalCPUPool counts the requests of [CPUBound] operations that
	// the CPU pool turned away: full, or no worker free in time. roux
	// counts them itself.
	RefusalCPUPool = "cpu_pool"
	// RefusalLoadShed counts the requests a load shedder refused
	// (middleware.LoadShedder's concurrency limit, or its scheduler gate).
	RefusalLoadShed = "load_shed"
	// RefusalLongLived counts the requests refused because too many
	// long-lived responses (event streams, WebSocket sessions) were open.
	RefusalLongLived = "long_lived_limit"
	// RefusalConnections counts the connections refused because the
	// server had too many open (package cli's -max-conns).
	RefusalConnections = "connection_limit"
	// RefusalRateLimit counts the requests refused by a rate limit
	// with 429 (middleware.RateLimiter's Limited).
	RefusalRateLimit = "rate_limit"
)

// refusals holds the sources of the refusal counts, by reason.
type refusals struct {
	mu      sync.Mutex
	sources map[string][]func() int64
}

// CountRefusals adds count to the sources of the refusal count for
// reason (one of the Refusal constants, or a name of the caller's own):
// the count reported is the sum of its sources' values, so each source
// must only grow. Whatever refuses requests on the API's behalf — a load
// shedder, a server's connection cap — registers its counter here, and
// telemetry (package rouxotel) publishes them all. It is safe for
// concurrent use, also while the API serves.
func (a *API) CountRefusals(reason string, count func() int64) {
	a.refusals.mu.Lock()
	defer a.refusals.mu.Unlock()
	if a.refusals.sources == nil {
		a.refusals.sources = map[string][]func() int64{}
	}
	a.refusals.sources[reason] = append(a.refusals.sources[reason], count)
}

// Refusals returns how many requests have been refused so far, by
// reason: those of [RefusalCPUPool], always present, and those
// registered with [API.CountRefusals]. The map is the caller's.
func (a *API) Refusals() map[string]int64 {
	_, _, cpu := a.CPUStats()
	out := map[string]int64{RefusalCPUPool: cpu}
	a.refusals.mu.Lock()
	sources := maps.Clone(a.refusals.sources)
	a.refusals.mu.Unlock()
	for reason, fns := range sources {
		for _, fn := range fns {
			out[reason] += fn()
		}
	}
	return out
}
