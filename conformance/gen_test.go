package conformance

// Generators of JSON values from the document's schemas: valid values,
// biased towards the boundaries the schema states, and invalid ones, each
// breaking exactly one keyword so that the expected answer is clear.

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"pgregory.net/rapid"
)

// schemaType returns the schema's single non-null type, or "".
func schemaType(s *openapi3.Schema) string {
	if s.Type == nil {
		return ""
	}
	for _, t := range *s.Type {
		if t != "null" {
			return t
		}
	}
	return ""
}

// numRange returns the inclusive range of valid numbers for s, with
// exclusive bounds moved inwards; for integers fallback bounds the open
// sides.
func numRange(s *openapi3.Schema, integer bool) (lo, hi float64) {
	lo, hi = -1e9, 1e9
	if integer {
		lo, hi = math.MinInt64, math.MaxInt64
	}
	if s.Min != nil {
		lo = *s.Min
	}
	if s.Max != nil {
		hi = *s.Max
	}
	if v := s.ExclusiveMin.Value; v != nil {
		lo = math.Max(lo, next(*v, 1, integer))
	} else if s.ExclusiveMin.IsTrue() && s.Min != nil {
		lo = next(*s.Min, 1, integer)
	}
	if v := s.ExclusiveMax.Value; v != nil {
		hi = math.Min(hi, next(*v, -1, integer))
	} else if s.ExclusiveMax.IsTrue() && s.Max != nil {
		hi = next(*s.Max, -1, integer)
	}
	return lo, hi
}

// next is the nearest value after v in direction dir.
func next(v, dir float64, integer bool) float64 {
	if integer {
		return v + dir
	}
	return math.Nextafter(v, v+dir)
}

// validValue draws a value valid for s. inBody limits integers to what a
// float64 carries exactly, as JSON numbers travel.
func validValue(t *rapid.T, s *openapi3.Schema, label string, inBody bool) any {
	if len(s.Enum) > 0 {
		return rapid.SampledFrom(s.Enum).Draw(t, label)
	}
	switch schemaType(s) {
	case "integer":
		lo, hi := numRange(s, true)
		if inBody {
			lo, hi = math.Max(lo, -(1<<53)), math.Min(hi, 1<<53)
		}
		l, h := int64(lo), int64(hi)
		if hi >= math.MaxInt64 {
			h = math.MaxInt64
		}
		return rapid.OneOf(rapid.SampledFrom([]int64{l, h, min(l+1, h), max(h-1, l)}), rapid.Int64Range(l, h)).Draw(t, label)
	case "number":
		lo, hi := numRange(s, false)
		return rapid.OneOf(rapid.SampledFrom([]float64{lo, hi}), rapid.Float64Range(lo, hi)).Draw(t, label)
	case "boolean":
		return rapid.Bool().Draw(t, label)
	case "string":
		return validString(t, s, label)
	case "array":
		return validArray(t, s, label, inBody)
	case "object":
		return validObject(t, s, label)
	}
	return rapid.Int().Draw(t, label)
}

func validString(t *rapid.T, s *openapi3.Schema, label string) string {
	minLen, maxLen := int(s.MinLength), 40
	if s.MaxLength != nil {
		maxLen = int(*s.MaxLength)
	}
	fits := func(v string) bool { n := utf8.RuneCountInString(v); return n >= minLen && n <= maxLen }
	if s.Pattern != "" {
		return rapid.StringMatching(s.Pattern).Filter(fits).Draw(t, label)
	}
	if strings.HasPrefix(label, "header ") {
		// A header value: visible ASCII, what a request can carry as it is.
		visible := rapid.RuneFrom(nil, &unicode.RangeTable{R16: []unicode.Range16{{Lo: 0x21, Hi: 0x7e, Stride: 1}}})
		return rapid.StringOfN(visible, minLen, maxLen, -1).Draw(t, label)
	}
	return rapid.OneOf(
		rapid.StringN(minLen, minLen, -1),
		rapid.StringN(maxLen, maxLen, -1),
		rapid.StringN(minLen, maxLen, -1),
	).Draw(t, label)
}

func validArray(t *rapid.T, s *openapi3.Schema, label string, inBody bool) []any {
	minN, maxN := int(s.MinItems), 5
	if s.MaxItems != nil {
		maxN = int(*s.MaxItems)
	}
	n := rapid.OneOf(rapid.Just(minN), rapid.Just(maxN), rapid.IntRange(minN, maxN)).Draw(t, label+" length")
	out := make([]any, 0, n)
	for i := 0; len(out) < n && i < 10*n; i++ {
		v := validValue(t, s.Items.Value, fmt.Sprintf("%s[%d]", label, len(out)), inBody)
		if s.UniqueItems && slices.ContainsFunc(out, func(w any) bool { return fmt.Sprint(w) == fmt.Sprint(v) }) {
			continue
		}
		out = append(out, v)
	}
	return out
}

func validObject(t *rapid.T, s *openapi3.Schema, label string) map[string]any {
	out := map[string]any{}
	for _, name := range sortedKeys(s.Properties) {
		p := s.Properties[name].Value
		if p.ReadOnly {
			continue
		}
		if slices.Contains(s.Required, name) || rapid.Bool().Draw(t, label+"."+name+" present") {
			out[name] = validValue(t, p, label+"."+name, true)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// A violation is a value that breaks one keyword of a schema.
type violation struct {
	keyword string
	value   any
}

// violations lists values that break s, one keyword each: the wrong
// type, null, each bound just crossed, an unknown enum value, a pattern
// miss. Structural ones for arrays and objects come from bodyMutations.
func violations(s *openapi3.Schema) []violation {
	var out []violation
	typ := schemaType(s)
	wrong := map[string][]any{
		"integer": {"12", true, 1.5},
		"number":  {"1.5", true},
		"string":  {42, true},
		"boolean": {"true", 1},
		"array":   {"x", map[string]any{}},
		"object":  {[]any{}, "x"},
	}
	for _, v := range wrong[typ] {
		out = append(out, violation{"type", v})
	}
	if typ != "" && !s.Type.Includes("null") && !s.Nullable {
		out = append(out, violation{"type (null)", nil})
	}
	switch typ {
	case "integer", "number":
		lo, hi := numRange(s, typ == "integer")
		if s.Min != nil || s.ExclusiveMin.IsSet() {
			out = append(out, violation{"minimum", next(lo, -1, typ == "integer")})
		}
		if s.Max != nil || s.ExclusiveMax.IsSet() {
			out = append(out, violation{"maximum", next(hi, 1, typ == "integer")})
		}
	case "string":
		if s.MinLength > 0 {
			out = append(out, violation{"minLength", repeat("a", int(s.MinLength)-1)})
		}
		if s.MaxLength != nil {
			out = append(out, violation{"maxLength", repeat("a", int(*s.MaxLength)+1)})
		}
		if s.Pattern != "" {
			re := regexp.MustCompile(s.Pattern)
			for _, c := range []string{"A", "0", " ", "é", "a b", "A-Z"} {
				if !re.MatchString(c) && utf8.RuneCountInString(c) >= int(s.MinLength) {
					out = append(out, violation{"pattern", c})
					break
				}
			}
		}
	}
	if len(s.Enum) > 0 {
		out = append(out, violation{"enum", "not-one-of-the-enum-values"})
	}
	return out
}

func repeat(s string, n int) string {
	out := ""
	for range max(n, 0) {
		out += s
	}
	return out
}

// paramText renders a parameter value as it travels in a URL or header.
func paramText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1e18 {
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	case nil:
		return "null"
	default:
		return fmt.Sprint(v)
	}
}
