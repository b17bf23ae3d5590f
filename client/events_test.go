package client_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/client"
	"github.com/roux-go/roux/openapi"
	"github.com/roux-go/roux/sse"
)

type Tick struct {
	Seq string `json:"seq"`
}

type TickEvent struct {
	Tick *Tick   `event:"tick"`
	Note *string `event:"note"`
}

// NarrowEvent declares the tick event alone: a client that declares the
// stream with it does not know the note event.
type NarrowEvent struct {
	Tick *Tick `event:"tick"`
}

type TicksIn struct {
	Script      string `query:"script" doc:"How the server behaves, connection by connection"`
	LastEventID string `header:"Last-Event-ID"`
}

type TickStream struct {
	Room string `header:"X-Room"`
	Body *sse.Stream[TickEvent]
}

// ticks is an API whose event stream behaves as the request's script
// says, connection by connection, and which answers 204 itself to a
// reconnection after the event "last" (or to any request of the script
// "over"), as a finished stream should.
type ticks struct {
	url      string
	hc       *http.Client
	ticks    *roux.Operation[TicksIn, sse.Stream[TickEvent]]
	envelope *roux.Operation[TicksIn, TickStream]
	plain    *roux.Operation[TicksIn, Tick]

	mu   sync.Mutex
	seen map[string][]string // script -> the Last-Event-ID of each connection
}

func newTicks(t *testing.T) *ticks {
	api := roux.New(roux.Config{Title: "Ticks", Version: "1.0.0"})
	k := &ticks{seen: map[string][]string{}}
	finished := roux.Describe(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			script, last := r.URL.Query().Get("script"), r.Header.Get("Last-Event-ID")
			k.mu.Lock()
			k.seen[script] = append(k.seen[script], last)
			k.mu.Unlock()
			if last == "last" || script == "over" {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			next.ServeHTTP(w, r)
		})
	}, map[string]*openapi.Response{"204": {Description: "The stream is over"}}, nil)
	k.ticks = roux.Get(api, "/ticks", func(ctx context.Context, in *TicksIn) (*sse.Stream[TickEvent], error) {
		n := k.conns(in.Script)
		switch {
		case in.Script == "missing":
			return nil, roux.NewError(http.StatusNotFound, "no such stream")
		case in.Script == "refuse" && n > 1:
			return nil, roux.NewError(http.StatusGone, "the stream is gone")
		case in.Script == "busy" && n > 1:
			return nil, roux.NewError(http.StatusServiceUnavailable, "busy").WithHeader("Retry-After", "5")
		}
		return sse.New(func(ctx context.Context, s *sse.Sender[TickEvent]) error {
			return produce(ctx, s, in.Script, n)
		}, sse.KeepAlive(0)), nil
	}, roux.Wrap(finished),
		roux.Response(http.StatusNotFound, "No such stream", nil),
		roux.Response(http.StatusGone, "The stream is gone", nil),
		roux.Response(http.StatusServiceUnavailable, "Busy", struct {
			RetryAfter string `header:"Retry-After"`
		}{}))
	k.envelope = roux.Get(api, "/envelope", func(ctx context.Context, in *TicksIn) (*TickStream, error) {
		return &TickStream{Room: "blue", Body: sse.New(func(ctx context.Context, s *sse.Sender[TickEvent]) error {
			return send(s, "1", "last")
		})}, nil
	}, roux.Wrap(finished))
	k.plain = roux.Get(api, "/plain", func(ctx context.Context, in *TicksIn) (*Tick, error) {
		return &Tick{Seq: "1"}, nil
	})
	srv := newServer(t, api)
	k.url, k.hc = srv.URL, srv.Client()
	return k
}

// conns returns how many connections script has made.
func (k *ticks) conns(script string) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.seen[script])
}

func (k *ticks) lastIDs(script string) []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.seen[script]...)
}

// produce is the n-th connection (from 1) of script.
func produce(ctx context.Context, s *sse.Sender[TickEvent], script string, n int) error {
	abort := func() error { panic(http.ErrAbortHandler) } // drops the connection
	switch script + "/" + string(rune('0'+n)) {
	case "resume/1":
		if err := send(s, "1", "2", "3"); err != nil {
			return err
		}
		return abort()
	case "resume/2", "retry/2", "silent/2":
		return send(s, "4", "last")
	case "retry/1":
		if err := s.Retry(20 * time.Millisecond); err != nil {
			return err
		}
		if err := send(s, "1"); err != nil {
			return err
		}
		return abort()
	case "refuse/1", "busy/1", "closed/1":
		return send(s, "1")
	case "silent/1", "cancel/1":
		if err := send(s, "1"); err != nil {
			return err
		}
		<-ctx.Done()
		return nil
	case "narrow/1":
		note := "hello"
		if err := s.SendID("n1", TickEvent{Note: &note}); err != nil {
			return err
		}
		return send(s, "last")
	}
	if strings.HasPrefix(script, "drop") {
		return abort()
	}
	return nil
}

func send(s *sse.Sender[TickEvent], ids ...string) error {
	for _, id := range ids {
		if err := s.SendID(id, TickEvent{Tick: &Tick{Seq: id}}); err != nil {
			return err
		}
	}
	return nil
}

// result is one iteration of Events: the event's ID, or the error.
type result struct {
	ID  string
	Err string
}

func collect[E any](seq func(func(sse.Message[E], error) bool)) []result {
	var got []result
	for m, err := range seq {
		if err != nil {
			got = append(got, result{Err: err.Error()})
			continue
		}
		got = append(got, result{ID: m.ID})
	}
	return got
}

func TestEvents(t *testing.T) {
	t.Parallel()
	k := newTicks(t)
	fast := client.ReconnectDelay(time.Millisecond, 10*time.Millisecond)
	for _, tt := range []struct {
		name    string
		script  string
		opts    []client.Option
		want    []result
		wantErr error    // errors.Is the last error
		status  int      // or its *roux.Error status
		lastIDs []string // the Last-Event-ID of each connection
	}{
		{
			name: "resumes after a dropped connection, stops at 204", script: "resume", opts: []client.Option{fast},
			want:    []result{{ID: "1"}, {ID: "2"}, {ID: "3"}, {ID: "4"}, {ID: "last"}},
			lastIDs: []string{"", "3", "last"},
		},
		{
			// The client's delay is an hour: only the retry field lets
			// the test end.
			name: "the stream's retry field sets the delay", script: "retry",
			opts:    []client.Option{client.ReconnectDelay(time.Hour, 0)},
			want:    []result{{ID: "1"}, {ID: "4"}, {ID: "last"}},
			lastIDs: []string{"", "1", "last"},
		},
		{
			name: "204 at once: no events", script: "over",
			lastIDs: []string{""},
		},
		{
			name: "a problem before streaming", script: "missing",
			want:    []result{{Err: "roux: 404 Not Found: no such stream"}},
			status:  http.StatusNotFound,
			lastIDs: []string{""},
		},
		{
			name: "a refused reconnection ends the iteration", script: "refuse", opts: []client.Option{fast},
			want:    []result{{ID: "1"}, {Err: "roux: 410 Gone: the stream is gone"}},
			status:  http.StatusGone,
			lastIDs: []string{"", "1"},
		},
		{
			name: "a Retry-After longer than MaxDelay ends the iteration", script: "busy", opts: []client.Option{fast},
			want:    []result{{ID: "1"}, {Err: "roux: 503 Service Unavailable: busy"}},
			status:  http.StatusServiceUnavailable,
			lastIDs: []string{"", "1"},
		},
		{
			name: "reconnections are bounded", script: "drop",
			opts:    []client.Option{client.Reconnect(2), client.ReconnectDelay(time.Millisecond, 0)},
			want:    []result{{Err: "client: get-ticks: gave up after 2 reconnections in a row without an event; the last: client: get-ticks: unexpected EOF"}},
			lastIDs: []string{"", "", ""},
		},
		{
			name: "no reconnection", script: "closed",
			opts:    []client.Option{client.Reconnect(0)},
			want:    []result{{ID: "1"}},
			lastIDs: []string{""},
		},
		{
			name: "an idle connection is dropped and resumed", script: "silent",
			opts:    []client.Option{client.ReconnectDelay(time.Millisecond, 0), client.IdleTimeout(200 * time.Millisecond)},
			want:    []result{{ID: "1"}, {ID: "4"}, {ID: "last"}},
			lastIDs: []string{"", "1", "last"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := client.New(k.url, client.HTTPClient(k.hc))
			var last error
			var got []result
			for m, err := range client.Events(ctx(t), c, k.ticks, &TicksIn{Script: tt.script}, tt.opts...) {
				if err != nil {
					last = err
					got = append(got, result{Err: err.Error()})
					continue
				}
				if m.Event.Tick == nil || m.Event.Tick.Seq != m.ID {
					t.Errorf("event %s carries %+v", m.ID, m.Event)
				}
				got = append(got, result{ID: m.ID})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			var pe *roux.Error
			if tt.status != 0 && (!errors.As(last, &pe) || pe.Status != tt.status) {
				t.Errorf("last error %v, want a *roux.Error of status %d", last, tt.status)
			}
			if diff := cmp.Diff(tt.lastIDs, k.lastIDs(tt.script)); diff != "" {
				t.Errorf("Last-Event-ID of each connection (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEventsDecoding(t *testing.T) {
	t.Parallel()
	k := newTicks(t)
	c := client.New(k.url, client.HTTPClient(k.hc))
	t.Run("an undeclared event yields an error and the iteration goes on", func(t *testing.T) {
		t.Parallel()
		narrow := roux.NewOperation[TicksIn, sse.Stream[NarrowEvent]](http.MethodGet, "/ticks")
		got := collect(client.Events(ctx(t), c, narrow, &TicksIn{Script: "narrow"}))
		want := []result{{Err: `sse: unknown event "note": client_test.NarrowEvent declares "tick"`}, {ID: "last"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("a response that is not an event stream", func(t *testing.T) {
		t.Parallel()
		wrong := roux.NewOperation[TicksIn, sse.Stream[TickEvent]](http.MethodGet, "/plain")
		got := collect(client.Events(ctx(t), c, wrong, nil))
		want := []result{{Err: `client: get-plain: the response is "application/json", not text/event-stream`}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("an envelope", func(t *testing.T) {
		t.Parallel()
		got := collect(client.EventsOf[TickEvent](ctx(t), c, k.envelope, nil))
		if diff := cmp.Diff([]result{{ID: "1"}, {ID: "last"}}, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("EventsOf of another event type", func(t *testing.T) {
		t.Parallel()
		got := collect(client.EventsOf[NarrowEvent](ctx(t), c, k.envelope, nil))
		want := []result{{Err: "client: get-envelope answers with *sse.Stream[github.com/roux-go/roux/client_test.TickEvent], not sse.Stream[github.com/roux-go/roux/client_test.NarrowEvent]"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("Call refuses a stream and names Events", func(t *testing.T) {
		t.Parallel()
		_, err := client.Call(ctx(t), c, k.ticks, nil)
		if !errors.Is(err, client.ErrUnsupported) || !strings.Contains(err.Error(), "client.Events") {
			t.Errorf("got %v, want ErrUnsupported naming client.Events", err)
		}
	})
}

// Cancelling the context ends the iteration with its error, also while
// the stream is silent.
func TestEventsCancel(t *testing.T) {
	t.Parallel()
	k := newTicks(t)
	c := client.New(k.url, client.HTTPClient(k.hc))
	cx, cancel := context.WithCancel(ctx(t))
	defer cancel()
	var got []result
	var last error
	for m, err := range client.Events(cx, c, k.ticks, &TicksIn{Script: "cancel"}) {
		if err != nil {
			last = err
			got = append(got, result{Err: err.Error()})
			continue
		}
		got = append(got, result{ID: m.ID})
		cancel()
	}
	if len(got) != 2 || got[0].ID != "1" || !errors.Is(last, context.Canceled) {
		t.Errorf("got %+v (last error %v), want event 1 then context.Canceled", got, last)
	}
	if n := k.conns("cancel"); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}

// Breaking out of the loop ends the iteration: no other connection is
// made.
func TestEventsBreak(t *testing.T) {
	t.Parallel()
	k := newTicks(t)
	c := client.New(k.url, client.HTTPClient(k.hc))
	for m, err := range client.Events(ctx(t), c, k.ticks, &TicksIn{Script: "resume"}) {
		if err != nil || m.ID != "1" {
			t.Fatalf("got %v, %v; want event 1", m, err)
		}
		break
	}
	if n := k.conns("resume"); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}
