package codec

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"github.com/roux-go/roux/internal/verr"
)

// TestSyntaxErrors checks that malformed bodies stop decoding with a
// *SyntaxError that locates the problem.
func TestSyntaxErrors(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat(`{"children":[`, 10001) + strings.Repeat(`]}`, 10001)
	// A syntax error repeats at most verr.MaxEcho bytes of a member name
	// or pointer.
	long := strings.Repeat("n", 500<<10)
	clipped := verr.Clip(long, verr.MaxEcho)
	for _, tt := range []struct {
		name string
		body string
		want SyntaxError
	}{
		{"empty", ``, SyntaxError{Msg: "the body is empty"}},
		{"whitespace", " \n\t", SyntaxError{Msg: "the body is empty"}},
		{"truncated object", `{"value":1,`, SyntaxError{Offset: 11, Msg: "unexpected end of JSON input"}},
		{"truncated string", `{"value":1,"children":[{"val`, SyntaxError{Offset: 28, Pointer: "/children/0", Msg: "unexpected end of JSON input"}},
		{"truncated number", `{"value":12`, SyntaxError{Offset: 11, Msg: "unexpected end of JSON input"}},
		{"duplicate", `{"value":1,"value":2}`, SyntaxError{Offset: 11, Pointer: "/value", Msg: `duplicate member name "value"`}},
		{"duplicate escaped", `{"value":1,"v\u0061lue":2}`, SyntaxError{Offset: 11, Pointer: "/value", Msg: `duplicate member name "value"`}},
		{"duplicate in skipped value", `{"x":{"a":1,"a":2}}`, SyntaxError{Offset: 12, Pointer: "/x/a", Msg: `duplicate member name "a"`}},
		{"trailing value", `{} {}`, SyntaxError{Offset: 2, Msg: "unexpected data after the JSON value"}},
		{"trailing garbage", `{"value":1}x`, SyntaxError{Offset: 11, Msg: "unexpected data after the JSON value"}},
		{"trailing comma", `{"value":1,}`, SyntaxError{Offset: 10, Msg: "invalid character ',' at start of value"}},
		{"unquoted name", `{value:1}`, SyntaxError{Offset: 1, Msg: "invalid character 'v' at start of value"}},
		{"missing comma", `{"children":[{} {}]}`, SyntaxError{Offset: 16, Pointer: "/children", Msg: "invalid character '{' after array element (expecting ',' or ']')"}},
		{"invalid utf8", "{\"x\":\"\xff\"}", SyntaxError{Offset: 6, Pointer: "/x", Msg: "invalid UTF-8"}},
		{"invalid utf8 name", "{\"\xff\":1}", SyntaxError{Offset: 2, Msg: "invalid UTF-8"}},
		{"bad literal", `{"value":nul}`, SyntaxError{Offset: 12, Pointer: "/value", Msg: "invalid character '}' in literal null (expecting 'l')"}},
		{"too deep", deep, SyntaxError{Offset: 65000, Pointer: "", Msg: "exceeded max depth"}},
		{"500 KB duplicate name", `{"` + long + `":1,"` + long + `":2}`, SyntaxError{Offset: int64(len(long)) + 6, Pointer: verr.Clip("/"+long, verr.MaxEcho), Msg: `duplicate member name "` + clipped + `"`}},
		{"500 KB duplicate name in a skipped value", `{"x":{"` + long + `":1,"` + long + `":2}}`, SyntaxError{Offset: int64(len(long)) + 11, Pointer: verr.Clip("/x/"+long, verr.MaxEcho), Msg: `duplicate member name "` + clipped + `"`}},
		{"2,000 deep", `{"children":[` + strings.Repeat(`{"children":[`, 2000) + `x`, SyntaxError{Offset: 26013, Pointer: verr.Clip(strings.Repeat("/children/0", 2001), verr.MaxEcho), Msg: "invalid character 'x' at start of value"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := compileFor[Node](t)
			_, _, err := decodeNew(d, []byte(tt.body))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("got %v, want a *SyntaxError", err)
			}
			if tt.name == "too deep" { // the pointer is 20000 tokens long
				se.Pointer = ""
			}
			if diff := cmp.Diff(tt.want, *se); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			// Detail is what clients see: no package name.
			if d := se.Detail(); strings.Contains(d, "codec") || "codec: "+d != se.Error() {
				t.Errorf("Detail %q, Error %q: want Error to be Detail after the package name", d, se.Error())
			}
		})
	}
}

// TestDuplicates checks that a duplicate member name is a *SyntaxError
// wherever it is: in a struct, a map, or a value decoded whole or skipped.
func TestDuplicates(t *testing.T) {
	t.Parallel()
	const ok = `"id":1,"name":"n",`
	for _, tt := range []struct {
		name string
		body string
		want SyntaxError
	}{
		{"struct member", `{"id":1,"name":"n","id":2}`, SyntaxError{Offset: 19, Pointer: "/id", Msg: `duplicate member name "id"`}},
		{"embedded member", `{"id":1,"name":"n","created":"2024-01-01T00:00:00Z","created":"x"}`, SyntaxError{Offset: 52, Pointer: "/created", Msg: `duplicate member name "created"`}},
		{"unknown member", `{` + ok + `"x":1,"x":2}`, SyntaxError{Offset: 25, Pointer: "/x", Msg: `duplicate member name "x"`}},
		{"map key", `{` + ok + `"counts":{"a":1,"b":2,"a":3}}`, SyntaxError{Offset: 41, Pointer: "/counts/a", Msg: `duplicate member name "a"`}},
		{"map text key", `{` + ok + `"byColor":{"red":"1","blue":"2","blue":"3"}}`, SyntaxError{Offset: 51, Pointer: "/byColor/blue", Msg: `duplicate member name "blue"`}},
		{"nested struct", `{` + ok + `"addrs":[{},{"city":"a","city":"b"}]}`, SyntaxError{Offset: 43, Pointer: "/addrs/1/city", Msg: `duplicate member name "city"`}},
		{"in any", `{` + ok + `"any":[{"k":1,"k":2}]}`, SyntaxError{Offset: 33, Pointer: "/any/0/k", Msg: `duplicate member name "k"`}},
		{"in unmarshaler", `{` + ok + `"temp":{"a":1,"a":1}}`, SyntaxError{Offset: 33, Pointer: "/temp/a", Msg: `duplicate member name "a"`}},
		{"in wrong kind", `{` + ok + `"tags":{"a":1,"a":1}}`, SyntaxError{Offset: 33, Pointer: "/tags/a", Msg: `duplicate member name "a"`}},
		{"in unknown", `{` + ok + `"zz":[{"a":{"b":1,"b":1}}]}`, SyntaxError{Offset: 37, Pointer: "/zz/0/a/b", Msg: `duplicate member name "b"`}},
		{"in extra array item", `{` + ok + `"grid":[[1,2],[3,4],{"a":1,"a":1}]}`, SyntaxError{Offset: 46, Pointer: "/grid/2/a", Msg: `duplicate member name "a"`}},
		{"escaped", `{` + ok + `"counts":{"a":1,"\u0061":2}}`, SyntaxError{Offset: 35, Pointer: "/counts/a", Msg: `duplicate member name "a"`}},
		{"many unknown", `{` + ok + unknownMembers(40) + `"u3":0}`, SyntaxError{Offset: 329, Pointer: "/u3", Msg: `duplicate member name "u3"`}},
		{"many bad keys", `{` + ok + `"byColor":{` + unknownMembers(40) + `"u39":0}}`, SyntaxError{Offset: 340, Pointer: "/byColor/u39", Msg: `duplicate member name "u39"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := decodeAs[Rich](t, tt.body)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("got %v, want a *SyntaxError", err)
			}
			if diff := cmp.Diff(tt.want, *se); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// unknownMembers returns n members "u0":0, "u1":0, ..., each followed by
// a comma.
func unknownMembers(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `"u%d":0,`, i)
	}
	return b.String()
}

// TestManyUnknownMembers checks that a body with a great many unknown
// members is decoded in about linear time, every one counted and the
// first verr.MaxItems kept.
func TestManyUnknownMembers(t *testing.T) {
	t.Parallel()
	const n = 50000
	var v Address
	var path verr.Path
	path.SetBody()
	var errs verr.List
	body := `{` + unknownMembers(n) + `"street":"s","city":"c"}`
	if err := compileFor[Address](t).Decode(strings.NewReader(body), unsafe.Pointer(&v), &path, &errs); err != nil {
		t.Fatal(err)
	}
	if errs.Len() != n || len(errs.Items) != verr.MaxItems {
		t.Errorf("got %v failures with %v kept, want %v with %v kept", errs.Len(), len(errs.Items), n, verr.MaxItems)
	}
	if v.Street != "s" || v.City != "c" {
		t.Errorf("got %+v, want the known members decoded", v)
	}
}

// TestTrailingWhitespace checks that whitespace after the value is fine.
func TestTrailingWhitespace(t *testing.T) {
	t.Parallel()
	if _, fails, err := decodeAs[Node](t, "{\"value\":1} \r\n\t"); err != nil || len(fails) > 0 {
		t.Errorf("got %v, %v, want no error or failure", err, fails)
	}
}

// failingReader returns data, then err.
type failingReader struct {
	data string
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// TestReadErrors checks that a reader's error is returned as is.
func TestReadErrors(t *testing.T) {
	t.Parallel()
	errBoom := errors.New("boom")
	d := compileFor[Node](t)
	for _, tt := range []struct {
		name  string
		r     io.Reader
		check func(error) bool
	}{
		{"error midway", &failingReader{data: `{"value":1,"chil`, err: errBoom}, func(err error) bool { return err == errBoom }},
		{"error after value", &failingReader{data: `{"value":1}`, err: errBoom}, func(err error) bool { return err == errBoom }},
		{"error at start", &failingReader{err: errBoom}, func(err error) bool { return err == errBoom }},
		{"body too large", http.MaxBytesReader(httptest.NewRecorder(), io.NopCloser(strings.NewReader(`{"value":12345}`)), 8), func(err error) bool {
			var mbe *http.MaxBytesError
			return errors.As(err, &mbe) && mbe.Limit == 8
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var v Node
			var path verr.Path
			var errs verr.List
			path.SetBody()
			err := d.Decode(tt.r, unsafe.Pointer(&v), &path, &errs)
			if !tt.check(err) {
				t.Errorf("got %v (%T), want the reader's error", err, err)
			}
			if p := path.Pointer(); p != "" {
				t.Errorf("got path %q, want it restored to %q", p, "")
			}
		})
	}
}
