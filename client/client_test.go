package client_test

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/client"
	"github.com/roux-go/roux/internal/testutil"
)

var addrEqual = cmp.Comparer(func(a, b netip.Addr) bool { return a == b })

func ptr[T any](v T) *T { return &v }

// ctx returns a context that ends with the test, bounded in time.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// minimalPath has the zero value of every path parameter that can carry
// one, and an empty rest.
var minimalPath = PathIn{S: "s", By: []byte{0}, A: netip.IPv4Unspecified(), L: "l", Is: []int{0}}

func TestParamsRoundTrip(t *testing.T) {
	t.Parallel()
	k := newKitchen(t)
	c := client.New(k.srv.URL, client.HTTPClient(k.srv.Client()))
	tm := time.Date(2024, 2, 29, 23, 59, 58, 123456789, time.FixedZone("", -7*3600))
	for _, tt := range []struct {
		name string
		in   ParamsIn
		want *ParamsIn // what the server binds; nil: in itself
	}{
		{
			name: "every type",
			in: ParamsIn{
				PathIn: PathIn{S: "a b/c?d#e%f", I: math.MinInt64, U8: 255, F: -1.25e-7, B: true, T: tm,
					By: []byte{0xfb, 0xff, 0x00}, A: netip.MustParseAddr("2001:db8::1"), L: "high", Is: []int{-1, 0, 1},
					Rest: "x/y z/ü"},
				QueryIn: QueryIn{S: "a&b=c+d", SP: ptr(""), Req: "r", I8: -8, I: 42, U64: math.MaxUint64, F32: 0.1,
					B: true, BP: ptr(false), T: tm, TP: ptr(time.Unix(0, 0).UTC()), By: []byte("hi?"),
					A: netip.MustParseAddr("127.0.0.1"), L: "low", SS: []string{"a,b", "", "c"}, SC: []string{"x", "y"},
					IS: []int64{1, 2}, PS: &[]float64{1.5, 2}, AS: []netip.Addr{netip.MustParseAddr("::1")}, Lim: 3,
					Flag: ptr(false)},
				HeaderIn: HeaderIn{S: "va lue;é", I: -3, U: 3, F: 2.5, B: true, T: tm, By: []byte{1, 2, 3},
					A: netip.MustParseAddr("10.1.2.3"), SS: []string{"one", "t w o"}, IP: ptr(0)},
				CookieIn: CookieIn{S: "x y,z=w", I: -16, U: 32, F: 3.5, B: true, T: tm, By: []byte{0xff},
					A: netip.MustParseAddr("fe80::1"), IS: []int64{-5, 5}, SP: ptr("")},
			},
		},
		{
			name: "zero values are not sent: defaults apply",
			in: ParamsIn{
				PathIn:  minimalPath,
				QueryIn: QueryIn{Req: "", SS: []string{}, SC: []string{}},
			},
			want: &ParamsIn{
				PathIn:  minimalPath,
				QueryIn: QueryIn{Lim: 10, Flag: ptr(true), SC: []string{}, L: "low"},
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := client.Call(ctx(t), c, k.params, &tt.in)
			if err != nil {
				t.Fatalf("Call: %v", err)
			}
			want := tt.want
			if want == nil {
				want = &tt.in
			}
			gotIn := &ParamsIn{got.Path, got.Query, got.Header, got.Cookie}
			if diff := cmp.Diff(want, gotIn, addrEqual, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("bound (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRefusedInputs(t *testing.T) {
	t.Parallel()
	k := newKitchen(t)
	c := client.New(k.srv.URL, client.HTTPClient(k.srv.Client()))
	base := func() ParamsIn { return ParamsIn{PathIn: minimalPath} }
	for _, tt := range []struct {
		name string
		edit func(*ParamsIn)
		want string
	}{
		{"dot segment", func(in *ParamsIn) { in.PathIn.S = ".." }, `path "/params/../`},
		{"empty rest segment", func(in *ParamsIn) { in.Rest = "a//b" }, `has an empty, "." or ".." segment`},
		{"empty path value", func(in *ParamsIn) { in.PathIn.S = "" }, `path parameter "s" is empty`},
		{"comma in item", func(in *ParamsIn) { in.SC = []string{"a,b"} }, `query parameter "sc": item 1 "a,b" has a comma`},
		{"header line break", func(in *ParamsIn) { in.HeaderIn.S = "a\nb" }, `header parameter "X-S": has the control character`},
		{"cookie semicolon", func(in *ParamsIn) { in.CookieIn.S = "a;b" }, `cookie parameter "s": has the character ';'`},
		{"NaN", func(in *ParamsIn) { in.PathIn.F = math.NaN() }, `NaN is not a finite number`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := base()
			tt.edit(&in)
			_, err := client.Call(ctx(t), c, k.params, &in)
			if !errors.Is(err, client.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want ErrInvalid containing %q", err, tt.want)
			}
		})
	}
}

func TestBodiesAndEnvelopes(t *testing.T) {
	t.Parallel()
	k := newKitchen(t)
	c := client.New(k.srv.URL, client.HTTPClient(k.srv.Client()))
	cx := ctx(t)
	dish := Dish{Name: "Soup", Price: 4.5, Tags: []string{"hot"}, Prep: 90 * time.Second,
		Added: time.Date(2025, 5, 6, 7, 8, 9, 0, time.UTC), Optional: ptr("")}

	t.Run("JSON body and envelope", func(t *testing.T) {
		got, err := client.Call(cx, c, k.create, &CreateIn{Tenant: "acme", Body: dish})
		if err != nil {
			t.Fatalf("Call: %v", err)
		}
		want := &Created{
			Status: http.StatusCreated, Location: "/dishes/7", ETag: `"v1"`, Count: 3, Ratio: 0.5, Fresh: true,
			Modified: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), Addr: netip.MustParseAddr("192.0.2.1"),
			Links: []string{"</a>; rel=a", "</b>; rel=b"}, Body: dish,
		}
		want.Body.ID = 7
		if diff := cmp.Diff(want, got, addrEqual); diff != "" {
			t.Errorf("output (-want +got):\n%s", diff)
		}
	})
	t.Run("PUT", func(t *testing.T) {
		got, err := client.Call(cx, c, k.putDish, &PutIn{ID: 9, Body: Dish{Name: "Tea", Price: 1}})
		if err != nil || got.ID != 9 || got.Name != "Tea" {
			t.Errorf("got %+v, %v", got, err)
		}
	})
	t.Run("optional body absent and present", func(t *testing.T) {
		got, err := client.Call(cx, c, k.optBody, nil)
		if err != nil || got.Name != "no body" {
			t.Errorf("no body: got %+v, %v", got, err)
		}
		got, err = client.Call(cx, c, k.optBody, &struct{ Body *Dish }{&Dish{Name: "x", Price: 1}})
		if err != nil || got.Name != "x" {
			t.Errorf("body: got %+v, %v", got, err)
		}
	})
	t.Run("form", func(t *testing.T) {
		in := &LoginIn{}
		in.Form.User, in.Form.Remember, in.Form.Scopes, in.Form.Age = "ann & bob", true, []string{"a b", "c,d"}, ptr(0)
		got, err := client.Call(cx, c, k.login, in)
		if err != nil {
			t.Fatalf("Call: %v", err)
		}
		want := &Session{User: "ann & bob", Remember: true, Scopes: []string{"a b", "c,d"}, Age: ptr(0)}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("output (-want +got):\n%s", diff)
		}
	})
	t.Run("204", func(t *testing.T) {
		got, err := client.Call(cx, c, k.del, &IDIn{ID: 1})
		if err != nil || got == nil {
			t.Errorf("got %v, %v", got, err)
		}
	})
	t.Run("raw bytes", func(t *testing.T) {
		got, err := client.Call(cx, c, k.csv, nil)
		if err != nil || string(got.Body) != "a,b\n1,2\n" || got.Disposition != `attachment; filename="r.csv"` {
			t.Errorf("got %+v, %v", got, err)
		}
	})
	t.Run("raw string", func(t *testing.T) {
		got, err := client.Call(cx, c, k.note, nil)
		if err != nil || got.Body != "héllo" {
			t.Errorf("got %+v, %v", got, err)
		}
	})
	t.Run("reader", func(t *testing.T) {
		got, err := client.Call(cx, c, k.download, nil)
		if err != nil {
			t.Fatalf("Call: %v", err)
		}
		rc, ok := got.Body.(io.ReadCloser)
		if !ok {
			t.Fatalf("Body is a %T, want an io.ReadCloser", got.Body)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil || len(b) != 100_000 {
			t.Errorf("read %d bytes, %v", len(b), err)
		}
	})
	t.Run("upload", func(t *testing.T) {
		in := &UploadIn{}
		in.Form.Photo = roux.FileUpload("me.jpg", "image/jpeg", strings.NewReader("jpeg"))
		got, err := client.Call(cx, c, k.upload, in)
		if err != nil || got.Name != "me.jpg" {
			t.Errorf("got %+v, %v; want the file's name back", got, err)
		}
	})
	t.Run("stream unsupported", func(t *testing.T) {
		_, err := client.Call(cx, c, k.stream, nil)
		if !errors.Is(err, client.ErrUnsupported) {
			t.Errorf("got %v, want ErrUnsupported", err)
		}
	})
}

func TestProblems(t *testing.T) {
	t.Parallel()
	k := newKitchen(t)
	c := client.New(k.srv.URL, client.HTTPClient(k.srv.Client()))
	cx := ctx(t)
	call := func(f func() error) *roux.Error {
		t.Helper()
		err := f()
		var pe *roux.Error
		if !errors.As(err, &pe) {
			t.Fatalf("got %v (%T), want a *roux.Error", err, err)
		}
		return pe
	}
	for _, tt := range []struct {
		name string
		call func() error
		want *roux.Error
	}{
		{"404", func() error { _, err := client.Call(cx, c, k.missing, &IDIn{ID: 5}); return err },
			&roux.Error{Status: 404, Title: "Not Found", Detail: "no dish 5"}},
		{"422 with errors", func() error {
			_, err := client.Call(cx, c, k.create, &CreateIn{Tenant: "x", Body: Dish{Price: -1, Tags: []string{"1", "2", "3", "4"}}})
			return err
		}, &roux.Error{Status: 422, Title: "Unprocessable Entity", Detail: "the request has invalid values; see errors", Errors: []roux.ErrorDetail{
			{Detail: "must be at least 2 characters long", Parameter: "X-Tenant", In: "header", Code: "minLength"},
			{Detail: "must be at least 1 character long", Pointer: ptr("/name"), Code: "minLength", Value: ""},
			{Detail: "must be greater than 0", Pointer: ptr("/price"), Code: "exclusiveMinimum", Value: -1.0},
			{Detail: "must have at most 3 items", Pointer: ptr("/tags"), Code: "maxItems"},
		}}},
		{"422 of a path parameter", func() error { _, err := client.Call(cx, c, k.missing, &IDIn{ID: -1}); return err },
			&roux.Error{Status: 422, Title: "Unprocessable Entity", Detail: `path parameter "id": must be at least 1`, Errors: []roux.ErrorDetail{
				{Detail: "must be at least 1", Parameter: "id", In: "path", Code: "minimum", Value: -1.0},
			}}},
		{"500", func() error { _, err := client.Call(cx, c, k.fail, nil); return err },
			&roux.Error{Status: 500, Title: "Internal Server Error", Detail: "the server failed to handle the request"}},
		{"extensions", func() error { _, err := client.Call(cx, c, k.payment, nil); return err },
			&roux.Error{Status: 402, Type: "https://example.com/probs/credit", Title: "Out of credit", Detail: "your balance is 30",
				Instance: "/account/1", Extensions: map[string]any{"balance": 30.0, "accounts": []any{"/a/1"}}}},
		{"not a problem", func() error { _, err := client.Call(cx, c, k.broken, nil); return err },
			&roux.Error{Status: 502, Title: "Bad Gateway", Detail: "the server answered 502 with a text/html body of 39 bytes, not a problem"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pe := call(tt.call)
			if diff := cmp.Diff(tt.want, pe, cmpopts.IgnoreUnexported(roux.Error{}), cmpopts.IgnoreFields(roux.ErrorDetail{}, "Detail")); diff != "" {
				t.Errorf("problem (-want +got):\n%s", diff)
			}
		})
	}
}

func TestContext(t *testing.T) {
	t.Parallel()
	k := newKitchen(t)
	c := client.New(k.srv.URL, client.HTTPClient(k.srv.Client()))
	t.Run("deadline", func(t *testing.T) {
		t.Parallel()
		cx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := client.Call(cx, c, k.slow, nil)
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
			t.Errorf("got %v after %v, want DeadlineExceeded promptly", err, time.Since(start))
		}
	})
	t.Run("cancel", func(t *testing.T) {
		t.Parallel()
		cx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(50*time.Millisecond, cancel)
		_, err := client.Call(cx, c, k.slow, nil)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want Canceled", err)
		}
	})
}

func TestRetry(t *testing.T) {
	t.Parallel()
	k := newKitchen(t)
	c := client.New(k.srv.URL, client.HTTPClient(k.srv.Client()), client.Retry(3), client.RetryBackoff(time.Millisecond, 5*time.Millisecond))
	for _, tt := range []struct {
		name     string
		call     func(cx context.Context, key string) (*Dish, error)
		key      string
		timeout  time.Duration
		attempts int
		status   int           // of the problem; 0: success
		minTime  time.Duration // at least this long (Retry-After)
		maxTime  time.Duration
	}{
		{"GET until success", func(cx context.Context, key string) (*Dish, error) {
			return client.Call(cx, c, k.flaky, &CountIn{Key: key})
		}, "get", 0, 3, 0, 0, 5 * time.Second},
		{"PUT is idempotent", func(cx context.Context, key string) (*Dish, error) {
			return client.Call(cx, c, k.flakyPut, &CountIn{Key: key})
		}, "put", 0, 3, 0, 0, 5 * time.Second},
		{"POST is never retried", func(cx context.Context, key string) (*Dish, error) {
			return client.Call(cx, c, k.flakyPst, &CountIn{Key: key})
		}, "post", 0, 1, 503, 0, 5 * time.Second},
		{"attempts run out", func(cx context.Context, key string) (*Dish, error) {
			return client.Call(cx, c, k.flaky, &CountIn{Key: key}, client.Retry(2))
		}, "two", 0, 2, 503, 0, 5 * time.Second},
		{"Retry(1) turns them off for one call", func(cx context.Context, key string) (*Dish, error) {
			return client.Call(cx, c, k.flaky, &CountIn{Key: key}, client.Retry(1))
		}, "off", 0, 1, 503, 0, 5 * time.Second},
		{"Retry-After honoured", func(cx context.Context, key string) (*Dish, error) {
			return client.Call(cx, c, k.flaky, &CountIn{Key: key}, client.Retry(2))
		}, "ra1-a", 0, 2, 503, time.Second, 5 * time.Second},
		{"Retry-After beyond the cap is returned", func(cx context.Context, key string) (*Dish, error) {
			return client.Call(cx, c, k.flaky, &CountIn{Key: key})
		}, "long-a", 0, 1, 503, 0, time.Second},
		{"Retry-After beyond a lower MaxRetryAfter is returned", func(cx context.Context, key string) (*Dish, error) {
			return client.Call(cx, c, k.flaky, &CountIn{Key: key}, client.MaxRetryAfter(500*time.Millisecond))
		}, "ra1-c", 0, 1, 503, 0, 900 * time.Millisecond},
		// The 503 itself, not the deadline's error, shows that the client
		// did not wait for a retry it had no time for.
		{"never past the deadline", func(cx context.Context, key string) (*Dish, error) {
			return client.Call(cx, c, k.flaky, &CountIn{Key: key})
		}, "ra1-b", 500 * time.Millisecond, 1, 503, 0, 5 * time.Second},
		{"connection dropped", func(cx context.Context, key string) (*Dish, error) {
			return client.Call(cx, c, k.drop, &CountIn{Key: key})
		}, "drop", 0, 2, 0, 0, 5 * time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cx := ctx(t)
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				cx, cancel = context.WithTimeout(cx, tt.timeout)
				defer cancel()
			}
			start := time.Now()
			got, err := tt.call(cx, tt.key)
			elapsed := time.Since(start)
			var pe *roux.Error
			switch {
			case tt.status == 0 && err != nil:
				t.Errorf("got %v, want success", err)
			case tt.status == 0 && got == nil:
				t.Errorf("got no output")
			case tt.status != 0 && (!errors.As(err, &pe) || pe.Status != tt.status):
				t.Errorf("got %v, want a %d problem", err, tt.status)
			}
			if n := k.attempts.get(tt.key); n != tt.attempts {
				t.Errorf("server saw %d attempts, want %d", n, tt.attempts)
			}
			if elapsed < tt.minTime || elapsed > tt.maxTime {
				t.Errorf("took %v, want between %v and %v", elapsed, tt.minTime, tt.maxTime)
			}
		})
	}
}

func TestValidation(t *testing.T) {
	t.Parallel()
	k := newKitchen(t)
	c := client.New(k.srv.URL, client.HTTPClient(k.srv.Client()), client.Validation())
	cx := ctx(t)
	_, err := client.Call(cx, c, k.flakyPst, &CountIn{Key: "validated"}) // valid: sent
	if k.attempts.get("validated") != 1 {
		t.Fatalf("a valid input was not sent: %v", err)
	}

	_, err = client.Call(cx, c, k.create, &CreateIn{Body: Dish{Price: -1}})
	var pe *roux.Error
	if !errors.As(err, &pe) || !errors.Is(err, client.ErrInvalid) {
		t.Fatalf("got %v, want a *roux.Error wrapping ErrInvalid", err)
	}
	want := &roux.Error{Status: 422, Detail: "the request has invalid values; see errors", Errors: []roux.ErrorDetail{
		// A required parameter is sent even when zero: the server, and so
		// the client, checks its keywords.
		{Detail: "must be at least 2 characters long", Parameter: "X-Tenant", In: "header", Code: "minLength"},
		{Detail: "must be at least 1 character long", Pointer: ptr("/name"), Code: "minLength", Value: ""},
		{Detail: "must be greater than 0", Pointer: ptr("/price"), Code: "exclusiveMinimum", Value: -1.0},
	}}
	if diff := cmp.Diff(want, pe, cmpopts.IgnoreUnexported(roux.Error{})); diff != "" {
		t.Errorf("problem (-want +got):\n%s", diff)
	}

	in := &LoginIn{}
	in.Form.Age = ptr(-1)
	_, err = client.Call(cx, c, k.login, in)
	if !errors.As(err, &pe) || len(pe.Errors) != 2 || *pe.Errors[0].Pointer != "/user" || *pe.Errors[1].Pointer != "/age" {
		t.Errorf("form: got %v %+v", err, pe)
	}

	_, err = client.Call(cx, c, k.params, &ParamsIn{PathIn: minimalPath, QueryIn: QueryIn{L: "medium"}})
	if !errors.As(err, &pe) || len(pe.Errors) != 1 || pe.Errors[0].Code != "enum" || pe.Errors[0].Parameter != "l" {
		t.Errorf("enum: got %v %+v", err, pe)
	}
}

func TestBaseURL(t *testing.T) {
	t.Parallel()
	k := newKitchen(t)
	prefixed := http.NewServeMux()
	prefixed.Handle("/api/v1/", http.StripPrefix("/api/v1", k.srv.Config.Handler))
	srv := newServer(t, prefixed)
	c := client.New(srv.URL+"/api/v1/", client.HTTPClient(srv.Client()))
	got, err := client.Call(ctx(t), c, k.putDish, &PutIn{ID: 4, Body: Dish{Name: "Pie", Price: 2}})
	if err != nil || got.ID != 4 {
		t.Errorf("prefixed: got %+v, %v", got, err)
	}
	for _, base := range []string{"127.0.0.1:80", "ftp://x", "http://x/?q=1", "http://a b"} {
		_, err := client.Call(ctx(t), client.New(base), k.putDish, &PutIn{ID: 4})
		if err == nil || !strings.Contains(err.Error(), "base URL") {
			t.Errorf("%q: got %v, want a base URL error", base, err)
		}
	}
}

func TestHeadersAndEditors(t *testing.T) {
	t.Parallel()
	k := newKitchen(t)
	var seen http.Header
	c := client.New(k.srv.URL, client.HTTPClient(k.srv.Client()),
		client.Header("X-Api-Key", "k1"), client.Header("X-Tenant", "from-option"),
		client.RequestEditor(func(r *http.Request) error { seen = r.Header.Clone(); return nil }))
	_, err := client.Call(ctx(t), c, k.create, &CreateIn{Tenant: "from-input", Body: Dish{Name: "a", Price: 1}},
		client.Header("X-Call", "1"))
	if err != nil {
		t.Fatalf("Call: %v", err)
	}
	for k, want := range map[string]string{"X-Api-Key": "k1", "X-Tenant": "from-input", "X-Call": "1", "Content-Type": "application/json",
		"Accept": "application/json, application/problem+json"} {
		if got := seen.Get(k); got != want {
			t.Errorf("%s: got %q, want %q", k, got, want)
		}
	}
	c2 := client.New(k.srv.URL, client.RequestEditor(func(*http.Request) error { return errors.New("no signing key") }))
	if _, err := client.Call(ctx(t), c2, k.del, &IDIn{ID: 1}); err == nil || !strings.Contains(err.Error(), "no signing key") {
		t.Errorf("editor error: got %v", err)
	}
}

// TestNoLeaks makes calls of every kind and checks that no goroutine
// outlives them: every response body the client reads is closed. It is
// not parallel, so that other tests' goroutines do not count.
func TestNoLeaks(t *testing.T) {
	baseline := runtime.NumGoroutine()
	func() {
		k := newKitchen(t)
		tr := &http.Transport{}
		defer tr.CloseIdleConnections()
		c := client.New(k.srv.URL, client.HTTPClient(&http.Client{Transport: tr}),
			client.Retry(3), client.RetryBackoff(time.Millisecond, 0))
		cx := ctx(t)
		client.Call(cx, c, k.create, &CreateIn{Tenant: "acme", Body: Dish{Name: "a", Price: 1}})
		client.Call(cx, c, k.create, &CreateIn{})
		client.Call(cx, c, k.flaky, &CountIn{Key: "leak"})
		client.Call(cx, c, k.broken, nil)
		client.Call(cx, c, k.del, &IDIn{ID: 1})
		client.Call(cx, c, k.csv, nil)
		client.Call(cx, c, k.params, &ParamsIn{})
		if d, err := client.Call(cx, c, k.download, nil); err == nil {
			d.Body.(io.Closer).Close()
		}
		short, cancel := context.WithTimeout(cx, 20*time.Millisecond)
		client.Call(short, c, k.slow, nil)
		cancel()
		k.srv.Close()
	}()
	testutil.WaitGoroutines(t, baseline, 0)
}

// A program that only calls an API needs the declaration alone: no
// *roux.API, no handler.
func TestClientOfDeclaration(t *testing.T) {
	t.Parallel()
	k := newKitchen(t)
	putDish := roux.NewOperation[PutIn, Dish](http.MethodPut, "/dishes/{id}")
	c := client.New(k.srv.URL, client.HTTPClient(k.srv.Client()))
	got, err := client.Call(ctx(t), c, putDish, &PutIn{ID: 2, Body: Dish{Name: "Stew", Price: 3}})
	if err != nil || got.ID != 2 || got.Name != "Stew" {
		t.Errorf("got %+v, %v", got, err)
	}
}
