package roux

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// text writes e back as a runtime expression.
func (e expression) text() string {
	switch {
	case e.place == "":
		return e.source
	case e.place == "body" && e.name == "":
		return "$" + e.source + ".body"
	case e.place == "body":
		return "$" + e.source + ".body#" + e.name
	}
	return "$" + e.source + "." + e.place + "." + e.name
}

func TestParseCallbackURL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want []expression
		err  string
	}{
		{"{$request.body#/callbackUrl}", []expression{{"request", "body", "/callbackUrl"}}, ""},
		{"$request.body#/a~1b/0", []expression{{"request", "body", "/a~1b/0"}}, ""},
		{"https://x.example/{$request.path.id}/{$response.header.location}?m={$method}",
			[]expression{{"request", "path", "id"}, {"response", "header", "Location"}, {"$method", "", ""}}, ""},
		{"{$response.body}", []expression{{"response", "body", ""}}, ""},
		{"https://fixed.example/hook", nil, ""},
		{"", nil, "empty"},
		{"{$request.body#callbackUrl}", nil, "does not start with '/'"},
		{"{$request.body#/a~2}", nil, "'~'"},
		{"{$request.cookie.sid}", nil, "must name"},
		{"{$request.header.a b}", nil, "not a token"},
		{"{$host}", nil, "must be $url"},
		{"x}{", nil, "'}' without"},
		{"{{$url}}", nil, "without its '}'"},
		{"/relative", nil, "neither"},
	} {
		got, err := parseCallbackURL(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: got %v, %v; want an error saying %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(expression{})); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.in, diff)
		}
	}
}

func FuzzParseCallbackURL(f *testing.F) {
	for _, s := range []string{"{$request.body#/callbackUrl}", "https://a/{$request.query.q}/{$statusCode}", "{$response.header.X}", "{", "}", "$request.body#/~"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		exprs, err := parseCallbackURL(s)
		if err != nil {
			return
		}
		for _, e := range exprs {
			// Each expression, written back, parses as itself.
			again, err := parseExpression(e.text())
			if err != nil || again != e {
				t.Errorf("%q: expression %+v written as %q parses as %+v, %v", s, e, e.text(), again, err)
			}
		}
	})
}
