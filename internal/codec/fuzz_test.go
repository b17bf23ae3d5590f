package codec

import (
	"bytes"
	"encoding/json"
	"errors"
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
//     same bytes and produces the same value. The one known exception: a
//     time.Time string written with escapes (\u002d) is valid JSON that
//     time.Time.UnmarshalJSON rejects; the codec unescapes it first.
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
		if err := json.Unmarshal(data, want); err != nil {
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
