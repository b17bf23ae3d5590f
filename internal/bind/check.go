package bind

import (
	"slices"
	"strings"

	"github.com/roux-go/roux/schema"
)

// nonNull returns s without "null": a pointer parameter is optional, not
// nullable. Absent, it stays nil; present, no text decodes to null.
func nonNull(s *schema.Schema) *schema.Schema {
	if u, ok := schema.Unwrap(s); ok && u != s {
		return u
	}
	if !s.Nullable() {
		return s
	}
	c := *s
	c.Type = slices.DeleteFunc(slices.Clone(s.Type), func(t string) bool { return t == "null" })
	if s.Enum != nil {
		c.Enum = slices.DeleteFunc(slices.Clone(s.Enum), func(v any) bool { return v == nil })
	}
	return &c
}

// isToken reports whether s is a non-empty RFC 9110 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}
