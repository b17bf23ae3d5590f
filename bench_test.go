package roux_test

// These benchmarks compare roux with a hand-written net/http handler that
// does exactly the same work with encoding/json: same routing (ServeMux),
// same checks, same error reporting (every failure collected), same
// output. Compare them as ratios from one run:
//
//	go test -run '^$' -bench 'Get|Post' -count 10 . | tee bench.txt
//	benchstat -col /impl bench.txt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"unicode/utf8"

	"github.com/roux-go/roux"
)

// discardWriter is a reusable ResponseWriter, so the benchmarks measure
// the handlers rather than httptest.ResponseRecorder.
type discardWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(s int)           { w.status = s }
func (w *discardWriter) Write(b []byte) (int, error) { w.n += len(b); return len(b), nil }
func (w *discardWriter) reset()                      { clear(w.h); w.status, w.n = 0, 0 }

type rewindBody struct{ bytes.Reader }

func (*rewindBody) Close() error { return nil }

// --- GET /items/{id}?q=&limit= with a header ---

type benchGetIn struct {
	ID     int64  `path:"id" minimum:"1"`
	Q      string `query:"q" maxLength:"50"`
	Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"10"`
	Tenant string `header:"X-Tenant" required:"true" minLength:"1"`
}

type benchItem struct {
	ID     int64  `json:"id"`
	Q      string `json:"q"`
	Limit  int    `json:"limit"`
	Tenant string `json:"tenant"`
}

func benchGetRoux() http.Handler {
	api := roux.New(roux.Config{})
	roux.Get(api, "/items/{id}", func(ctx context.Context, in *benchGetIn) (*benchItem, error) {
		return &benchItem{ID: in.ID, Q: in.Q, Limit: in.Limit, Tenant: in.Tenant}, nil
	})
	return api
}

type handError struct {
	Detail    string `json:"detail"`
	Parameter string `json:"parameter,omitempty"`
	Pointer   string `json:"pointer,omitempty"`
	In        string `json:"in,omitempty"`
	Code      string `json:"code"`
}

func writeHandErrors(w http.ResponseWriter, errs []handError) {
	b, _ := json.Marshal(map[string]any{"type": "about:blank", "title": "Unprocessable Entity", "status": 422, "errors": errs})
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(422)
	w.Write(b)
}

func writeHandJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", 500)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

func benchGetHand() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		var errs []handError
		var out benchItem
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		switch {
		case err != nil:
			errs = append(errs, handError{Detail: "must be an integer", Parameter: "id", In: "path", Code: "type"})
		case id < 1:
			errs = append(errs, handError{Detail: "must be at least 1", Parameter: "id", In: "path", Code: "minimum"})
		}
		q := r.URL.Query()
		out.Q = q.Get("q")
		if utf8.RuneCountInString(out.Q) > 50 {
			errs = append(errs, handError{Detail: "must be at most 50 characters long", Parameter: "q", In: "query", Code: "maxLength"})
		}
		out.Limit = 10
		if s := q.Get("limit"); s != "" {
			n, err := strconv.Atoi(s)
			switch {
			case err != nil:
				errs = append(errs, handError{Detail: "must be an integer", Parameter: "limit", In: "query", Code: "type"})
			case n < 1 || n > 100:
				errs = append(errs, handError{Detail: "must be between 1 and 100", Parameter: "limit", In: "query", Code: "maximum"})
			}
			out.Limit = n
		}
		out.Tenant = r.Header.Get("X-Tenant")
		if out.Tenant == "" {
			errs = append(errs, handError{Detail: "is required", Parameter: "X-Tenant", In: "header", Code: "required"})
		}
		if len(errs) > 0 {
			writeHandErrors(w, errs)
			return
		}
		out.ID = id
		writeHandJSON(w, 200, &out)
	})
	return mux
}

func BenchmarkGet(b *testing.B) {
	for _, impl := range []struct {
		name string
		h    http.Handler
	}{{"hand", benchGetHand()}, {"roux", benchGetRoux()}} {
		b.Run("impl="+impl.name, func(b *testing.B) {
			req, _ := http.NewRequest("GET", "/items/42?q=tomato&limit=25", nil)
			req.Header.Set("X-Tenant", "acme")
			w := &discardWriter{h: http.Header{}}
			impl.h.ServeHTTP(w, req)
			if w.status != 200 {
				b.Fatalf("got status %d", w.status)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				w.reset()
				impl.h.ServeHTTP(w, req)
			}
		})
	}
}

// --- POST /orders with a ten-field body ---

type benchAddress struct {
	Street string `json:"street" minLength:"1" maxLength:"100"`
	City   string `json:"city" minLength:"1" maxLength:"50"`
	Zip    string `json:"zip" pattern:"^[0-9]{5}$"`
}

type benchOrder struct {
	Customer string       `json:"customer" minLength:"2" maxLength:"40"`
	Email    string       `json:"email" maxLength:"100"`
	Quantity int          `json:"quantity" minimum:"1" maximum:"100"`
	Price    float64      `json:"price" exclusiveMinimum:"0"`
	Tip      float64      `json:"tip" minimum:"0"`
	Express  bool         `json:"express"`
	Table    int          `json:"table" minimum:"1" maximum:"50"`
	Notes    string       `json:"notes" maxLength:"200"`
	Tags     []string     `json:"tags" maxItems:"5" maxLength:"20"`
	Address  benchAddress `json:"address"`
}

var benchOrderBody = []byte(`{"customer":"Ann Example","email":"ann@example.com","quantity":3,"price":12.5,"tip":2,
"express":true,"table":7,"notes":"no onions please","tags":["vegan","spicy","window"],
"address":{"street":"1 Main Street","city":"Springfield","zip":"12345"}}`)

func benchPostRoux() http.Handler {
	api := roux.New(roux.Config{})
	roux.Post(api, "/orders", func(ctx context.Context, in *struct{ Body benchOrder }) (*benchOrder, error) {
		return &in.Body, nil
	}, roux.Status(201))
	return api
}

var zipPattern = func(s string) bool {
	if len(s) != 5 {
		return false
	}
	for i := range 5 {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func benchPostHand() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /orders", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "unsupported media type", 415)
			return
		}
		var o benchOrder
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&o); err != nil {
			http.Error(w, "bad json: "+err.Error(), 400)
			return
		}
		var errs []handError
		strLen := func(ptr, s string, min, max int) {
			n := utf8.RuneCountInString(s)
			if n < min || n > max {
				errs = append(errs, handError{Detail: fmt.Sprintf("length must be in %d..%d", min, max), Pointer: ptr, Code: "maxLength"})
			}
		}
		strLen("/customer", o.Customer, 2, 40)
		strLen("/email", o.Email, 0, 100)
		if o.Quantity < 1 || o.Quantity > 100 {
			errs = append(errs, handError{Detail: "out of range", Pointer: "/quantity", Code: "maximum"})
		}
		if o.Price <= 0 {
			errs = append(errs, handError{Detail: "must be > 0", Pointer: "/price", Code: "exclusiveMinimum"})
		}
		if o.Tip < 0 {
			errs = append(errs, handError{Detail: "must be >= 0", Pointer: "/tip", Code: "minimum"})
		}
		if o.Table < 1 || o.Table > 50 {
			errs = append(errs, handError{Detail: "out of range", Pointer: "/table", Code: "maximum"})
		}
		strLen("/notes", o.Notes, 0, 200)
		if len(o.Tags) > 5 {
			errs = append(errs, handError{Detail: "too many", Pointer: "/tags", Code: "maxItems"})
		}
		for i, t := range o.Tags {
			strLen("/tags/"+strconv.Itoa(i), t, 0, 20)
		}
		strLen("/address/street", o.Address.Street, 1, 100)
		strLen("/address/city", o.Address.City, 1, 50)
		if !zipPattern(o.Address.Zip) {
			errs = append(errs, handError{Detail: "bad zip", Pointer: "/address/zip", Code: "pattern"})
		}
		if len(errs) > 0 {
			writeHandErrors(w, errs)
			return
		}
		writeHandJSON(w, 201, &o)
	})
	return mux
}

func BenchmarkPost(b *testing.B) {
	for _, impl := range []struct {
		name string
		h    http.Handler
	}{{"hand", benchPostHand()}, {"roux", benchPostRoux()}} {
		b.Run("impl="+impl.name, func(b *testing.B) {
			body := &rewindBody{}
			body.Reset(benchOrderBody)
			req, _ := http.NewRequest("POST", "/orders", body)
			req.Header.Set("Content-Type", "application/json")
			req.ContentLength = int64(len(benchOrderBody))
			w := &discardWriter{h: http.Header{}}
			impl.h.ServeHTTP(w, req)
			if w.status != 201 {
				b.Fatalf("got status %d", w.status)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				body.Reset(benchOrderBody)
				w.reset()
				impl.h.ServeHTTP(w, req)
			}
		})
	}
}

// BenchmarkCheckResponses is the cost of Config.CheckResponses on the
// GET of BenchmarkGet: the status and header check as the response
// starts, and the typed validation of the body.
func BenchmarkCheckResponses(b *testing.B) {
	for _, check := range []bool{false, true} {
		b.Run(fmt.Sprintf("check=%v", check), func(b *testing.B) {
			api := roux.New(roux.Config{CheckResponses: check})
			roux.Get(api, "/items/{id}", func(ctx context.Context, in *benchGetIn) (*benchItem, error) {
				return &benchItem{ID: in.ID, Q: in.Q, Limit: in.Limit, Tenant: in.Tenant}, nil
			})
			req, _ := http.NewRequest("GET", "/items/42?q=tomato&limit=25", nil)
			req.Header.Set("X-Tenant", "acme")
			w := &discardWriter{h: http.Header{}}
			api.ServeHTTP(w, req)
			if w.status != 200 {
				b.Fatalf("got status %d", w.status)
			}
			b.ReportAllocs()
			for b.Loop() {
				w.reset()
				api.ServeHTTP(w, req)
			}
		})
	}
}
