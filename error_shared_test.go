package roux_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/rouxtest"
)

// errBusy is shared by every request, as a package-level problem is.
var errBusy = roux.NewError(http.StatusServiceUnavailable, "busy").WithHeader("Retry-After", "1")

// TestErrorDerivedConcurrently derives from one shared *roux.Error in
// many requests at once: each answer carries its own header and cause,
// and the shared value stays as it was. Under -race, a Wrap or
// WithHeader that changed its receiver is a reported race.
func TestErrorDerivedConcurrently(t *testing.T) {
	t.Parallel()
	cause := errors.New("the queue is full")
	api := quietAPI()
	roux.Get(api, "/busy/{n}", func(ctx context.Context, in *struct {
		N int `path:"n"`
	}) (*struct{}, error) {
		e := errBusy.WithHeader("X-Attempt", strconv.Itoa(in.N)).Wrap(fmt.Errorf("attempt %d: %w", in.N, cause))
		if !errors.Is(e, cause) {
			t.Errorf("attempt %d: the copy lost its cause", in.N)
		}
		return nil, e
	}, roux.Response(http.StatusServiceUnavailable, "", struct {
		RetryAfter string `header:"Retry-After"`
		Attempt    string `header:"X-Attempt"`
	}{}))
	c := rouxtest.New(t, api)
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Go(func() {
			r := c.Get("/busy/" + strconv.Itoa(i))
			got := map[string][]string{"Retry-After": r.Header.Values("Retry-After"), "X-Attempt": r.Header.Values("X-Attempt")}
			want := map[string][]string{"Retry-After": {"1"}, "X-Attempt": {strconv.Itoa(i)}}
			if r.Status != http.StatusServiceUnavailable || !cmp.Equal(got, want) {
				t.Errorf("request %d: got %d with %v, want 503 with %v", i, r.Status, got, want)
			}
		})
	}
	wg.Wait()
	if errBusy.Unwrap() != nil {
		t.Errorf("the shared error got the cause %v", errBusy.Unwrap())
	}
	roux.Get(api, "/shared", func(ctx context.Context, in *struct{}) (*struct{}, error) { return nil, errBusy },
		roux.Response(http.StatusServiceUnavailable, "", struct {
			RetryAfter string `header:"Retry-After"`
		}{}))
	r := c.Get("/shared")
	if got := r.Header.Values("X-Attempt"); len(got) != 0 {
		t.Errorf("the shared error got X-Attempt %q from the copies", got)
	}
	if got := r.Header.Values("Retry-After"); !cmp.Equal(got, []string{"1"}) {
		t.Errorf("the shared error sends Retry-After %q, want [1]", got)
	}
}

// TestErrorCopies: Wrap and WithHeader return copies and leave their
// receiver unchanged.
func TestErrorCopies(t *testing.T) {
	t.Parallel()
	cause := errors.New("cause")
	// headersOf serves e and returns the headers A and Retry-After of
	// the answer.
	headersOf := func(t *testing.T, e *roux.Error) map[string][]string {
		t.Helper()
		api := quietAPI()
		roux.Get(api, "/e", func(ctx context.Context, in *struct{}) (*struct{}, error) { return nil, e },
			roux.Response(http.StatusTooManyRequests, "", struct {
				A          *string `header:"A"`
				RetryAfter *string `header:"Retry-After"`
			}{}))
		r := rouxtest.New(t, api).Get("/e")
		got := map[string][]string{}
		for _, k := range []string{"A", "Retry-After"} {
			if vs := r.Header.Values(k); len(vs) > 0 {
				got[k] = vs
			}
		}
		return got
	}
	for _, tt := range []struct {
		name        string
		derive      func(*roux.Error) *roux.Error
		wantHeaders map[string][]string
		wantCause   error
	}{
		{"Wrap", func(e *roux.Error) *roux.Error { return e.Wrap(cause) },
			map[string][]string{"A": {"0"}}, cause},
		{"WithHeader", func(e *roux.Error) *roux.Error { return e.WithHeader("Retry-After", "5") },
			map[string][]string{"A": {"0"}, "Retry-After": {"5"}}, nil},
		{"WithHeader twice", func(e *roux.Error) *roux.Error { return e.WithHeader("A", "1").WithHeader("A", "2") },
			map[string][]string{"A": {"0", "1", "2"}}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			base := roux.NewError(http.StatusTooManyRequests, "slow down").WithHeader("A", "0")
			d := tt.derive(base)
			if d == base {
				t.Fatal("got the receiver back, want a copy")
			}
			if base.Unwrap() != nil {
				t.Errorf("the receiver got the cause %v", base.Unwrap())
			}
			if got, want := headersOf(t, base), map[string][]string{"A": {"0"}}; !cmp.Equal(got, want) {
				t.Errorf("the receiver sends %v, want %v", got, want)
			}
			if got := headersOf(t, d); !cmp.Equal(got, tt.wantHeaders) {
				t.Errorf("the copy sends %v, want %v", got, tt.wantHeaders)
			}
			if d.Unwrap() != tt.wantCause || d.Status != base.Status || d.Detail != base.Detail {
				t.Errorf("the copy: cause %v, %d %q; want %v, %d %q", d.Unwrap(), d.Status, d.Detail, tt.wantCause, base.Status, base.Detail)
			}
		})
	}
}
