package codec

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/google/go-cmp/cmp"
)

// FuzzDecode decodes arbitrary bytes into Rich and checks that
//   - Decode never panics and leaves the path as it found it;
//   - it returns a *SyntaxError exactly when jsontext's strict validation
//     (duplicate names and invalid UTF-8 rejected) fails, and no other error;
//   - when it reports neither error nor failure, encoding/json accepts the
//     same bytes, their integral numbers written as plain integers, and
//     produces the same value: the codec takes 1.0 and 1e2 for the
//     integers they are (as JSON Schema does), encoding/json refuses them.
//     The one known exception: a time.Time string written with escapes
//     (\u002d) is valid JSON that time.Time.UnmarshalJSON rejects; the
//     codec unescapes it first.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		richBody,
		numbersBody,
		string(userBody),
		`{"id":1,"name":"n"}`,
		`{"id":1,"name":"n","tags":[1,{"a":[]}],"i8":300,"x":{"y":null}}`,
		`{"id":1,"name":"n","counts":{"a":1,"a":2}}`,
		`{"id":1,"name":"n","any":[{"k":1,"k":2}],"temp":"9C"}`,
		`{"id":1,"name":"n\u00e9\ud83d\ude00","byColor":{"red":"x","blue":"y"}}`,
		`{"id":1,"name":"n","created":"2024-02-29T12:30:45.5+02:00","when":null,"ptr":null}`,
		`{"id":1,"name":"n","tree":{"value":1,"children":[{"value":2,"children":[null]}]}}`,
		`{"id":1,"name":"n","grid":[[1],[2,3,4]],"blob":"AAEC","f32":1e39,"any":1e999}`,
		`{"id":-0,"name":"n","u64":-0,"i":1e3,"f64":-0.0e-0}`,
		`{"id":1.0,"name":"n","i8":1.27e2,"i16":-32768.000,"u64":18446744073709551615e0,"up":0.0e7}`,
		`{"id":1e999999,"name":"n","i":-1e-999999,"u8":2550e-1,"i32":0.000001e6,"counts":{"a":1E+2}}`,
		`{"id":10.5e1,"name":"n","u16":-0.0,"i":9.223372036854775807e18,"grid":[[1.0,2e0],[3.00,40e-1]]}`,
		strings.Repeat(`{"tree":`, 50) + `1` + strings.Repeat(`}`, 50),
		`{} {}`, `null`, ``, `"x"`, `[1,2]`, `{"id":1,"name":"n"`, "{\"name\":\"\xff\"}",
	} {
		f.Add([]byte(seed))
	}
	d := compileFor[Rich](f)
	f.Fuzz(func(t *testing.T, data []byte) {
		got, fails, err := decodeNew(d, data)
		var se *SyntaxError
		isSyntax := errors.As(err, &se)
		if err != nil && !isSyntax {
			t.Fatalf("got %v (%T), want nil or a *SyntaxError", err, err)
		}
		if valid := jsontext.Value(data).IsValid(); valid == isSyntax {
			t.Fatalf("got error %v for input %q, want a *SyntaxError: %v", err, data, !valid)
		}
		if err != nil || len(fails) > 0 {
			return
		}
		want := new(Rich)
		if err := json.Unmarshal(plainIntegers(t, data), want); err != nil {
			if errors.As(err, new(*time.ParseError)) && bytes.Contains(data, []byte(`\`)) {
				return
			}
			t.Fatalf("codec accepted %q, but encoding/json rejected it: %v", data, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("for %q, value differs from encoding/json (-want +got):\n%s", data, diff)
		}
	})
}

// plainIntegers returns the JSON text data with every number whose value
// is an integer, by math/big's exact reading, and whose exponent is small,
// written as a plain integer ("1.0e2" as "100", "-0.0" as "-0"), for
// encoding/json, which refuses other forms of integers in integer fields.
func plainIntegers(t *testing.T, data []byte) []byte {
	dec := jsontext.NewDecoder(bytes.NewReader(data), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	var out bytes.Buffer
	enc := jsontext.NewEncoder(&out, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	for {
		v, err := dec.ReadValue()
		if err == io.EOF {
			return out.Bytes()
		}
		if err != nil {
			t.Fatalf("plainIntegers(%q): %v", data, err)
		}
		if err := enc.WriteValue(plainValue(v)); err != nil {
			t.Fatalf("plainIntegers(%q): %v", data, err)
		}
	}
}

// plainValue rewrites the integral numbers of one JSON value.
func plainValue(v jsontext.Value) jsontext.Value {
	switch v.Kind() {
	case '0':
		lit := string(v)
		if !strings.ContainsAny(lit, ".eE") {
			return v
		}
		if i := strings.IndexAny(lit, "eE"); i >= 0 {
			if e, err := strconv.Atoi(lit[i+1:]); err != nil || e > 100 || e < -100 {
				return v
			}
		}
		r, ok := new(big.Rat).SetString(lit)
		if !ok || !r.IsInt() {
			return v
		}
		if r.Sign() == 0 && lit[0] == '-' {
			return jsontext.Value("-0")
		}
		return jsontext.Value(r.Num().String())
	case '{', '[':
		dec := jsontext.NewDecoder(bytes.NewReader(v), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
		var out bytes.Buffer
		enc := jsontext.NewEncoder(&out, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
		for {
			tok, err := dec.ReadToken()
			if err != nil {
				return v // io.EOF: done, as below
			}
			if tok.Kind() == '0' {
				err = enc.WriteValue(plainValue(jsontext.Value(tok.String())))
			} else {
				err = enc.WriteToken(tok)
			}
			if err != nil {
				return v
			}
			if dec.StackDepth() == 0 {
				return out.Bytes()
			}
		}
	}
	return v
}
