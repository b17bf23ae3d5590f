package client_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/client"
)

type fuzzIn struct {
	PS   string    `path:"ps"`
	PI   int64     `path:"pi"`
	PSS  []string  `path:"pss"`
	Rest string    `path:"rest"`
	QS   string    `query:"qs"`
	QP   *string   `query:"qp"`
	QSS  []string  `query:"qss"`
	QSC  []string  `query:"qsc" explode:"false"`
	QF   float64   `query:"qf"`
	QT   time.Time `query:"qt"`
	QB   []byte    `query:"qb"`
	HS   string    `header:"X-HS"`
	HSS  []string  `header:"X-HSS"`
	HI   int64     `header:"X-HI"`
	HT   time.Time `header:"X-HT"`
	CS   string    `cookie:"cs"`
	CB   []byte    `cookie:"cb"`
	CF   float32   `cookie:"cf"`
	Form struct {
		S  string   `form:"s"`
		SS []string `form:"ss"`
	}
}

// FuzzCall sends fuzzed values in every location over loopback and
// checks that the server binds exactly what the client was given, or
// that the client refused the input without sending it.
func FuzzCall(f *testing.F) {
	f.Add("a", "h", "c", int64(1), 1.5, []byte("x"), int64(0))
	f.Add("a b/c,d", "x, y", "p q", int64(-1), math.Copysign(0, -1), []byte{}, int64(1e18)) // negative zero
	f.Add(" ", "\t", " ", int64(0), 1e-300, []byte(nil), int64(-1))
	f.Add("..", "é", "=", int64(7), 3.0, []byte{0xff}, int64(12345))
	f.Add("é\x00;\"%2F", "a\x7f", "\"", int64(7), 3.0, []byte{0xff}, int64(12345))

	api := roux.New(roux.Config{Title: "Fuzz", Version: "1.0.0"})
	var bound atomic.Pointer[fuzzIn]
	op := roux.Put(api, "/f/{ps}/{pi}/{pss}/{rest...}", func(ctx context.Context, in *fuzzIn) (*struct{}, error) {
		bound.Store(in)
		return &struct{}{}, nil
	})
	srv := newServer(f, api)
	c := client.New(srv.URL, client.HTTPClient(srv.Client()))

	f.Fuzz(func(t *testing.T, s, hs, cs string, i int64, fl float64, b []byte, ns int64) {
		tm := time.Unix(0, ns).In(time.FixedZone("", int(i%(20*3600))))
		// Items of comma-separated lists cannot hold commas, nor be
		// empty; header items cannot start or end with white space.
		item := "i" + strings.ReplaceAll(s, ",", ";")
		hitem := "h" + strings.TrimRight(strings.ReplaceAll(hs, ",", ";"), " \t")
		in := &fuzzIn{
			PS: "p" + s, PI: i, PSS: []string{item, "x"}, Rest: s,
			QS: s, QP: &s, QSS: []string{s, s}, QSC: []string{item}, QF: fl, QT: tm, QB: b,
			HS: hs, HSS: []string{hitem, "y"}, HI: i, HT: tm,
			CS: cs, CB: b, CF: float32(fl),
		}
		in.Form.S, in.Form.SS = s, []string{s, ""}
		bound.Store(nil)
		cx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := client.Call(cx, c, op, in)
		if errors.Is(err, client.ErrInvalid) {
			if bound.Load() != nil {
				t.Fatalf("refused input %v reached the server", err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Call: %v", err)
		}
		got := bound.Load()
		if got == nil {
			t.Fatal("the handler did not run")
		}
		if diff := cmp.Diff(in, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("bound (-sent +got):\n%s", diff)
		}
	})
}
