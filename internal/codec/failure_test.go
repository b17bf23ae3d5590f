package codec

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/roux-go/roux/internal/verr"
)

// fail and failV build expected failures.
func fail(pointer, code, detail string) verr.Error {
	return verr.Error{Pointer: pointer, Code: code, Detail: detail}
}

func failV(pointer, code, detail string, value any) verr.Error {
	return verr.Error{Pointer: pointer, Code: code, Detail: detail, Value: value, HasValue: true}
}

// TestFailures checks the code, pointer, detail and echoed value of every
// kind of value-level failure.
func TestFailures(t *testing.T) {
	t.Parallel()
	const ok = `"id":1,"name":"n"` // Rich's required members
	for _, tt := range []struct {
		name string
		into any // pointer to a zero value of the type to decode into
		body string
		want []verr.Error
	}{
		{"body of wrong kind", new(Rich), `[1]`, []verr.Error{fail("", "type", "must be an object")}},
		{"body null", new(Rich), `null`, []verr.Error{fail("", "type", "must not be null")}},
		{"body scalar", new(Address), `"x"`, []verr.Error{failV("", "type", "must be an object", "x")}},
		{"string for int", new(Rich), `{` + ok + `,"i":"7"}`, []verr.Error{failV("/i", "type", "must be an integer", "7")}},
		{"fraction", new(Rich), `{` + ok + `,"i":1.5}`, []verr.Error{failV("/i", "type", "must be an integer", json.Number("1.5"))}},
		{"fraction in exponent form", new(Rich), `{` + ok + `,"i32":15e-1}`, []verr.Error{failV("/i32", "type", "must be an integer", json.Number("15e-1"))}},
		{"tiny fraction", new(Rich), `{` + ok + `,"i":1e-999999}`, []verr.Error{failV("/i", "type", "must be an integer", json.Number("1e-999999"))}},
		{"integral but out of range", new(Rich), `{` + ok + `,"i8":1.28e2}`, []verr.Error{failV("/i8", "maximum", "must be at most 127", json.Number("1.28e2"))}},
		{"huge exponent", new(Rich), `{` + ok + `,"i":1e999999}`, []verr.Error{failV("/i", "maximum", "must be at most 9223372036854775807", json.Number("1e999999"))}},
		{"huge negative exponent form", new(Rich), `{` + ok + `,"i":-1.0e999999999999999999999}`, []verr.Error{failV("/i", "minimum", "must be at least -9223372036854775808", json.Number("-1.0e999999999999999999999"))}},
		{"huge exponent for uint", new(Rich), `{` + ok + `,"u64":1E+400}`, []verr.Error{failV("/u64", "maximum", "must be at most 18446744073709551615", json.Number("1E+400"))}},
		{"negative integral for uint", new(Rich), `{` + ok + `,"u64":-1.0}`, []verr.Error{failV("/u64", "minimum", "must be at least 0", json.Number("-1.0"))}},
		{"negative fraction for uint", new(Rich), `{` + ok + `,"u64":-0.5}`, []verr.Error{failV("/u64", "type", "must be an integer", json.Number("-0.5"))}},
		{"int8 overflow", new(Rich), `{` + ok + `,"i8":128}`, []verr.Error{failV("/i8", "maximum", "must be at most 127", json.Number("128"))}},
		{"int8 underflow", new(Rich), `{` + ok + `,"i8":-129}`, []verr.Error{failV("/i8", "minimum", "must be at least -128", json.Number("-129"))}},
		{"int16 overflow", new(Rich), `{` + ok + `,"i16":32768}`, []verr.Error{failV("/i16", "maximum", "must be at most 32767", json.Number("32768"))}},
		{"int overflow", new(Rich), `{` + ok + `,"i":9223372036854775808}`, []verr.Error{failV("/i", "maximum", "must be at most 9223372036854775807", json.Number("9223372036854775808"))}},
		{"uint8 overflow", new(Rich), `{` + ok + `,"u8":256}`, []verr.Error{failV("/u8", "maximum", "must be at most 255", json.Number("256"))}},
		{"uint32 overflow", new(Rich), `{` + ok + `,"u32":4294967296}`, []verr.Error{failV("/u32", "maximum", "must be at most 4294967295", json.Number("4294967296"))}},
		{"uint negative", new(Rich), `{` + ok + `,"u64":-1}`, []verr.Error{failV("/u64", "minimum", "must be at least 0", json.Number("-1"))}},
		{"float32 overflow", new(Rich), `{` + ok + `,"f32":1e39}`, []verr.Error{failV("/f32", "maximum", "must be at most 3.4028235e+38", json.Number("1e39"))}},
		{"float64 overflow", new(Rich), `{` + ok + `,"f64":-1e400}`, []verr.Error{failV("/f64", "minimum", "must be at least -1.7976931348623157e+308", json.Number("-1e400"))}},
		{"number for string", new(Rich), `{"id":1,"name":12}`, []verr.Error{failV("/name", "type", "must be a string", json.Number("12"))}},
		{"string for bool", new(Rich), `{` + ok + `,"ok":"yes"}`, []verr.Error{failV("/ok", "type", "must be a boolean", "yes")}},
		{"object for float", new(Rich), `{` + ok + `,"f64":{"a":1}}`, []verr.Error{fail("/f64", "type", "must be a number")}},
		{"long string not echoed", new(Rich), `{` + ok + `,"i":"` + string(make([]byte, 0)) + `0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"}`, []verr.Error{fail("/i", "type", "must be an integer")}},
		{"null for string", new(Rich), `{"id":1,"name":null}`, []verr.Error{fail("/name", "type", "must not be null")}},
		{"null for slice", new(Rich), `{` + ok + `,"tags":null}`, []verr.Error{fail("/tags", "type", "must not be null")}},
		{"null for map", new(Rich), `{` + ok + `,"counts":null}`, []verr.Error{fail("/counts", "type", "must not be null")}},
		{"null for time", new(Rich), `{` + ok + `,"created":null}`, []verr.Error{fail("/created", "type", "must not be null")}},
		{"null element", new(Rich), `{` + ok + `,"tags":["a",null]}`, []verr.Error{fail("/tags/1", "type", "must not be null")}},
		{"object for slice", new(Rich), `{` + ok + `,"tags":{}}`, []verr.Error{fail("/tags", "type", "must be an array")}},
		{"array for struct", new(Rich), `{` + ok + `,"addr":[]}`, []verr.Error{fail("/addr", "type", "must be an object")}},
		{"bad time", new(Rich), `{` + ok + `,"created":"2024-13-01T00:00:00Z"}`, []verr.Error{failV("/created", "format", "must be an RFC 3339 date-time", "2024-13-01T00:00:00Z")}},
		{"bad base64", new(Rich), `{` + ok + `,"blob":"a!=="}`, []verr.Error{failV("/blob", "contentEncoding", "must be base64-encoded (standard alphabet, padded)", "a!==")}},
		{"text unmarshaler", new(Rich), `{` + ok + `,"color":"blue"}`, []verr.Error{failV("/color", "format", `unknown color "blue"`, "blue")}},
		{"text map key", new(Rich), `{` + ok + `,"byColor":{"blue":"b"}}`, []verr.Error{fail("/byColor/blue", "propertyNames", `invalid member name: unknown color "blue"`)}},
		{"json unmarshaler", new(Rich), `{` + ok + `,"temp":"30F"}`, []verr.Error{failV("/temp", "format", "temperature must end in C", "30F")}},
		{"any out of range", new(Rich), `{` + ok + `,"any":[1e999]}`, []verr.Error{fail("/any", "type", "must hold only numbers within the range of a float64")}},
		{"array too short", new(Rich), `{` + ok + `,"grid":[[1,2]]}`, []verr.Error{fail("/grid", "minItems", "must have at least 2 items")}},
		{"array too long", new(Rich), `{` + ok + `,"grid":[[1,2,3,4],[1,2]]}`, []verr.Error{fail("/grid/0", "maxItems", "must have at most 2 items")}},
		{"unknown member", new(Rich), `{` + ok + `,"nmae":{"deep":[1]}}`, []verr.Error{fail("/nmae", "additionalProperties", `unknown member "nmae"`)}},
		{"case matters", new(Address), `{"street":"s","City":"c"}`, []verr.Error{
			fail("/City", "additionalProperties", `unknown member "City"`),
			fail("/city", "required", `required member "city" is missing`),
		}},
		{"escaped pointer", new(Rich), `{` + ok + `,"a/b~c":1}`, []verr.Error{fail("/a~1b~0c", "additionalProperties", `unknown member "a/b~c"`)}},
		{"missing required", new(Rich), `{}`, []verr.Error{
			fail("/id", "required", `required member "id" is missing`),
			fail("/name", "required", `required member "name" is missing`),
		}},
		{"deep pointers", new(Rich), `{` + ok + `,"addrs":[{"street":"s","city":"c"},{"street":1,"town":"t"}],"tree":{"value":1,"children":[{"value":"x"}]}}`, []verr.Error{
			failV("/addrs/1/street", "type", "must be a string", json.Number("1")),
			fail("/addrs/1/town", "additionalProperties", `unknown member "town"`),
			fail("/addrs/1/city", "required", `required member "city" is missing`),
			failV("/tree/children/0/value", "type", "must be an integer", "x"),
		}},
		{"map values", new(Rich), `{` + ok + `,"nested":{"k~":[true,1]},"counts":{"a":-1.5}}`, []verr.Error{
			failV("/nested/k~0/1", "type", "must be a boolean", json.Number("1")),
			failV("/counts/a", "type", "must be an integer", json.Number("-1.5")),
		}},
		{"many at once", new(Rich), `{"id":"1","i8":300,"u8":-1,"ok":1,"tags":[1,"a",false],"ptr":"p","extra":null}`, []verr.Error{
			failV("/id", "type", "must be an integer", "1"),
			failV("/i8", "maximum", "must be at most 127", json.Number("300")),
			failV("/u8", "minimum", "must be at least 0", json.Number("-1")),
			failV("/ok", "type", "must be a boolean", json.Number("1")),
			failV("/tags/0", "type", "must be a string", json.Number("1")),
			failV("/tags/2", "type", "must be a string", false),
			failV("/ptr", "type", "must be an integer", "p"),
			fail("/extra", "additionalProperties", `unknown member "extra"`),
			fail("/name", "required", `required member "name" is missing`),
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := compileType(reflect.TypeOf(tt.into).Elem())
			if err != nil {
				t.Fatal(err)
			}
			_, got, err := decodeNew(d, []byte(tt.body))
			if err != nil {
				t.Fatalf("got error %v, want nil", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("failures (-want +got):\n%s", diff)
			}
		})
	}
}
