// Package schema turns Go types into JSON Schema 2020-12 objects, the
// ground floor of roux: the published OpenAPI schemas, the decoders, the
// validators and the typed client are all derived from what a [Registry]
// returns.
//
// # Types
//
// Booleans, strings, integers and floats of every size, time.Time,
// []byte (base64), slices, arrays, maps with string or text keys, structs,
// pointers (nullable) and interfaces (any value) have their natural
// schemas; a type whose pointer implements encoding.TextUnmarshaler is a
// string. Named structs become components referenced by "$ref". Struct
// fields are described by their JSON members (encoding/json's rules) and
// by keyword tags named after JSON Schema keywords ([Registry.FieldSchema]).
// A member is required unless its field is a pointer, an [Optional], or
// tagged omitempty or omitzero ([BodyRequired]).
//
// A type can describe itself by implementing [Provider]. A named string,
// number or boolean type can instead list its values with an Enum method
// ([Enumer]), and every schema of the type then carries them as its enum.
//
// # Optional members
//
// [Optional] is a struct member that records whether it was sent, for
// partial updates: absent, or a value (null where the value type is a
// pointer). Its schema is its value's, and it is never required.
package schema
