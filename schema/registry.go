package schema

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Provider is implemented by types that describe their own JSON Schema.
// The returned schema is published as is and drives validation, so it
// should describe exactly what the type's JSON (or text) encoding accepts.
type Provider interface {
	JSONSchema(r *Registry) *Schema
}

// RefPrefix is where component schemas live in an OpenAPI document.
const RefPrefix = "#/components/schemas/"

// Registry turns Go types into schemas. Named struct types become
// component schemas referenced by "$ref", each under a unique name; all
// other types are described inline. A Registry is not safe for concurrent
// use; roux fills it at registration and only reads it afterwards.
type Registry struct {
	byType map[reflect.Type]string
	byName map[string]*component
	names  []string // in order of first registration
}

type component struct {
	t      reflect.Type
	schema *Schema
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{byType: map[reflect.Type]string{}, byName: map[string]*component{}}
}

var (
	timeType            = reflect.TypeFor[time.Time]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	providerType        = reflect.TypeFor[Provider]()
)

// Schema returns the schema of t: a "$ref" to a component for named
// structs, an inline schema for everything else. Pointers are nullable.
func (r *Registry) Schema(t reflect.Type) (*Schema, error) {
	if t.Kind() == reflect.Pointer {
		inner, err := r.Schema(t.Elem())
		if err != nil {
			return nil, err
		}
		return Nullable(inner), nil
	}
	if elem, ok := OptionalElem(t); ok {
		if _, nested := OptionalElem(elem); nested {
			return nil, fmt.Errorf("schema: %v: an Optional of an Optional says nothing more; use one", t)
		}
		return r.Schema(elem)
	}
	if t.Implements(providerType) || reflect.PointerTo(t).Implements(providerType) {
		if hasEnum(t) {
			return nil, fmt.Errorf("schema: %v has both a JSONSchema and an Enum method; put the enum in the schema JSONSchema returns, or drop one", t)
		}
		return reflect.New(t).Interface().(Provider).JSONSchema(r), nil
	}
	s, err := r.typeSchema(t)
	if err != nil || t.Name() == "" {
		return s, err
	}
	enum, err := enumOf(t, s)
	if err != nil || enum == nil {
		return s, err
	}
	s.Enum = enum
	return s, nil
}

// typeSchema describes t from its kind and the interfaces it implements.
func (r *Registry) typeSchema(t reflect.Type) (*Schema, error) {
	switch {
	case t == timeType:
		return &Schema{Type: Types{"string"}, Format: "date-time"}, nil
	case t.Kind() != reflect.String && reflect.PointerTo(t).Implements(textUnmarshalerType):
		return &Schema{Type: Types{"string"}}, nil
	case reflect.PointerTo(t).Implements(jsonUnmarshalerType):
		return &Schema{}, nil // json.RawMessage and friends: any JSON value
	}
	switch t.Kind() {
	case reflect.Bool:
		return &Schema{Type: Types{"boolean"}}, nil
	case reflect.String:
		return &Schema{Type: Types{"string"}}, nil
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Int16, reflect.Int8,
		reflect.Uint, reflect.Uint64, reflect.Uint32, reflect.Uint16, reflect.Uint8, reflect.Uintptr:
		return integerSchema(t), nil
	case reflect.Float32:
		return &Schema{Type: Types{"number"}, Format: "float"}, nil
	case reflect.Float64:
		return &Schema{Type: Types{"number"}, Format: "double"}, nil
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			return &Schema{Type: Types{"string"}, ContentEncoding: "base64"}, nil
		}
		items, err := r.Schema(t.Elem())
		if err != nil {
			return nil, err
		}
		s := &Schema{Type: Types{"array"}, Items: items}
		if t.Kind() == reflect.Array {
			s.MinItems, s.MaxItems = ptr(t.Len()), ptr(t.Len())
		}
		return s, nil
	case reflect.Map:
		k := t.Key()
		if k.Kind() != reflect.String && !reflect.PointerTo(k).Implements(textUnmarshalerType) {
			return nil, fmt.Errorf("schema: map key type %v is not supported: JSON object keys are strings", k)
		}
		vals, err := r.Schema(t.Elem())
		if err != nil {
			return nil, err
		}
		return &Schema{Type: Types{"object"}, AdditionalProperties: vals}, nil
	case reflect.Interface:
		return &Schema{}, nil
	case reflect.Struct:
		if t.Name() == "" {
			return r.structSchema(t)
		}
		return r.component(t)
	}
	return nil, fmt.Errorf("schema: type %v (%v) cannot be described in JSON", t, t.Kind())
}

func integerSchema(t reflect.Type) *Schema {
	s := &Schema{Type: Types{"integer"}}
	switch t.Kind() {
	case reflect.Int32:
		s.Format = "int32"
	case reflect.Int64, reflect.Int:
		s.Format = "int64"
	case reflect.Int8:
		s.Minimum, s.Maximum = ptr(-128.0), ptr(127.0)
	case reflect.Int16:
		s.Minimum, s.Maximum = ptr(-32768.0), ptr(32767.0)
	case reflect.Uint8:
		s.Minimum, s.Maximum = ptr(0.0), ptr(255.0)
	case reflect.Uint16:
		s.Minimum, s.Maximum = ptr(0.0), ptr(65535.0)
	default: // uint, uint32, uint64, uintptr
		s.Minimum = ptr(0.0)
		if t.Kind() == reflect.Uint32 {
			s.Maximum = ptr(4294967295.0)
		}
	}
	return s
}

// Nullable returns a schema that also admits null: the type list gains
// "null", or, for a reference, the reference is wrapped in anyOf with a
// null schema.
func Nullable(s *Schema) *Schema {
	if s.Ref != "" {
		return &Schema{AnyOf: []*Schema{s, {Type: Types{"null"}}}}
	}
	if len(s.Type) == 0 || s.Nullable() {
		return s // any value, null included, or already nullable
	}
	c := *s
	c.Type = append(slices.Clip(s.Type), "null")
	if c.Enum != nil {
		c.Enum = append(slices.Clip(s.Enum), nil)
	}
	return &c
}

// Unwrap undoes [Nullable] on a reference: for anyOf [X, {type: null}] it
// returns X and true; for anything else it returns s and s.Nullable().
func Unwrap(s *Schema) (*Schema, bool) {
	if len(s.AnyOf) == 2 && len(s.AnyOf[1].Type) == 1 && s.AnyOf[1].Type[0] == "null" {
		return s.AnyOf[0], true
	}
	return s, s.Nullable()
}

// component registers named struct t and returns a reference to it.
func (r *Registry) component(t reflect.Type) (*Schema, error) {
	if name, ok := r.byType[t]; ok {
		return &Schema{Ref: RefPrefix + name}, nil
	}
	name := r.uniqueName(t)
	c := &component{t: t}
	r.byType[t] = name
	r.byName[name] = c
	r.names = append(r.names, name)
	s, err := r.structSchema(t)
	if err != nil {
		delete(r.byType, t)
		delete(r.byName, name)
		r.names = r.names[:len(r.names)-1]
		return nil, err
	}
	c.schema = s
	return &Schema{Ref: RefPrefix + name}, nil
}

// uniqueName derives a component name from t's name; a second type of the
// same name from another package is prefixed with its package name, and a
// number is appended if that is still taken.
func (r *Registry) uniqueName(t reflect.Type) string {
	base := sanitize(t.Name())
	if _, taken := r.byName[base]; !taken {
		return base
	}
	pkg := t.PkgPath()
	pkg = pkg[strings.LastIndexByte(pkg, '/')+1:]
	name := sanitize(upperFirst(pkg) + upperFirst(base))
	for i := 2; ; i++ {
		if _, taken := r.byName[name]; !taken {
			return name
		}
		name = fmt.Sprintf("%s%s%d", upperFirst(sanitize(pkg)), base, i)
	}
}

// sanitize keeps the characters OpenAPI allows in component names
// (^[a-zA-Z0-9._-]+$), turning "Page[example.com/x.Dish]" into "PageDish".
func sanitize(name string) string {
	var b strings.Builder
	for part := range strings.FieldsFuncSeq(name, func(r rune) bool { return r == '[' || r == ']' || r == ',' || r == ' ' || r == '*' }) {
		part = part[strings.LastIndexByte(part, '/')+1:]
		if i := strings.LastIndexByte(part, '.'); i >= 0 {
			part = part[i+1:]
		}
		for _, c := range upperFirst(part) {
			if c < unicode.MaxASCII && (unicode.IsLetter(c) || unicode.IsDigit(c) || c == '_' || c == '-') {
				b.WriteRune(c)
			}
		}
	}
	if b.Len() == 0 {
		return "Object"
	}
	return b.String()
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// structSchema describes a struct's JSON members. Objects are closed
// (additionalProperties: false) because roux rejects unknown members.
func (r *Registry) structSchema(t reflect.Type) (*Schema, error) {
	fields, err := JSONFields(t)
	if err != nil {
		return nil, err
	}
	s := &Schema{Type: Types{"object"}, Properties: map[string]*Schema{}, AdditionalProperties: False}
	for _, f := range fields {
		if _, ok := OptionalElem(f.Type); ok && !f.OmitZero {
			return nil, fmt.Errorf("schema: field %v.%s is an Optional: tag it omitzero (`json:\"%s,omitzero\"`) so that encoding leaves it out when absent", t, f.Struct.Name, f.Name)
		}
		fs, err := r.FieldSchema(f.Struct)
		if err != nil {
			return nil, fmt.Errorf("schema: field %v.%s: %w", t, f.Struct.Name, trimPrefix(err))
		}
		s.Properties[f.Name] = fs
		s.PropertyOrder = append(s.PropertyOrder, f.Name)
		req, err := BodyRequired(f)
		if err != nil {
			return nil, fmt.Errorf("schema: field %v.%s: %w", t, f.Struct.Name, trimPrefix(err))
		}
		if req {
			s.Required = append(s.Required, f.Name)
		}
	}
	return s, nil
}

func trimPrefix(err error) error {
	msg, ok := strings.CutPrefix(err.Error(), "schema: ")
	if !ok {
		return err
	}
	return fmt.Errorf("%s", msg)
}

// BodyRequired applies roux's rule for JSON members: a member is required
// unless its field is a pointer or has omitempty or omitzero in its json
// tag. A `required:"true"` or `required:"false"` tag overrides the rule.
func BodyRequired(f Field) (bool, error) {
	if v, ok := f.Struct.Tag.Lookup("required"); ok {
		switch v {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return false, fmt.Errorf("schema: required=%q: want \"true\" or \"false\"", v)
	}
	if _, ok := OptionalElem(f.Type); ok {
		return false, nil
	}
	return f.Type.Kind() != reflect.Pointer && !f.OmitEmpty && !f.OmitZero, nil
}

// Resolve follows a "$ref" to the component schema it names; other
// schemas are returned unchanged. It returns nil for an unknown reference.
func (r *Registry) Resolve(s *Schema) *Schema {
	if s == nil || s.Ref == "" {
		return s
	}
	c, ok := r.byName[strings.TrimPrefix(s.Ref, RefPrefix)]
	if !ok {
		return nil
	}
	return c.schema
}

// Components returns the component schemas by name. The map is new; the
// schemas are shared and must not be modified.
func (r *Registry) Components() map[string]*Schema {
	m := make(map[string]*Schema, len(r.byName))
	for name, c := range r.byName {
		m[name] = c.schema
	}
	return m
}

// Names returns the component names in order of registration.
func (r *Registry) Names() []string { return append([]string(nil), r.names...) }

// Name returns the component name of named struct type t, if registered.
func (r *Registry) Name(t reflect.Type) (string, bool) {
	name, ok := r.byType[t]
	return name, ok
}

func ptr[T any](v T) *T { return &v }

// Define registers s as the component schema called name, for schemas
// written by hand, and returns a reference to it. It fails if the name is
// taken or not a valid component name.
func (r *Registry) Define(name string, s *Schema) (*Schema, error) {
	if _, taken := r.byName[name]; taken {
		return nil, fmt.Errorf("schema: component %q is already defined", name)
	}
	if sanitize(name) != name {
		return nil, fmt.Errorf("schema: %q is not a valid component name (letters, digits, _ and - only)", name)
	}
	r.byName[name] = &component{schema: s}
	r.names = append(r.names, name)
	return &Schema{Ref: RefPrefix + name}, nil
}
