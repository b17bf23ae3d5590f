package client_test

// The API the tests call: one operation per feature, every binder type in
// every parameter location, bodies, forms, envelopes, raw bodies and
// problems. Handlers echo their inputs so a test can compare what the
// server bound with what the client sent.

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/rouxtest"
)

type Level string

// PathIn has a path parameter of each binder type.
type PathIn struct {
	S    string     `path:"s"`
	I    int64      `path:"i"`
	U8   uint8      `path:"u8"`
	F    float64    `path:"f"`
	B    bool       `path:"b"`
	T    time.Time  `path:"t"`
	By   []byte     `path:"by"`
	A    netip.Addr `path:"a"`
	L    Level      `path:"l"`
	Is   []int      `path:"is"`
	Rest string     `path:"rest"`
}

// QueryIn has a query parameter of each binder type, pointers, slices of
// both styles, a default and a required one.
type QueryIn struct {
	S    string       `query:"s"`
	SP   *string      `query:"sp"`
	Req  string       `query:"req" required:"true"`
	I8   int8         `query:"i8"`
	I    int          `query:"i"`
	U64  uint64       `query:"u64"`
	F32  float32      `query:"f32"`
	B    bool         `query:"b"`
	BP   *bool        `query:"bp"`
	T    time.Time    `query:"t"`
	TP   *time.Time   `query:"tp"`
	By   []byte       `query:"by"`
	A    netip.Addr   `query:"a"`
	L    Level        `query:"l" enum:"low,high" default:"low"`
	SS   []string     `query:"ss"`
	SC   []string     `query:"sc" explode:"false"`
	IS   []int64      `query:"is"`
	PS   *[]float64   `query:"ps"`
	AS   []netip.Addr `query:"as"`
	Lim  int          `query:"limit" default:"10"`
	Flag *bool        `query:"flag" default:"true"`
}

// HeaderIn has a header parameter of each binder type.
type HeaderIn struct {
	S  string     `header:"X-S"`
	I  int32      `header:"X-I"`
	U  uint       `header:"X-U"`
	F  float64    `header:"X-F"`
	B  bool       `header:"X-B"`
	T  time.Time  `header:"X-T"`
	By []byte     `header:"X-By"`
	A  netip.Addr `header:"X-A"`
	SS []string   `header:"X-SS"`
	IP *int       `header:"X-IP"`
}

// CookieIn has a cookie parameter of each binder type.
type CookieIn struct {
	S  string     `cookie:"s"`
	I  int16      `cookie:"i"`
	U  uint32     `cookie:"u"`
	F  float32    `cookie:"f"`
	B  bool       `cookie:"b"`
	T  time.Time  `cookie:"t"`
	By []byte     `cookie:"by"`
	A  netip.Addr `cookie:"a"`
	IS []int64    `cookie:"is"`
	SP *string    `cookie:"sp"`
}

type ParamsIn struct {
	PathIn
	QueryIn
	HeaderIn
	CookieIn
}

// Echo is what the params operation answers: the input as bound.
type Echo struct {
	Path   PathIn   `json:"path"`
	Query  QueryIn  `json:"query"`
	Header HeaderIn `json:"header"`
	Cookie CookieIn `json:"cookie"`
}

type Dish struct {
	ID       int64         `json:"id"`
	Name     string        `json:"name" minLength:"1" maxLength:"80"`
	Price    float64       `json:"price" exclusiveMinimum:"0"`
	Tags     []string      `json:"tags,omitempty" maxItems:"3"`
	Prep     time.Duration `json:"prep,omitempty"`
	Added    time.Time     `json:"added,omitzero"`
	Optional *string       `json:"optional,omitempty"`
}

type CreateIn struct {
	Tenant string `header:"X-Tenant" required:"true" minLength:"2"`
	Body   Dish
}

type PutIn struct {
	ID   int64 `path:"id" minimum:"1"`
	Body Dish
}

type Created struct {
	Status   int
	Location string     `header:"Location"`
	ETag     string     `header:"ETag"`
	Count    int        `header:"X-Count"`
	Ratio    float32    `header:"X-Ratio"`
	Fresh    bool       `header:"X-Fresh"`
	Modified time.Time  `header:"Last-Modified"`
	Addr     netip.Addr `header:"X-Addr"`
	Links    []string   `header:"Link"`
	Body     Dish
}

type LoginIn struct {
	Form struct {
		User     string   `form:"user" required:"true" minLength:"1"`
		Remember bool     `form:"remember"`
		Scopes   []string `form:"scope"`
		Age      *int     `form:"age" minimum:"0"`
	}
}

type Session struct {
	User     string   `json:"user"`
	Remember bool     `json:"remember"`
	Scopes   []string `json:"scopes"`
	Age      *int     `json:"age"`
}

type IDIn struct {
	ID int64 `path:"id" minimum:"1"`
}

type CSV struct {
	Body        []byte `contentType:"text/csv"`
	Disposition string `header:"Content-Disposition"`
}

type Note struct {
	Body string `contentType:"text/plain; charset=utf-8"`
}

type Download struct {
	Body io.Reader `contentType:"application/octet-stream"`
}

type Stream struct{}

func (Stream) WriteResponse(rc *roux.ResponseContext) error { return nil }

type StreamOut struct{ Body Stream }

type CountIn struct {
	Key string `query:"key"`
}

// kitchen is the API under test with its operations and the server
// serving it over loopback.
type kitchen struct {
	srv *httptest.Server

	params   *roux.Operation[ParamsIn, Echo]
	create   *roux.Operation[CreateIn, Created]
	putDish  *roux.Operation[PutIn, Dish]
	optBody  *roux.Operation[struct{ Body *Dish }, Dish]
	login    *roux.Operation[LoginIn, Session]
	del      *roux.Operation[IDIn, struct{}]
	csv      *roux.Operation[struct{}, CSV]
	note     *roux.Operation[struct{}, Note]
	download *roux.Operation[struct{}, Download]
	stream   *roux.Operation[struct{}, StreamOut]
	upload   *roux.Operation[UploadIn, Dish]
	missing  *roux.Operation[IDIn, Dish]
	fail     *roux.Operation[struct{}, Dish]
	payment  *roux.Operation[struct{}, Dish]
	broken   *roux.Operation[struct{}, Dish]
	slow     *roux.Operation[struct{}, Dish]
	flaky    *roux.Operation[CountIn, Dish]
	flakyPut *roux.Operation[CountIn, Dish]
	flakyPst *roux.Operation[CountIn, Dish]
	drop     *roux.Operation[CountIn, Dish]

	attempts counter // attempts per CountIn.Key
}

// counter counts attempts per key.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) add(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[key]++
	return c.n[key]
}

func (c *counter) get(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[key]
}

func newKitchen(t testing.TB) *kitchen {
	api := roux.New(roux.Config{Title: "Kitchen", Version: "1.0.0"})
	k := &kitchen{}
	k.params = roux.Get(api, "/params/{s}/{i}/{u8}/{f}/{b}/{t}/{by}/{a}/{l}/{is}/{rest...}", func(ctx context.Context, in *ParamsIn) (*Echo, error) {
		return &Echo{Path: in.PathIn, Query: in.QueryIn, Header: in.HeaderIn, Cookie: in.CookieIn}, nil
	})
	k.create = roux.Post(api, "/dishes", func(ctx context.Context, in *CreateIn) (*Created, error) {
		d := in.Body
		d.ID = 7
		return &Created{
			Status: http.StatusCreated, Location: "/dishes/7", ETag: `"v1"`, Count: 3, Ratio: 0.5, Fresh: true,
			Modified: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), Addr: netip.MustParseAddr("192.0.2.1"),
			Links: []string{"</a>; rel=a", "</b>; rel=b"}, Body: d,
		}, nil
	}, roux.Response(http.StatusCreated, "Created", nil))
	k.putDish = roux.Put(api, "/dishes/{id}", func(ctx context.Context, in *PutIn) (*Dish, error) {
		d := in.Body
		d.ID = in.ID
		return &d, nil
	})
	k.optBody = roux.Post(api, "/optional", func(ctx context.Context, in *struct{ Body *Dish }) (*Dish, error) {
		if in.Body == nil {
			return &Dish{Name: "no body", Price: 1}, nil
		}
		return in.Body, nil
	})
	k.login = roux.Post(api, "/login", func(ctx context.Context, in *LoginIn) (*Session, error) {
		f := in.Form
		return &Session{User: f.User, Remember: f.Remember, Scopes: f.Scopes, Age: f.Age}, nil
	})
	k.del = roux.Delete(api, "/dishes/{id}", func(ctx context.Context, in *IDIn) (*struct{}, error) {
		return &struct{}{}, nil
	})
	k.csv = roux.Get(api, "/report.csv", func(ctx context.Context, in *struct{}) (*CSV, error) {
		return &CSV{Body: []byte("a,b\n1,2\n"), Disposition: `attachment; filename="r.csv"`}, nil
	})
	k.note = roux.Get(api, "/note", func(ctx context.Context, in *struct{}) (*Note, error) {
		return &Note{Body: "héllo"}, nil
	})
	k.download = roux.Get(api, "/download", func(ctx context.Context, in *struct{}) (*Download, error) {
		return &Download{Body: strings.NewReader(strings.Repeat("x", 100_000))}, nil
	})
	k.upload = roux.Post(api, "/photos", func(ctx context.Context, in *UploadIn) (*Dish, error) {
		return &Dish{Name: in.Form.Photo.Filename, Price: 1}, nil
	})
	k.stream = roux.Get(api, "/stream", func(ctx context.Context, in *struct{}) (*StreamOut, error) {
		return &StreamOut{}, nil
	})
	k.missing = roux.Get(api, "/dishes/{id}", func(ctx context.Context, in *IDIn) (*Dish, error) {
		return nil, roux.Errorf(http.StatusNotFound, "no dish %d", in.ID)
	}, roux.Response(http.StatusNotFound, "No such dish", nil))
	k.fail = roux.Get(api, "/fail", func(ctx context.Context, in *struct{}) (*Dish, error) {
		return nil, errors.New("database on fire")
	})
	k.payment = roux.Get(api, "/payment", func(ctx context.Context, in *struct{}) (*Dish, error) {
		return nil, &roux.Error{Status: http.StatusPaymentRequired, Type: "https://example.com/probs/credit", Title: "Out of credit",
			Detail: "your balance is 30", Instance: "/account/1", Extensions: map[string]any{"balance": 30, "accounts": []string{"/a/1"}}}
	}, roux.Response(http.StatusPaymentRequired, "Out of credit", nil))
	k.broken = roux.Get(api, "/broken", func(ctx context.Context, in *struct{}) (*Dish, error) {
		return &Dish{}, nil
	})
	k.slow = roux.Get(api, "/slow", func(ctx context.Context, in *struct{}) (*Dish, error) {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(10 * time.Second):
			return &Dish{}, nil
		}
	})
	// flaky answers 503 with Retry-After: 1 until the third attempt.
	flaky := func(ctx context.Context, in *CountIn) (*Dish, error) {
		if n := k.attempts.add(in.Key); n < 3 {
			return nil, roux.NewError(http.StatusServiceUnavailable, "busy").WithHeader("Retry-After", retryAfterOf(in.Key))
		}
		return &Dish{Name: "finally", Price: 1}, nil
	}
	busy := roux.Response(http.StatusServiceUnavailable, "Busy", struct {
		RetryAfter string `header:"Retry-After"`
	}{})
	k.flaky = roux.Get(api, "/flaky", flaky, busy)
	k.flakyPut = roux.Put(api, "/flaky", flaky, busy)
	k.flakyPst = roux.Post(api, "/flaky", flaky, busy)
	// drop closes the connection without an answer on the first attempt.
	k.drop = roux.Get(api, "/drop", func(ctx context.Context, in *CountIn) (*Dish, error) {
		if k.attempts.add(in.Key) == 1 {
			panic(http.ErrAbortHandler)
		}
		return &Dish{Name: "second time", Price: 1}, nil
	})
	rouxtest.New(t, api) // validates and dumps the OpenAPI document

	mux := http.NewServeMux()
	mux.Handle("/", api)
	mux.HandleFunc("GET /broken", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		io.WriteString(w, "<html><body>upstream down</body></html>")
	})
	k.srv = newServer(t, mux)
	return k
}

// newServer serves h over loopback until the test ends.
func newServer(t testing.TB, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// retryAfterOf chooses a flaky answer's Retry-After by the key's prefix.
func retryAfterOf(key string) string {
	switch {
	case strings.HasPrefix(key, "ra1-"):
		return "1"
	case strings.HasPrefix(key, "long-"):
		return "3600"
	}
	return "0"
}

// UploadIn takes a file.
type UploadIn struct {
	Form struct {
		Photo *roux.FormFile `form:"photo" required:"true"`
	}
}
