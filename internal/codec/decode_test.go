package codec

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestDecodeMatchesEncodingJSON decodes valid bodies into every supported
// type and compares the result with what encoding/json produces.
func TestDecodeMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		into any // pointer to a zero value of the type to decode into
		body string
	}{
		{"bool", new(bool), `true`},
		{"named bool", new(Flag), ` false `},
		{"int", new(int), `-9223372036854775808`},
		{"int8", new(int8), `-128`},
		{"int16", new(int16), `32767`},
		{"int32", new(int32), `-2147483648`},
		{"int64", new(int64), `9223372036854775807`},
		{"uint", new(uint), `18446744073709551615`},
		{"uint8", new(Level), `255`},
		{"uint16", new(uint16), `65535`},
		{"uint32", new(uint32), `4294967295`},
		{"uint64", new(uint64), `0`},
		{"uintptr", new(uintptr), `12`},
		{"float32", new(float32), `3.4028234e38`},
		{"named float32", new(Ratio), `-1.5e-3`},
		{"float64", new(float64), `1.7976931348623157e308`},
		{"float64 underflow", new(float64), `1e-400`},
		{"negative zero", new(float64), `-0`},
		{"string", new(string), `"plain"`},
		{"string escapes", new(Name), `"tab\t \"q\" \u00e9 \ud83d\ude00 \/"`},
		{"string utf8", new(string), `"héllo, 世界"`},
		{"empty string", new(string), `""`},
		{"time", new(time.Time), `"2024-02-29T12:30:45.123+02:00"`},
		{"time utc", new(time.Time), `"2024-02-29T12:30:45Z"`},
		{"bytes", new([]byte), `"aGVsbG8="`},
		{"bytes escaped slash", new(Blob), `"/+8\/"`},
		{"bytes empty", new([]byte), `""`},
		{"text unmarshaler", new(Color), `"green"`},
		{"json unmarshaler number", new(Temp), `21.5`},
		{"json unmarshaler string", new(Temp), `"21C"`},
		{"any object", new(any), `{"a":[1,"x",true,null,{"b":2.5}]}`},
		{"any null", new(any), `null`},
		{"slice", new([]int), `[1,2,3,4,5,6,7,8,9]`},
		{"slice empty", new([]string), `[]`},
		{"slice of slices", new([][]int), `[[1],[],[2,3]]`},
		{"array", new([3]int), `[1,2,3]`},
		{"map", new(map[string]int), `{"a":1,"b":2}`},
		{"map empty", new(map[string]bool), `{}`},
		{"map text keys", new(map[Color]string), `{"red":"r","green":"g"}`},
		{"map named keys", new(map[Name]float64), `{"x":1}`},
		{"pointer", new(*int), `5`},
		{"pointer null", new(*int), `null`},
		{"pointer to struct", new(*Address), `{"street":"Main","city":"X"}`},
		{"struct", new(Address), `{"city":"Y","street":"Z"}`},
		{"embedded", new(Base), `{"id":7,"created":"2001-02-03T04:05:06Z"}`},
		{"recursive", new(Node), `{"value":1,"children":[{"value":2,"children":[{"value":3}]},null]}`},
		{"escaped member name", new(Address), `{"\u0073treet":"s","city":"c"}`},
		{"rich", new(Rich), richBody},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			typ := reflect.TypeOf(tt.into).Elem()
			d, err := compileType(typ)
			if err != nil {
				t.Fatal(err)
			}
			got, fails, err := decodeNew(d, []byte(tt.body))
			if err != nil || len(fails) > 0 {
				t.Fatalf("got error %v, failures %v, want none", err, fails)
			}
			want := reflect.New(typ).Interface()
			if err := json.Unmarshal([]byte(tt.body), want); err != nil {
				t.Fatalf("encoding/json: %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("mismatch with encoding/json (-want +got):\n%s", diff)
			}
		})
	}
}

const richBody = `{
	"id": 42, "created": "2024-01-02T03:04:05Z", "name": "rich",
	"i8": -8, "i16": -16, "i32": -32, "i": -1, "u8": 8, "u16": 16, "u32": 32,
	"u64": 18446744073709551615, "up": 1, "f32": 1.25, "f64": 2.5e10, "ok": true,
	"blob": "AAEC", "color": "red", "temp": "30C", "opt": 3,
	"any": {"k": [1, 2]}, "tags": ["a", "b"], "grid": [[1, 2], [3, 4]],
	"counts": {"x": 1}, "byColor": {"green": "g"}, "ptr": 9,
	"addr": {"street": "s", "city": "c"}, "addrs": [{"street": "t", "city": "d"}],
	"tree": {"value": 1, "children": [{"value": 2}]},
	"nested": {"n": [true, false]}, "when": "1999-12-31T23:59:59-01:00"
}`

// TestDecodeIntegralNumbers checks that integer fields take integral
// numbers written with a fraction or an exponent, as JSON Schema 2020-12
// counts them integers, where encoding/json refuses them.
func TestDecodeIntegralNumbers(t *testing.T) {
	t.Parallel()
	body := `{"id":1.0,"name":"n","i8":1.27e2,"i16":-32768.000,"i32":0.000001e6,"i":-9.223372036854775808e18,` +
		`"u8":2550e-1,"u16":0.0e1,"u32":4.294967295E+9,"u64":18446744073709551615e0,"up":0.0e7,"counts":{"a":1E+2},"ptr":5e0}`
	got, fails, err := decodeAs[Rich](t, body)
	if err != nil || len(fails) > 0 {
		t.Fatalf("got error %v, failures %v, want none", err, fails)
	}
	five := 5
	want := Rich{Base: Base{ID: 1}, Name: "n", I8: 127, I16: -32768, I32: 1, I: -9223372036854775808,
		U8: 255, U32: 4294967295, U64: 18446744073709551615, Counts: map[string]int{"a": 100}, Ptr: &five}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestDecodeNonNilEmpty checks that [] and "" give empty, non-nil slices.
func TestDecodeNonNilEmpty(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		body string
		get  func(Rich) bool // reports whether the slice is nil
	}{
		{"slice", `{"id":1,"name":"n","tags":[]}`, func(r Rich) bool { return r.Tags == nil }},
		{"bytes", `{"id":1,"name":"n","blob":""}`, func(r Rich) bool { return r.Blob == nil }},
		{"map", `{"id":1,"name":"n","counts":{}}`, func(r Rich) bool { return r.Counts == nil }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, fails, err := decodeAs[Rich](t, tt.body)
			if err != nil || len(fails) > 0 {
				t.Fatalf("got error %v, failures %v, want none", err, fails)
			}
			if got := tt.get(v); got {
				t.Errorf("got nil %v, want empty non-nil", tt.name)
			}
		})
	}
}

// TestNullable checks where null is accepted and what it leaves.
func TestNullable(t *testing.T) {
	t.Parallel()
	v, fails, err := decodeAs[Rich](t, `{"id":1,"name":"n","ptr":null,"opt":null,"any":null,"addr":null,"tree":{"value":1,"children":[null]}}`)
	if err != nil || len(fails) > 0 {
		t.Fatalf("got error %v, failures %v, want none", err, fails)
	}
	if v.Ptr != nil || v.Opt != 0 || v.Any != nil || v.Addr != nil {
		t.Errorf("got %+v, want nil/zero members", v)
	}
	if got := len(v.Tree.Children); got != 1 || v.Tree.Children[0] != nil {
		t.Errorf("got children %v, want [nil]", v.Tree.Children)
	}
}

// TestConcurrentDecode decodes with one Decoder from many goroutines
// (meaningful under -race).
func TestConcurrentDecode(t *testing.T) {
	t.Parallel()
	d := compileFor[Rich](t)
	done := make(chan error)
	for range 8 {
		go func() {
			for range 50 {
				_, fails, err := decodeNew(d, []byte(richBody))
				if err == nil && len(fails) > 0 {
					err = fmt.Errorf("failures %v", fails)
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Errorf("got %v, want nil", err)
		}
	}
}
