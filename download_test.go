package roux_test

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/internal/testutil"
	"github.com/roux-go/roux/rouxtest"
)

// trackedReader is a strings.Reader that records whether it was closed.
type trackedReader struct {
	*strings.Reader
	closed *atomic.Bool
}

func (r trackedReader) Close() error { r.closed.Store(true); return nil }

var fileModTime = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

const fileContent = "0123456789abcdefghijklmnopqrstuvwxyz"

// downloadsAPI serves every kind of body that is not JSON.
func downloadsAPI(closed *atomic.Bool) *roux.API {
	api := roux.New(roux.Config{Title: "Downloads", Version: "1.0.0"})
	type CSV struct {
		Disposition string `header:"Content-Disposition"`
		Body        string `contentType:"text/csv; charset=utf-8"`
	}
	roux.Get(api, "/report.csv", func(ctx context.Context, in *struct{}) (*CSV, error) {
		return &CSV{Disposition: `attachment; filename="report.csv"`, Body: "id,name\n1,soup\n"}, nil
	}, roux.Summary("A CSV report"))
	type PNG struct {
		Body []byte `contentType:"image/png"`
	}
	roux.Get(api, "/pixel.png", func(ctx context.Context, in *struct{}) (*PNG, error) {
		return &PNG{Body: []byte("\x89PNG\r\n\x1a\n")}, nil
	})
	type Stream struct {
		ContentType string `header:"Content-Type"`
		Body        io.Reader
	}
	roux.Get(api, "/stream", func(ctx context.Context, in *struct {
		Kind string `query:"kind" enum:"text,bytes"`
	}) (*Stream, error) {
		out := &Stream{Body: trackedReader{strings.NewReader(strings.Repeat("x", 100_000)), closed}}
		if in.Kind == "text" {
			out.ContentType = "text/plain"
		}
		return out, nil
	})
	roux.Get(api, "/files/{name}", func(ctx context.Context, in *struct {
		Name string `path:"name" enum:"alphabet.txt,missing.txt"`
	}) (*roux.File, error) {
		if in.Name == "missing.txt" {
			return nil, &roux.Error{Status: http.StatusNotFound, Detail: "no such file"}
		}
		return &roux.File{Content: strings.NewReader(fileContent), Name: in.Name, ModTime: fileModTime, ETag: `"v1"`, Attachment: true}, nil
	}, roux.Response(http.StatusNotFound, "No such file", nil))
	return api
}

func TestRawBodies(t *testing.T) {
	var closed atomic.Bool
	srv := httptest.NewServer(downloadsAPI(&closed))
	defer srv.Close()
	for _, tt := range []struct {
		target, ct, body string
		length           string
	}{
		{"/report.csv", "text/csv; charset=utf-8", "id,name\n1,soup\n", "15"},
		{"/pixel.png", "image/png", "\x89PNG\r\n\x1a\n", "8"},
		{"/stream", "application/octet-stream", strings.Repeat("x", 100_000), ""},
		{"/stream?kind=text", "text/plain", strings.Repeat("x", 100_000), ""},
	} {
		t.Run(tt.target, func(t *testing.T) {
			closed.Store(false)
			res, err := http.Get(srv.URL + tt.target)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != 200 || string(body) != tt.body {
				t.Fatalf("got %d %.40q, want 200 %.40q", res.StatusCode, body, tt.body)
			}
			if got := res.Header.Get("Content-Type"); got != tt.ct {
				t.Errorf("Content-Type %q, want %q", got, tt.ct)
			}
			if got := res.Header.Get("Content-Length"); got != tt.length {
				t.Errorf("Content-Length %q, want %q", got, tt.length)
			}
			if strings.HasPrefix(tt.target, "/stream") && !closed.Load() {
				t.Error("the io.Reader body was not closed")
			}
		})
	}
}

func TestFileBody(t *testing.T) {
	srv := httptest.NewServer(downloadsAPI(new(atomic.Bool)))
	defer srv.Close()
	lastMod := fileModTime.Format(http.TimeFormat)
	earlier := fileModTime.Add(-time.Hour).Format(http.TimeFormat)
	for _, tt := range []struct {
		name    string
		method  string
		path    string
		headers []string
		status  int
		body    string // "" for no check; problem responses are checked by type
		problem bool
	}{
		{"whole", "GET", "/files/alphabet.txt", nil, 200, fileContent, false},
		{"head", "HEAD", "/files/alphabet.txt", nil, 200, "", false},
		{"range", "GET", "/files/alphabet.txt", []string{"Range", "bytes=10-15"}, 206, "abcdef", false},
		{"suffix range", "GET", "/files/alphabet.txt", []string{"Range", "bytes=-3"}, 206, "xyz", false},
		// Ranges fewer than 80 bytes apart are merged into one.
		{"ranges", "GET", "/files/alphabet.txt", []string{"Range", "bytes=0-1,10-11"}, 206, "0123456789ab", false},
		{"range outside", "GET", "/files/alphabet.txt", []string{"Range", "bytes=100-200"}, 416, "", true},
		{"if-none-match hit", "GET", "/files/alphabet.txt", []string{"If-None-Match", `"v1"`}, 304, "", false},
		{"if-none-match miss", "GET", "/files/alphabet.txt", []string{"If-None-Match", `"v0"`}, 200, fileContent, false},
		{"if-match miss", "GET", "/files/alphabet.txt", []string{"If-Match", `"v0"`}, 412, "", true},
		{"if-match hit", "GET", "/files/alphabet.txt", []string{"If-Match", `"v1"`}, 200, fileContent, false},
		{"if-modified-since", "GET", "/files/alphabet.txt", []string{"If-Modified-Since", lastMod}, 304, "", false},
		{"if-unmodified-since", "GET", "/files/alphabet.txt", []string{"If-Unmodified-Since", earlier}, 412, "", true},
		{"if-range stale", "GET", "/files/alphabet.txt", []string{"Range", "bytes=0-1", "If-Range", `"v0"`}, 200, fileContent, false},
		{"not found", "GET", "/files/missing.txt", nil, 404, "", true},
		{"bad name", "GET", "/files/other.txt", nil, 422, "", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			for i := 0; i < len(tt.headers); i += 2 {
				req.Header.Set(tt.headers[i], tt.headers[i+1])
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tt.status {
				t.Fatalf("got %d %s, want %d", res.StatusCode, body, tt.status)
			}
			if tt.body != "" && string(body) != tt.body {
				t.Errorf("body %q, want %q", body, tt.body)
			}
			ct := res.Header.Get("Content-Type")
			if tt.problem != (ct == "application/problem+json") {
				t.Errorf("Content-Type %q (problem wanted: %v); body %s", ct, tt.problem, body)
			}
			if tt.status == 200 && tt.problem == false {
				if ct != "text/plain; charset=utf-8" {
					t.Errorf("Content-Type %q, want the type of .txt", ct)
				}
				for k, want := range map[string]string{"ETag": `"v1"`, "Last-Modified": lastMod, "Accept-Ranges": "bytes", "Content-Disposition": `attachment; filename=alphabet.txt`} {
					if got := res.Header.Get(k); got != want {
						t.Errorf("%s %q, want %q", k, got, want)
					}
				}
			}
			if tt.name == "ranges" && res.Header.Get("Content-Range") != "bytes 0-11/36" {
				t.Errorf("Content-Range %q, want bytes 0-11/36", res.Header.Get("Content-Range"))
			}
			if tt.status == 416 && res.Header.Get("Content-Range") != "bytes */36" {
				t.Errorf("Content-Range %q, want bytes */36", res.Header.Get("Content-Range"))
			}
		})
	}
}

func TestDownloadsDocument(t *testing.T) {
	c := rouxtest.New(t, downloadsAPI(new(atomic.Bool)))
	golden(t, "openapi/downloads.json", c.Get("/openapi.json").Body)
}

func TestRawBodyRegistrationErrors(t *testing.T) {
	type StructCSV struct {
		Body struct{ A int } `contentType:"text/csv"`
	}
	type BadType struct {
		Body string `contentType:"text/"`
	}
	for _, tt := range []struct {
		name     string
		register func(api *roux.API)
		want     string
	}{
		{"struct body of a raw type", func(api *roux.API) {
			roux.Get(api, "/a", func(context.Context, *struct{}) (*StructCSV, error) { return nil, nil })
		}, `contentType "text/csv" is not JSON, so the body must be a []byte, a string or an io.Reader`},
		{"bad media type", func(api *roux.API) {
			roux.Get(api, "/a", func(context.Context, *struct{}) (*BadType, error) { return nil, nil })
		}, `contentType "text/" is not a media type`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := registrationError(t, func() { tt.register(roux.New(roux.Config{})) })
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// drainBody is a ResponseBody that runs until the API drains.
type drainBody struct{ started chan struct{} }

func (b *drainBody) WriteResponse(rc *roux.ResponseContext) error {
	rc.W.Header().Set("Content-Type", "text/plain")
	rc.W.WriteHeader(rc.Status)
	io.WriteString(rc.W, "started\n")
	http.NewResponseController(rc.W).Flush()
	close(b.started)
	select {
	case <-rc.Stopping():
		_, err := io.WriteString(rc.W, "stopping\n")
		return err
	case <-rc.R.Context().Done():
		return rc.R.Context().Err()
	case <-time.After(10 * time.Second):
		return errors.New("never told to stop")
	}
}

func TestResponseBodyStopping(t *testing.T) {
	api := roux.New(roux.Config{})
	started := make(chan struct{})
	roux.Get(api, "/long", func(ctx context.Context, in *struct{}) (*drainBody, error) {
		return &drainBody{started: started}, nil
	}, roux.Status(http.StatusAccepted))
	roux.Get(api, "/nil", func(ctx context.Context, in *struct{}) (*drainBody, error) {
		return nil, nil
	})
	srv := httptest.NewServer(api)
	defer srv.Close()

	done := make(chan string, 1)
	go func() {
		res, err := http.Get(srv.URL + "/long")
		if err != nil {
			done <- err.Error()
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		done <- res.Status + " " + string(b)
	}()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the body never started")
	}
	api.Drain()
	select {
	case got := <-done:
		if want := "202 Accepted started\nstopping\n"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Drain did not end the response")
	}

	res, err := http.Get(srv.URL + "/nil")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 500 {
		t.Errorf("a nil ResponseBody: got %d, want 500", res.StatusCode)
	}
	// Start makes the API ready again, with a new stopping channel.
	if err := api.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	started = make(chan struct{})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/long", nil)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body) // ends when ctx does: the stream must not see a stale Stopping
	res.Body.Close()
	if string(b) != "started\n" {
		t.Errorf("after Start, got %q, want the stream to run until the client left", b)
	}
}

// xmlFormat is a second format for the negotiation tests.
var xmlFormat = roux.Format{MediaType: "application/xml", Marshal: func(w io.Writer, v any) error {
	return xml.NewEncoder(w).Encode(v)
}}

type Greeting struct {
	XMLName xml.Name `json:"-" xml:"greeting"`
	Message string   `json:"message" xml:"message"`
}

func negotiationAPI(formats ...roux.Format) *roux.API {
	api := roux.New(roux.Config{Title: "Negotiation", Version: "1.0.0", Formats: formats})
	roux.Get(api, "/greeting", func(ctx context.Context, in *struct{}) (*Greeting, error) {
		return &Greeting{Message: "hello"}, nil
	})
	return api
}

func TestContentNegotiation(t *testing.T) {
	const js, x = `{"message":"hello"}`, `<greeting><message>hello</message></greeting>`
	for _, tt := range []struct {
		name    string
		formats []roux.Format
		accept  string
		status  int
		ct      string
		body    string
	}{
		{"json only, no Accept", nil, "", 200, "application/json", js},
		{"json only, Accept ignored", nil, "text/html", 200, "application/json", js},
		{"no Accept", []roux.Format{xmlFormat}, "", 200, "application/json", js},
		{"any", []roux.Format{xmlFormat}, "*/*", 200, "application/json", js},
		{"xml", []roux.Format{xmlFormat}, "application/xml", 200, "application/xml", x},
		{"xml preferred by q", []roux.Format{xmlFormat}, "application/json;q=0.5, application/xml", 200, "application/xml", x},
		{"json preferred by q", []roux.Format{xmlFormat}, "application/xml;q=0.2, application/*;q=0.9", 200, "application/json", js},
		{"wildcard with a refusal", []roux.Format{xmlFormat}, "*/*, application/json;q=0", 200, "application/xml", x},
		{"tie goes to json", []roux.Format{xmlFormat}, "application/xml, application/json", 200, "application/json", js},
		{"browser", []roux.Format{xmlFormat}, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", 200, "application/xml", x},
		{"none fits", []roux.Format{xmlFormat}, "text/html", 406, "application/problem+json", ""},
		{"all refused", []roux.Format{xmlFormat}, "*/*;q=0", 406, "application/problem+json", ""},
		{"garbage", []roux.Format{xmlFormat}, "\x00;;,,q=", 406, "application/problem+json", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := rouxtest.New(t, negotiationAPI(tt.formats...))
			var headers []string
			if tt.accept != "" {
				headers = []string{"Accept: " + tt.accept}
			}
			res := c.Get("/greeting", headers...)
			if res.Status != tt.status || res.Header.Get("Content-Type") != tt.ct {
				t.Fatalf("got %s (%s), want %d %s", res, res.Header.Get("Content-Type"), tt.status, tt.ct)
			}
			if tt.body != "" && string(res.Body) != tt.body {
				t.Errorf("body %s, want %s", res.Body, tt.body)
			}
			if wantVary := len(tt.formats) > 0 && tt.status == 200; (res.Header.Get("Vary") == "Accept") != wantVary {
				t.Errorf("Vary %q (want Accept: %v)", res.Header.Get("Vary"), wantVary)
			}
		})
	}
}

func TestNegotiationDocument(t *testing.T) {
	c := rouxtest.New(t, negotiationAPI(xmlFormat))
	golden(t, "openapi/negotiation.json", c.Get("/openapi.json").Body)
	doc := negotiationAPI(xmlFormat).OpenAPI()
	op := doc.Paths["/greeting"].Get
	if op.Responses["200"].Content["application/xml"] == nil || op.Responses["406"] == nil {
		t.Errorf("the document does not offer XML and 406: %+v", op.Responses)
	}
	if negotiationAPI().OpenAPI().Paths["/greeting"].Get.Responses["406"] != nil {
		t.Error("a JSON-only API documents a 406 it never sends")
	}
}

func TestFormatsChecked(t *testing.T) {
	for _, f := range []roux.Format{
		{MediaType: "application/json", Marshal: xmlFormat.Marshal},
		{MediaType: "application/*", Marshal: xmlFormat.Marshal},
		{MediaType: "text/plain; charset=utf-8", Marshal: xmlFormat.Marshal},
		{MediaType: "nonsense", Marshal: xmlFormat.Marshal},
		{MediaType: "application/cbor"},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New accepted the format %q", f.MediaType)
				}
			}()
			roux.New(roux.Config{Formats: []roux.Format{f}})
		}()
	}
}

// panicBody panics after it has started the response.
type panicBody struct{}

func (panicBody) WriteResponse(rc *roux.ResponseContext) error {
	rc.W.Header().Set("Content-Type", "text/plain")
	rc.W.WriteHeader(200)
	io.WriteString(rc.W, "half")
	http.NewResponseController(rc.W).Flush()
	panic("broken body")
}

// A ResponseBody that panics aborts its connection — no problem is
// appended to the half-sent response — and serving goes on.
func TestResponseBodyPanic(t *testing.T) {
	logs := new(testutil.LockedBuffer)
	api := roux.New(roux.Config{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	roux.Get(api, "/panic", func(ctx context.Context, in *struct{}) (*panicBody, error) { return &panicBody{}, nil })
	roux.Get(api, "/ok", func(ctx context.Context, in *struct{}) (*string, error) { s := "ok"; return &s, nil })
	srv := httptest.NewServer(api)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	defer srv.Close()
	res, err := http.Get(srv.URL + "/panic")
	if err == nil {
		b, rerr := io.ReadAll(res.Body)
		res.Body.Close()
		if rerr == nil || strings.Contains(string(b), "problem") {
			t.Errorf("got a complete body %q (read error %v), want the connection aborted", b, rerr)
		}
	}
	res, err = http.Get(srv.URL + "/ok")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("the server stopped serving: %v", err)
	}
	res.Body.Close()
	if !strings.Contains(logs.String(), "broken body") || !strings.Contains(logs.String(), "stack=") {
		t.Errorf("the panic was not logged with its stack: %s", logs.String())
	}
}
