// Package bind compiles the decoders that turn the raw strings of path,
// query, header and cookie parameters into the typed fields of an
// operation's input struct.
//
// [Compile] runs once per field at registration and returns a [Param];
// [Param.Bind] runs per request. The caller looks the values up (path
// values from the router, r.URL.Query(), r.Header, cookies) and passes them
// to Bind with the address of the input struct; Bind writes the field
// through an unsafe.Pointer at [Param.Offset], so nothing is reflected on
// while serving.
//
//	p, err := bind.Compile(sf, reg) // sf has `query:"limit" default:"20"`
//	...
//	var path verr.Path
//	var errs verr.List
//	ok := p.Bind(query[p.Key], unsafe.Pointer(in), &path, &errs) // query := r.URL.Query()
//
// # Supported types
//
// A parameter field may have any of these types:
//
//	string                                 stored as given (no copy, no trimming)
//	bool                                   what strconv.ParseBool accepts
//	int, int8, int16, int32, int64         decimal, optional sign (strconv.ParseInt)
//	uint, uint8, ..., uint64, uintptr      decimal, optional "+"; a negative number
//	                                       fails "minimum"
//	float32, float64                       what strconv.ParseFloat accepts, except
//	                                       NaN and ±Inf, which JSON cannot carry,
//	                                       and Go's hex and 1_000 forms
//	time.Time                              RFC 3339 (time.Parse(time.RFC3339, s));
//	                                       a format tag other than date-time is
//	                                       a compile error
//	T where *T implements                  UnmarshalText on the raw bytes (checked
//	  encoding.TextUnmarshaler             before the kind, except for time.Time)
//	[]byte                                 standard base64 (RFC 4648 with padding),
//	                                       as encoding/json and the published
//	                                       schema (contentEncoding: base64) say
//
// Named types of those kinds (type Color string) are decoded by their kind;
// `enum:"a,b"` is checked by the validator, not here. A field may also be a
// slice []E of one of those types E (but not []byte's elements one by one,
// nor slices of slices or pointers), a pointer *T to a scalar or *[]E to a
// slice. A pointer is the optional form: it stays nil when the parameter is
// absent and has no default. It is not nullable, since no text means null,
// so [Param.Schema] drops the "null" that schema.Registry adds for it. Arrays, structs, maps, interfaces, functions
// and channels are compile errors.
//
// # Slices
//
// A query slice is by default exploded (OpenAPI style form, explode true):
// each repeated key is one item, ?tag=a&tag=b, and an item may contain
// commas. With `explode:"false"` a query slice is comma-separated,
// ?tag=a,b. Path, header and cookie slices are always comma-separated
// (styles simple and form with explode false); header items are trimmed of
// spaces and tabs (RFC 9110 lists), others are not. When several values
// arrive for a comma-separated parameter (repeated header lines or query
// keys) their items are concatenated.
//
// In comma-separated form a single empty value is the empty slice (how
// OpenAPI serializes one); otherwise an empty item ("a,,b", "a,") is a
// failure, even for strings.
//
// # Presence, required and defaults
//
// Path parameters are always required; others only with
// `required:"true"`. A missing required parameter fails with code
// "required". A missing optional parameter with a `default` tag gets the
// default, which is decoded once by [Compile]; each Bind copies it, and
// slices and []byte get a fresh backing array, so a handler may modify its
// input. A TextUnmarshaler default is decoded afresh from its text on each
// use, since its value may hold references. Without a default the field is
// left alone (zero in a fresh struct).
//
// For a scalar field only the first value is used; further values (?a=1&a=2)
// are ignored, as with url.Values.Get.
//
// # Failures
//
// Failures are added to a [verr.List] with the parameter's name and
// location: "type" for text that does not parse as the type (an empty
// string included, for all but strings), "format" for time.Time and
// TextUnmarshaler errors, "contentEncoding" for bad base64, and "maximum"
// or "minimum" for numbers outside the Go type's range. The raw value is
// echoed when it is shorter than 100 bytes. A slice reports each bad item
// (up to 10 per parameter) with its 1-based position.
//
// # Allocation
//
// Binding a string, bool, integer or float scalar does not allocate. A
// slice allocates its backing array (one allocation for the built-in
// element types), a pointer its target. time.Time parsing with a numeric
// offset, TextUnmarshaler and base64 decoding allocate as their standard
// library functions do.
package bind
