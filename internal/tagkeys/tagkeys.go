// Package tagkeys catches misspelt struct tag keys at registration.
//
// A struct tag key that roux does not read is ignored, as the Go
// convention wants: a field may carry the tags of other packages (db,
// yaml, validate, ...). A misspelt keyword is therefore silent —
// `minimun:"1"` publishes and enforces no minimum. Check refuses a key
// that is one edit away (one letter inserted, removed or replaced, two
// adjacent letters swapped, or the case changed) from a key roux reads
// of five letters or more, and names the key it probably meant. Shorter
// keys (path, enum, form, doc, dep) are left out: too many real words
// are one edit away from them. A known key of another package is never
// refused, whatever it is close to.
//
// Check runs once per field when roux compiles a type, never while
// serving.
package tagkeys

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// known are the struct tag keys roux reads, in any of its packages.
var known = [...]string{
	// JSON Schema keywords and annotations (package schema).
	"json", "doc", "required", "title", "format", "enum", "default", "example", "deprecated",
	"readOnly", "writeOnly", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
	"multipleOf", "minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems",
	"minProperties", "maxProperties",
	// Inputs and outputs (package roux, internal/bind, package sse).
	"path", "query", "header", "cookie", "form", "dep", "explode", "contentType", "maxBytes", "event",
}

// minLen is the length from which a known key catches misspellings.
const minLen = 5

// Foreign reports whether key is a struct tag key of another package in
// common use, which Check never refuses.
func Foreign(key string) bool {
	switch key {
	case "db", "env", "envDefault", "envPrefix", "envSeparator", "gorm", "bson", "yaml", "xml",
		"toml", "hcl", "ini", "csv", "mapstructure", "validate", "binding", "msgpack", "cbor",
		"protobuf", "protobuf_key", "protobuf_val", "protobuf_oneof", "avro", "parquet", "asn1",
		"url", "schema", "uri", "param", "params", "sql", "pg", "bun", "ch", "xorm", "ent",
		"dynamodbav", "firestore", "datastore", "bigquery", "spanner", "redis", "graphql",
		"jsonschema", "jsonschema_extras", "examples", "description", "swaggertype",
		"swaggerignore", "copier", "faker", "fake", "flag", "arg", "long", "short", "help",
		"koanf", "envconfig", "split_words", "default_value", "structs", "mapper", "plist",
		"valid", "conform", "mod", "nullable", "hidden", "encoding", "field", "column":
		return true
	}
	return false
}

// Check returns an error naming the first key of tag that looks like a
// misspelt key roux reads, or nil. A malformed tag is left to go vet.
func Check(tag reflect.StructTag) error {
	for key := range keys(string(tag)) {
		if suggestion := Suggest(key); suggestion != "" {
			return fmt.Errorf("struct tag key %q is not one roux reads: did you mean %s? (tag %s)", key, suggestion, tag)
		}
	}
	return nil
}

// Suggest returns the key roux reads that key is probably a misspelling
// of, or "" when key is one roux reads, a known foreign key, or not
// within one edit of a key of five letters or more.
func Suggest(key string) string {
	if Foreign(key) {
		return ""
	}
	for _, k := range known {
		if k == key {
			return ""
		}
	}
	lower := strings.ToLower(key)
	for _, k := range known {
		if len(k) < minLen {
			continue
		}
		if l := strings.ToLower(k); l == lower || oneEdit(lower, l) {
			return k
		}
	}
	return ""
}

// oneEdit reports whether a and b differ by exactly one inserted,
// removed or replaced byte, or by two adjacent bytes swapped (their
// optimal string alignment distance is 1).
func oneEdit(a, b string) bool {
	if len(a) < len(b) {
		a, b = b, a
	}
	i := 0 // the length of their common prefix
	for i < len(b) && a[i] == b[i] {
		i++
	}
	switch len(a) - len(b) {
	case 0:
		if i == len(a) {
			return false // equal
		}
		return a[i+1:] == b[i+1:] || // replaced
			i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:] // swapped
	case 1:
		return a[i+1:] == b[i:] // inserted into b
	}
	return false
}

// keys yields the keys of a struct tag in the conventional format
// (key:"value" pairs separated by spaces), as reflect.StructTag.Lookup
// reads it, stopping at the first malformed pair.
func keys(tag string) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		for tag != "" {
			tag = strings.TrimLeft(tag, " ")
			i := 0
			for i < len(tag) && tag[i] > ' ' && tag[i] != ':' && tag[i] != '"' && tag[i] != 0x7f {
				i++
			}
			if i == 0 || i+1 >= len(tag) || tag[i] != ':' || tag[i+1] != '"' {
				return
			}
			key := tag[:i]
			tag = tag[i+1:]
			i = 1
			for i < len(tag) && tag[i] != '"' {
				if tag[i] == '\\' {
					i++
				}
				i++
			}
			if i >= len(tag) {
				return
			}
			qvalue := tag[:i+1]
			tag = tag[i+1:]
			if _, err := strconv.Unquote(qvalue); err != nil {
				continue // reflect.StructTag.Lookup does not find a key whose value does not unquote
			}
			if !yield(key) {
				return
			}
		}
	}
}
