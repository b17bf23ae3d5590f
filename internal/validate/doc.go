// Package validate compiles validators from the JSON Schemas that roux
// publishes and runs them over typed Go values.
//
// Validators are compiled from the very schema objects that appear in the
// OpenAPI document, never from struct tags a second time, so the document
// and the server cannot disagree. They run after the decoder has written
// the request into the typed value: JSON types, required members, null
// and defaults are the decoder's business; a validator checks the value
// constraints the schema states about the typed value.
//
//	reg := schema.NewRegistry()
//	s, _ := reg.Schema(reflect.TypeFor[Dish]())
//	v, err := validate.Compile(reflect.TypeFor[Dish](), s, reg) // at registration
//	...
//	path.SetBody()
//	v.Validate(unsafe.Pointer(&dish), &path, &errs) // per request; v may be nil
//
// # What is checked
//
// Each failing keyword adds one [verr.Error] whose Code is the keyword and
// whose Detail is a sentence such as "must be at least 1"; all failures
// are reported, not the first. The offending value is echoed for numbers,
// booleans and strings of up to 200 bytes, except under a writeOnly schema
// or format "password".
//
//	numbers   minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, enum
//	strings   minLength, maxLength (in code points), pattern, format, enum
//	booleans  enum
//	slices    minItems, maxItems, uniqueItems; items for each element
//	maps      minProperties, maxProperties; additionalProperties for each value
//	structs   minProperties, maxProperties; properties for each member
//
// The formats checked are date-time, date and time (RFC 3339), email (an
// addr-spec), uuid, uri (absolute), ipv4, ipv6 (no zone) and hostname (RFC
// 1123). Other formats are annotations. A pattern is a Go (RE2) regular
// expression, searched anywhere in the value as JSON Schema specifies.
// Values whose Go kind is not a string but whose JSON form is (time.Time,
// encoding.TextMarshaler types, []byte as base64) are checked on that
// form. Interface values are not validated. An enum is compared as typed
// values: each member is converted once to the Go type, as the decoder
// would convert it.
//
// A keyword that cannot apply to the Go type (pattern on an int, minItems
// on a map) or that no value of the type can meet (minimum 300 on a uint8)
// makes Compile fail: it is a registration error. anyOf and oneOf are not
// supported, except the nullable wrapper [schema.Nullable] puts around a
// reference.
//
// # Optional members
//
// After decoding, Go cannot tell an absent member from one sent with its
// zero value. So a struct member that is not in the schema's "required"
// list, is not a pointer, and holds the zero value of its type (reflect's
// IsZero: "", 0, false, a nil slice or map) is treated as absent and is
// not validated — unless the decoder noted in the verr.List that it was
// sent that way (verr.List.NoteZero), in which case it is. minProperties
// and maxProperties count such members as absent. Required members are
// always validated, zero or not. A member whose
// absence must be told apart from its zero value is declared as a pointer:
// nil is absent, and a non-nil pointer is always validated. A
// [schema.Optional] member says so itself: its value is validated when
// the member was sent, and never when it was not.
//
// # Custom validators
//
// With [Compiler.Custom] set, a type may carry a rule of its own (roux's
// Validate methods). It runs once per place the type appears, after the
// schema's checks of the value and of everything inside it, and only when
// no failure — of those checks, or already in the list, such as the
// decoder's — lies at or below the value's location ([verr.List.Within]).
//

// # Cost
//
// Compile resolves references once, compiles each component once per Go
// type (recursive types included), compiles patterns and converts enums.
// Validate reads fields at precomputed offsets through unsafe pointers and
// does not allocate while values are valid, except for maps (a few
// allocations per map), string checks of non-string kinds (MarshalText)
// and the email and uri formats (net/mail and net/url parse). A failure
// allocates its error and location.
package validate
