package middleware

import (
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/roux-go/roux/openapi"
	"github.com/roux-go/roux/schema"
)

// Priority orders requests for [LoadShed]: under overload, Low is shed
// first and Critical last.
type Priority int

// The priorities, from shed-first to shed-last.
const (
	Low Priority = iota
	Normal
	Critical
)

// LoadShedOption configures a [LoadShedder] (given to [NewLoadShedder]
// or [LoadShed]). Without options a shedder starts at a limit of 20
// within [4, 1000], treats every request as Normal, asks for a retry
// after one second and admits 1000 long-lived responses. The interface is
// sealed: build options with the constructors below and [RetryAfter].
type LoadShedOption interface {
	applyLoadShed(*loadShedConfig)
}

type loadShedOption func(*loadShedConfig)

func (f loadShedOption) applyLoadShed(c *loadShedConfig) { f(c) }

// loadShedConfig is what the options of a LoadShedder add up to; zero
// values mean the defaults.
type loadShedConfig struct {
	initialLimit, minLimit, maxLimit int
	probeLimit                       int
	overloadMinLimit                 int
	priority                         func(*http.Request) Priority
	retryAfter                       time.Duration
	maxLongLived                     int
	longLived                        func(*http.Request) bool
	schedDelay                       time.Duration
}

// InitialLimit sets the concurrency limit a [LoadShedder] starts from; it
// defaults to 20. A value below 1 keeps the default.
func InitialLimit(n int) LoadShedOption {
	return loadShedOption(func(c *loadShedConfig) { c.initialLimit = n })
}

// MinLimit sets the lowest the adaptive limit of a [LoadShedder] goes;
// it defaults to 4. A value below 1 keeps the default. It is also the
// limit during a probe window unless [ProbeLimit] says otherwise.
func MinLimit(n int) LoadShedOption {
	return loadShedOption(func(c *loadShedConfig) { c.minLimit = n })
}

// ProbeLimit sets how many requests a [LoadShedder] lets run at once
// during a probe window, in which it measures its baseline: the latency of
// requests that do not queue. It defaults to [MinLimit], and a value below
// 1 keeps the default. Set it below MinLimit when the server needs more
// requests in flight than would run without queueing to reach its
// throughput — a store that commits concurrent writes together, say —
// so that the floor keeps that concurrency while the baseline stays the
// latency of a request that hardly waits: a baseline measured at a high
// floor is mostly queueing, which the limit then takes for normal and
// grows past. In overload (see [OverloadMinLimit]) a probe runs at no
// more than OverloadMinLimit.
func ProbeLimit(n int) LoadShedOption {
	return loadShedOption(func(c *loadShedConfig) { c.probeLimit = n })
}

// OverloadMinLimit lets the adaptive limit of a [LoadShedder] go below
// [MinLimit], down to n, while the shedder is refusing requests: MinLimit
// then holds for the loads the server carries, and not for overload.
// Without it (or with n below 1, or not below MinLimit) MinLimit holds
// always.
//
// A high MinLimit keeps the concurrency a server needs for its throughput
// (a store that commits concurrent writes together): a closed loop of
// MinLimit clients is never refused. Under overload it costs latency,
// since the floor's worth of requests queue at once. With this option, a
// window of requests (50, or 100 ms) in which the shedder refused at
// least a tenth as many as it admitted begins an overload: the limit may
// then shrink by the gradient down to n, and probe windows run at no more
// than n (nor [ProbeLimit]). The overload ends — MinLimit holds again —
// after a window without a refusal, as when refused clients wait the
// Retry-After delay, or after a trial: every five seconds in overload the
// limit goes up to MinLimit until the first refusal, and a whole window
// through which nobody was refused ends the overload. So clients that
// retry at once, but are no more than MinLimit, get the floor back within
// seconds, while an open-loop overload keeps the lower limit, paying for
// each trial with the latency of the few requests it let in. An
// overload that comes back within five seconds of its end (after a lull
// in the demand) starts from the limit it had reached.
//
// Refusals of Low-priority requests within the limit (over their share
// of it) and refusals during probes do not count; long-lived responses
// keep their own cap ([MaxLongLived]) either way.
func OverloadMinLimit(n int) LoadShedOption {
	return loadShedOption(func(c *loadShedConfig) { c.overloadMinLimit = n })
}

// SchedulingDelay makes a [LoadShedder] in overload refuse every request
// but Critical ones while the Go scheduler runs late and at least one
// admitted request is running. The scheduler is late when at least a
// quarter of the goroutines that began to run since the last reading had
// waited d or longer for a processor — d rounded up to a boundary of the
// runtime's histogram, /sched/latencies:seconds, which samples one
// scheduling in eight. A request reads it when the last reading is d old
// or more, and only in overload. Without the option (or with d ≤ 0) the
// shedder does not look at the scheduler. The shedder is in overload as
// [OverloadMinLimit] says when that option is given, and otherwise from
// a window of requests in which it refused at least a tenth as many as
// it admitted, until a window without a refusal: a server that is not
// refusing requests is never refused by its scheduler's delay, which a
// closed loop of more clients than processors raises too. The running
// request it always lets in keeps the shedder's windows ending, so that
// an overload ends when the refusals do, whatever else keeps the
// scheduler late; the gate's refusals count as the limit's.
//
// A concurrency limit bounds the requests running, not the processor
// time the server spends, and under an overload the refusals take their
// share: net/http reads each refused request and writes its answer, tens
// of microseconds. When the admitted requests leave too little for them,
// the refusals fall behind, requests wait unread in the kernel's socket
// buffers, where no shedder sees them, and clients time out and connect
// again, which costs more still. The scheduler's delay is the queue in
// front of all that work, refusals included: admitting nothing while it
// is long lets the refusals catch up. A millisecond suits a server whose
// requests take a few hundred microseconds of processor time or less:
// offered three times the kitchen's capacity on one core (an open loop),
// it answered within 200 ms a median of about half its capacity against
// a fifth to a third without the gate, with no round of client time-outs
// against two rounds in five, and cut the p50 and the p99 of admitted
// requests several times over. Clients in a closed loop that send again
// as soon as they are refused, Retry-After unheeded, cannot outrun the
// refusals, and there the gate costs: with 64 and 256 of them the
// kitchen served 0.58–1.0 and 0.42–0.86 of its capacity against
// 0.74–0.95 and 0.57–0.90 without (BENCHMARKS.md, the eighth stop).
func SchedulingDelay(d time.Duration) LoadShedOption {
	return loadShedOption(func(c *loadShedConfig) { c.schedDelay = d })
}

// MaxLimit sets the highest the adaptive limit of a [LoadShedder] goes;
// it defaults to 1000. A value below 1 keeps the default.
func MaxLimit(n int) LoadShedOption {
	return loadShedOption(func(c *loadShedConfig) { c.maxLimit = n })
}

// Prioritize sets how a [LoadShedder] classifies a request; without it
// every request is Normal. Health checks deserve Critical, cheap reads
// Normal, expensive or retryable work Low.
func Prioritize(fn func(*http.Request) Priority) LoadShedOption {
	return loadShedOption(func(c *loadShedConfig) { c.priority = fn })
}

// MaxLongLived caps the long-lived responses — event streams, WebSocket
// sessions — that a [LoadShedder] lets be open at once; it defaults to
// 1000, and a value below 1 keeps the default. They are kept out of the
// concurrency limit, whose places are for requests that end soon: a
// stream would hold its place for minutes, and its duration says nothing
// about queueing. Past the cap they are refused with 503 too.
func MaxLongLived(n int) LoadShedOption {
	return loadShedOption(func(c *loadShedConfig) { c.maxLongLived = n })
}

// LongLived sets how a [LoadShedder] recognizes, before it runs, a
// request whose response is long-lived (by its path, say): it takes a
// place under [MaxLongLived] at once and never one of the concurrency
// limit, whatever the load. By default none is recognized. A response
// that turns out long-lived without being recognized moves itself out of
// the limit with [MarkLongLived], as package sse's streams and package
// ws's sessions do when they start; until then it was subject to the
// limit like any request. Classify by what the client cannot choose: a
// rule on request headers (Accept: text/event-stream) would let any
// request skip the limit.
func LongLived(fn func(*http.Request) bool) LoadShedOption {
	return loadShedOption(func(c *loadShedConfig) { c.longLived = fn })
}

// LoadShedder admits as many concurrent requests as the server can take
// without its latency rising, and answers the rest 503 with Retry-After
// at once, instead of queueing them until everyone times out.
//
// The limit adapts to observed latency with the gradient algorithm of
// Netflix's concurrency-limits (Gradient2): it compares a long-term
// average of request latency with the recent one. While they agree, the
// limit grows by about its square root per window (headroom to find more
// capacity); when recent latency rises well above the long-term level —
// requests are queueing somewhere — the limit shrinks in proportion.
// The baseline is measured in a probe window during which the limit is
// [ProbeLimit] ([MinLimit] by default), from the requests admitted in the
// window (those admitted before it end with the queueing it leaves out):
// at start (so a burst right at start is mostly shed) and again every ten
// seconds under load.
// The limit never goes below [MinLimit], unless [OverloadMinLimit] lets it
// while the shedder is refusing requests.
// Low-priority requests are admitted only below 80% of the limit and
// Critical ones up to 150%, so health checks and cheap operations are
// shed last. A shed request costs microseconds: it never reaches the
// handlers. Put the shedder in front of the other middleware, since what
// runs before it runs for every refusal too, and under overload refusals
// are most of the requests: behind recover, a request ID and security
// headers (BenchmarkLoadShed, front/refused) a refusal costs tens of
// times what it costs alone, and that comes on top of net/http's own work
// on a request, reading it and writing the answer, which on one core
// costs a tenth to a sixth of a cheap database read in all (the refusal
// floor of bench/cmd/kitchenload -costs). Added first with roux's
// API.UseDocumented, its 503 is published without the headers of the
// middleware behind it, which it answers without calling.
//
// While it refuses requests, or has just given its last place, an
// admitted request first yields the processor (runtime.Gosched), so that
// the requests already read, mostly refused at once, are answered before
// the work of an admitted one starts; and a request whose context has
// ended by then (net/http ends it when the client has closed the
// connection) is not run but aborted with [http.ErrAbortHandler], its
// place given back. At three times the kitchen's capacity this kept it
// from collapsing in most rounds (BENCHMARKS.md, the seventh stop).
// With [SchedulingDelay], a shedder in overload also refuses all but
// Critical requests while the Go scheduler runs late, so that the
// refusals, which cost processor time too, are not left behind.
//
// Long-lived responses have a cap of their own ([MaxLongLived]).
// Every refusal is an RFC 9457 problem with status 503 and Retry-After,
// counted apart by [LoadShedder.Shed] and [LoadShedder.ShedLongLived].
// A LoadShedder is safe for concurrent use.
type LoadShedder struct {
	l          *limiter
	classify   func(*http.Request) Priority
	longLived  func(*http.Request) bool
	maxLong    int64
	long       atomic.Int64 // long-lived responses open
	retry      time.Duration
	retryAfter []string // the header value, shared by every refusal
	busy, full refusal  // the problems of the two refusals
	shed       atomic.Int64
	shedLong   atomic.Int64
}

// NewLoadShedder returns a load shedder configured by opts.
func NewLoadShedder(opts ...LoadShedOption) *LoadShedder {
	var c loadShedConfig
	for _, o := range opts {
		o.applyLoadShed(&c)
	}
	secs := retryAfterSeconds(c.retryAfter)
	if c.maxLongLived <= 0 {
		c.maxLongLived = 1000
	}
	s := &LoadShedder{l: newLimiter(c, nil), classify: c.priority, longLived: c.longLived,
		maxLong: int64(c.maxLongLived), retry: time.Duration(secs) * time.Second,
		retryAfter: []string{strconv.Itoa(secs)},
		busy:       newRefusal("the server is at capacity; retry after " + strconv.Itoa(secs) + "s"),
		full:       newRefusal("the server has too many long-lived responses (event streams, WebSocket sessions) open; retry after " + strconv.Itoa(secs) + "s"),
	}
	if s.classify == nil {
		s.classify = func(*http.Request) Priority { return Normal }
	}
	return s
}

// LoadShed returns the middleware of a new [LoadShedder].
func LoadShed(opts ...LoadShedOption) func(http.Handler) http.Handler {
	return NewLoadShedder(opts...).Middleware
}

// Middleware sheds the requests to next beyond the limit.
func (s *LoadShedder) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.longLived != nil && s.longLived(r) {
			if !s.enterLong() {
				s.refuse(w, s.full)
				return
			}
			defer s.long.Add(-1)
			next.ServeHTTP(w, r)
			return
		}
		epoch, ok := s.l.acquire(s.classify(r))
		if !ok {
			s.shed.Add(1)
			s.refuse(w, s.busy)
			return
		}
		if s.l.pressed() {
			// Under overload, an admitted request first lets the goroutines
			// ready to run go ahead of it: net/http's reads of the next
			// requests, which are mostly refused at once. Answering them
			// before starting work that takes many times a refusal keeps the
			// clients' connections turning over (see BENCHMARKS.md, the
			// seventh stop). The yield also lets net/http's background read
			// of the connection run: if it found the client gone, the
			// request's context has ended and the request is not run.
			runtime.Gosched()
			if r.Context().Err() != nil {
				s.l.leave()
				panic(http.ErrAbortHandler)
			}
		}
		// The ticket, in the request's context, lets the response move
		// itself out of the limit (MarkLongLived): two allocations, the
		// context and the request that carries it, unless the context is
		// one of this package's already (context.go).
		t, r := requestContextFor(r, ticketKey{})
		t.shed.Store(s)
		start := time.Now()
		defer func() {
			if t.moved.Load() {
				s.long.Add(-1)
			} else {
				s.l.release(time.Since(start), epoch)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// Wrap is [LoadShedder.Middleware], under the name by which roux knows a
// middleware that documents what it answers (with Responses and Headers).
func (s *LoadShedder) Wrap(next http.Handler) http.Handler { return s.Middleware(next) }

// enterLong takes a place among the long-lived responses, or counts a
// refusal and reports false.
func (s *LoadShedder) enterLong() bool {
	if s.long.Add(1) > s.maxLong {
		s.long.Add(-1)
		s.shedLong.Add(1)
		return false
	}
	return true
}

// refuse sends one of the prepared 503 problems. Its header values are
// shared by every refusal, so that refusing allocates nothing: net/http
// only reads them, and Set or Add would replace them, not write to them.
func (s *LoadShedder) refuse(w http.ResponseWriter, p refusal) {
	h := w.Header()
	h["Retry-After"] = s.retryAfter
	h["Content-Type"] = problemType
	h["Content-Length"] = p.length
	delete(h, "Content-Encoding")
	w.WriteHeader(http.StatusServiceUnavailable)
	w.Write(p.body) //nolint:errcheck // nothing more can be done for this client
}

var problemType = []string{"application/problem+json"}

// refusal is a prepared 503 problem.
type refusal struct {
	body   []byte
	length []string // the Content-Length header's value
}

func newRefusal(detail string) refusal {
	body := problemBody(http.StatusServiceUnavailable, detail)
	return refusal{body: body, length: []string{strconv.Itoa(len(body))}}
}

// Limit returns the current concurrency limit.
func (s *LoadShedder) Limit() int { return int(s.l.limit.Load()) }

// InFlight returns how many requests hold a place in the concurrency
// limit. A request's place is given back when its handler returns, which
// may be a moment after its client has the whole response.
func (s *LoadShedder) InFlight() int64 { return s.l.inflight.Load() }

// Shed returns how many requests the concurrency limit has refused, and
// with [SchedulingDelay] the scheduler gate.
func (s *LoadShedder) Shed() int64 { return s.shed.Load() }

// ShedLongLived returns how many long-lived responses have been refused
// because [MaxLongLived] were open.
func (s *LoadShedder) ShedLongLived() int64 { return s.shedLong.Load() }

// LongLivedOpen returns how many long-lived responses are open.
func (s *LoadShedder) LongLivedOpen() int64 { return s.long.Load() }

// Responses returns what the shedder answers itself, for the OpenAPI
// document of every operation it guards: 503 with Retry-After. The
// response has no content: roux publishes it as its problem+json.
func (s *LoadShedder) Responses() map[string]*openapi.Response {
	return map[string]*openapi.Response{
		strconv.Itoa(http.StatusServiceUnavailable): {
			Description: "The server is at capacity, or has too many long-lived responses open; retry after the Retry-After delay",
			// Retry-After as roux publishes it everywhere (delay-seconds as
			// a string): one schema per header name, which generators need.
			Headers: map[string]*openapi.Header{"Retry-After": {
				Description: "How many seconds to wait before retrying",
				Required:    true,
				Schema:      &schema.Schema{Type: schema.Types{"string"}, Pattern: "^[0-9]+$"},
			}},
		},
	}
}

// Headers returns the headers the shedder adds to every response: none.
func (s *LoadShedder) Headers() map[string]*openapi.Header { return nil }

// LongLivedLimitError is the error of [MarkLongLived] when the load
// shedder has [MaxLongLived] long-lived responses open already.
type LongLivedLimitError struct {
	// RetryAfter is the delay the shedder asks clients to wait.
	RetryAfter time.Duration
}

// Error says that the cap is reached, and the delay to retry after.
func (e *LongLivedLimitError) Error() string {
	return fmt.Sprintf("middleware: too many long-lived responses open; retry after %v", e.RetryAfter)
}

// MarkLongLived tells the [LoadShedder] that admitted r — the innermost,
// if several did — that r's response is long-lived (an event stream, a
// WebSocket session): its place in the concurrency limit is freed, without
// a latency sample, and it takes one under [MaxLongLived] instead. Call it
// before anything of the response is written. It returns a
// *[LongLivedLimitError] when MaxLongLived are open: the response should
// then be a 503 with Retry-After. Without a shedder, and on later calls, it
// does nothing and returns nil.
func MarkLongLived(r *http.Request) error {
	t := lookup(r.Context(), ticketKey{})
	if t == nil || t.moved.Load() {
		return nil
	}
	s := t.shed.Load()
	if !s.enterLong() {
		return &LongLivedLimitError{RetryAfter: s.retry}
	}
	if t.moved.CompareAndSwap(false, true) {
		s.l.leave()
	} else {
		s.long.Add(-1) // moved meanwhile by another goroutine
	}
	return nil
}

// problemBody is the JSON of an RFC 9457 problem with status and detail
// (ASCII, which strconv.Quote quotes as JSON would).
func problemBody(status int, detail string) []byte {
	return []byte(`{"type":"about:blank","title":` + strconv.Quote(http.StatusText(status)) + `,"status":` +
		strconv.Itoa(status) + `,"detail":` + strconv.Quote(detail) + `}`)
}
