package schema

import (
	"encoding/json"
	"slices"
)

// Schema is a JSON Schema 2020-12 object as published in an OpenAPI 3.1
// document. Only the keywords roux generates or validates are modelled;
// everything else can be carried in Extensions.
//
// A Schema produced by a [Registry] must be treated as read-only: the
// validators and the published document share it.
//
// Each field is the JSON Schema keyword named in its json tag, with the
// meaning the 2020-12 specification gives it; nil pointers and empty
// values are absent keywords.
type Schema struct {
	Ref         string `json:"$ref,omitempty"`
	Type        Types  `json:"type,omitempty"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	Format      string `json:"format,omitempty"`

	Enum     []any `json:"enum,omitempty"`
	Default  any   `json:"default,omitempty"`
	Examples []any `json:"examples,omitempty"`

	Deprecated bool `json:"deprecated,omitempty"`
	ReadOnly   bool `json:"readOnly,omitempty"`
	WriteOnly  bool `json:"writeOnly,omitempty"`

	Minimum          *float64 `json:"minimum,omitempty"`
	Maximum          *float64 `json:"maximum,omitempty"`
	ExclusiveMinimum *float64 `json:"exclusiveMinimum,omitempty"`
	ExclusiveMaximum *float64 `json:"exclusiveMaximum,omitempty"`
	MultipleOf       *float64 `json:"multipleOf,omitempty"`

	MinLength *int   `json:"minLength,omitempty"`
	MaxLength *int   `json:"maxLength,omitempty"`
	Pattern   string `json:"pattern,omitempty"`

	Items       *Schema `json:"items,omitempty"`
	MinItems    *int    `json:"minItems,omitempty"`
	MaxItems    *int    `json:"maxItems,omitempty"`
	UniqueItems bool    `json:"uniqueItems,omitempty"`

	// Properties holds the members of an object schema. PropertyOrder, when
	// set, is the order in which they are published (the Go field order);
	// properties missing from it follow in lexical order.
	Properties           map[string]*Schema `json:"-"`
	PropertyOrder        []string           `json:"-"`
	Required             []string           `json:"required,omitempty"`
	AdditionalProperties *Schema            `json:"additionalProperties,omitempty"`
	MinProperties        *int               `json:"minProperties,omitempty"`
	MaxProperties        *int               `json:"maxProperties,omitempty"`

	OneOf []*Schema `json:"oneOf,omitempty"`
	AnyOf []*Schema `json:"anyOf,omitempty"`
	AllOf []*Schema `json:"allOf,omitempty"`

	ContentEncoding  string `json:"contentEncoding,omitempty"`
	ContentMediaType string `json:"contentMediaType,omitempty"`

	// Extensions are published as extra members; their names should start
	// with "x-".
	Extensions map[string]any `json:"-"`
}

// False is the schema that accepts nothing. It is published as the JSON
// literal false; roux uses it as additionalProperties of closed objects.
// It must not be modified.
var False = &Schema{}

// Types is the "type" keyword: a single type name, or several (a nullable
// value is published as ["string", "null"]).
type Types []string

// MarshalJSON publishes a single type as a string and several as an array.
func (t Types) MarshalJSON() ([]byte, error) {
	if len(t) == 1 {
		return json.Marshal(t[0])
	}
	return json.Marshal([]string(t))
}

// UnmarshalJSON accepts a string or an array of strings.
func (t *Types) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*t = Types{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*t = many
	return nil
}

// Has reports whether name is one of the types.
func (t Types) Has(name string) bool {
	for _, n := range t {
		if n == name {
			return true
		}
	}
	return false
}

// Nullable reports whether the schema admits JSON null.
func (s *Schema) Nullable() bool { return s.Type.Has("null") }

// IsRequired reports whether name is listed in s.Required.
func (s *Schema) IsRequired(name string) bool {
	for _, r := range s.Required {
		if r == name {
			return true
		}
	}
	return false
}

// MarshalJSON publishes the schema with its properties in PropertyOrder
// and its extensions inline.
func (s *Schema) MarshalJSON() ([]byte, error) {
	if s == False {
		return []byte("false"), nil
	}
	type plain Schema
	b, err := json.Marshal((*plain)(s))
	if err != nil {
		return nil, err
	}
	if len(s.Properties) > 0 {
		props, err := marshalOrdered(s.Properties, s.PropertyOrder)
		if err != nil {
			return nil, err
		}
		b = appendMember(b, "properties", props)
	}
	for _, k := range sortedKeys(s.Extensions) {
		v, err := json.Marshal(s.Extensions[k])
		if err != nil {
			return nil, err
		}
		b = appendMember(b, k, v)
	}
	return b, nil
}

// appendMember adds "name":value to the JSON object obj.
func appendMember(obj []byte, name string, value []byte) []byte {
	obj = obj[:len(obj)-1] // drop '}'
	if len(obj) > 1 {
		obj = append(obj, ',')
	}
	nb, _ := json.Marshal(name)
	obj = append(obj, nb...)
	obj = append(obj, ':')
	obj = append(obj, value...)
	return append(obj, '}')
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// marshalOrdered writes m as a JSON object with the keys of order first.
func marshalOrdered(m map[string]*Schema, order []string) ([]byte, error) {
	keys := make([]string, 0, len(m))
	seen := make(map[string]bool, len(m))
	for _, k := range order {
		if _, ok := m[k]; ok && !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	for _, k := range sortedKeys(m) {
		if !seen[k] {
			keys = append(keys, k)
		}
	}
	b := []byte{'{', '}'}
	for _, k := range keys {
		v, err := json.Marshal(m[k])
		if err != nil {
			return nil, err
		}
		b = appendMember(b, k, v)
	}
	return b, nil
}
