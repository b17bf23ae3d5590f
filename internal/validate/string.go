package validate

import (
	"fmt"
	"reflect"
	"regexp"
	"unicode/utf8"

	"github.com/roux-go/roux/schema"
)

// maxEcho is the longest string, in bytes, echoed in a failure.
const maxEcho = 200

// stringCheck compiles minLength, maxLength, pattern, format and enum for
// t, whose JSON form is a string. Lengths count Unicode code points, as
// JSON Schema specifies, not bytes. The pattern is an RE2 expression
// (Go's regexp syntax) searched anywhere in the value: anchor it with ^
// and $ to match the whole value.
func stringCheck(t reflect.Type, s *schema.Schema, echo bool) (check, error) {
	var tests []test[string]
	if s.MinLength != nil {
		n := *s.MinLength
		tests = append(tests, test[string]{"minLength", "must be at least " + count(n, "character", "characters") + " long",
			func(v string) bool { return len(v)/4 >= n || utf8.RuneCountInString(v) >= n }})
	}
	if s.MaxLength != nil {
		n := *s.MaxLength
		tests = append(tests, test[string]{"maxLength", "must be at most " + count(n, "character", "characters") + " long",
			func(v string) bool { return len(v) <= n || utf8.RuneCountInString(v) <= n }})
	}
	if s.Pattern != "" {
		re, err := regexp.Compile(s.Pattern)
		if err != nil {
			return nil, fmt.Errorf("pattern %q: %v", s.Pattern, err)
		}
		tests = append(tests, test[string]{"pattern", "must match pattern " + s.Pattern, re.MatchString})
	}
	// A time.Time always marshals as an RFC 3339 date-time.
	if ok, detail, checked := formatTest(s.Format); checked && !(t == timeType && s.Format == "date-time") {
		tests = append(tests, test[string]{"format", detail, ok})
	}
	read := textReader(t)
	more, err := enumTests(t, s, read)
	if err != nil {
		return nil, err
	}
	var box func(string) (any, bool)
	if echo {
		box = func(v string) (any, bool) { return v, len(v) <= maxEcho }
	}
	return scalarCheck(read, append(tests, more...), box), nil
}
