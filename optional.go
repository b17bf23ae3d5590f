package roux

import "github.com/roux-go/roux/schema"

// Optional is a body member that tells "absent" from "null" from a value,
// for PATCH bodies: absent leaves the stored value alone, null (for an
// Optional of a pointer) clears it, a value replaces it.
//
//	type DishPatch struct {
//		Name        roux.Optional[string]  `json:"name,omitzero" minLength:"1"`
//		Description roux.Optional[*string] `json:"description,omitzero"` // null clears it
//	}
//
// It is [schema.Optional], which the decoder, the validators and the
// schema registry know; see there for the rules (null is accepted where
// the value type accepts it, members are never required and must be
// tagged omitzero). [ApplyMergePatch] applies a struct of Optional members
// to a stored value, and [MergePatch] publishes the body as a JSON Merge
// Patch.
type Optional[T any] = schema.Optional[T]

// Some returns an Optional holding v: a member that was sent. For an
// Optional of a pointer, Some[*T](nil) is a member sent as null.
func Some[T any](v T) Optional[T] { return schema.Some(v) }
