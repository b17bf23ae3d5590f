// Package wire holds the options of the JSON that roux puts on the wire
// and reads off it with the json package, in one place, so that a
// response, a problem, an event's data, a WebSocket message and the
// typed client's request all mean the same by the same Go value.
//
// Request bodies the server reads are decoded by internal/codec, which
// is strict where these options are lenient (invalid UTF-8, duplicate
// names and unknown members are refused) and reads time.Duration as
// these options write it.
package wire

import (
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// JSON are the options of every JSON value roux encodes (responses,
// problems, event data, WebSocket messages, the typed client's request
// bodies) and of what it decodes as a peer encoded it (event data read
// back by package sse):
//
//   - invalid UTF-8 in a string is replaced by U+FFFD rather than failing
//     the response;
//   - a time.Duration is a number of nanoseconds, as its schema says;
//   - omitempty means what it means to encoding/json (omit false, 0, "",
//     nil and empty collections), which is what Go users write their
//     tags for.
var JSON = json.JoinOptions(
	jsontext.AllowInvalidUTF8(true),
	jsonv1.FormatDurationAsNano(true),
	jsonv1.OmitEmptyWithLegacySemantics(true),
)

// Lenient are the options with which the typed client reads what a
// server sent: [JSON], and a member named twice is taken at its last
// value rather than failing the call. Unknown members are ignored (the
// json package's default), so that a client built against an older
// server survives a newer one.
var Lenient = json.JoinOptions(JSON, jsontext.AllowDuplicateNames(true))
