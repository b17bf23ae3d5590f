package codec

import (
	"bytes"
	"encoding/json"
	"testing"
	"unsafe"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/roux-go/roux/internal/verr"
)

type Numbers struct {
	A int     `json:"a"`
	B int64   `json:"b"`
	C uint32  `json:"c"`
	D float64 `json:"d"`
	E bool    `json:"e"`
	F float32 `json:"f"`
	G int8    `json:"g"`
}

const numbersBody = `{"a":1,"b":-9000000000,"c":4000000000,"d":3.14159,"e":true,"f":-2.5e3,"g":-7}`

// TestAllocsNumbers checks that a struct of numbers and booleans decodes
// without allocating: the state is pooled, numbers are parsed from the
// tokenizer's buffer and stored in place.
func TestAllocsNumbers(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's sync.Pool drops items at random")
	}
	d := compileFor[Numbers](t)
	var (
		v    Numbers
		path verr.Path
		errs verr.List
		r    bytes.Reader
	)
	body := []byte(numbersBody)
	allocs := testing.AllocsPerRun(200, func() {
		v = Numbers{}
		path.SetBody()
		errs.Reset()
		r.Reset(body)
		if err := d.Decode(&r, unsafe.Pointer(&v), &path, &errs); err != nil || errs.Len() > 0 {
			t.Fatalf("got %v, %v, want no error or failure", err, errs.Items)
		}
	})
	if want := 0.0; allocs > want {
		t.Errorf("got %v allocations per decode, want %v", allocs, want)
	}
}

// User is a typical request body: ten members, a nested struct and a
// []string.
type User struct {
	ID      int64    `json:"id"`
	Name    string   `json:"name"`
	Email   string   `json:"email"`
	Age     int      `json:"age"`
	Score   float64  `json:"score"`
	Active  bool     `json:"active"`
	Tags    []string `json:"tags"`
	Address Address  `json:"address"`
	Balance int64    `json:"balance"`
	Notes   string   `json:"notes,omitempty"`
}

var userBody = []byte(`{"id":123456,"name":"Ada Lovelace","email":"ada@example.com","age":36,` +
	`"score":97.5,"active":true,"tags":["math","engines","poetry"],` +
	`"address":{"street":"12 St James's Square","city":"London"},"balance":-4200,` +
	`"notes":"first programmer; wrote \"Notes\" on the Analytical Engine"}`)

func BenchmarkDecode(b *testing.B) {
	b.Run("codec", func(b *testing.B) {
		d := compileFor[User](b)
		var (
			path verr.Path
			errs verr.List
			r    bytes.Reader
		)
		b.ReportAllocs()
		b.SetBytes(int64(len(userBody)))
		for b.Loop() {
			var v User
			path.SetBody()
			errs.Reset()
			r.Reset(userBody)
			if err := d.Decode(&r, unsafe.Pointer(&v), &path, &errs); err != nil || errs.Len() > 0 {
				b.Fatal(err, errs.Items)
			}
		}
	})
	b.Run("encodingjson", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(userBody)))
		for b.Loop() {
			var v User
			if err := json.Unmarshal(userBody, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("jsonv2", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(userBody)))
		for b.Loop() {
			var v User
			if err := jsonv2.Unmarshal(userBody, &v, jsonv2.RejectUnknownMembers(true)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
