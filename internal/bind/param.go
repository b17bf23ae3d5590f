package bind

import (
	"fmt"
	"net/textproto"
	"reflect"
	"slices"
	"unsafe"

	"github.com/roux-go/roux/schema"
)

// In is the location of a parameter, as named in OpenAPI.
type In string

// The parameter locations, each also the struct tag that declares one.
const (
	Path   In = "path"
	Query  In = "query"
	Header In = "header"
	Cookie In = "cookie"
	// Form is a field of an application/x-www-form-urlencoded body. It is
	// not an OpenAPI parameter location, but binds like a query parameter.
	Form In = "form"
)

var locations = [...]In{Path, Query, Header, Cookie, Form}

// Param is one compiled parameter binder, built by [Compile]. Its exported
// fields describe the parameter for lookup and for the OpenAPI document and
// must not be changed after Compile, except Offset, which the caller may
// rebase (for a field of an embedded struct, add the embedding field's
// offset). A Param is safe for concurrent use.
type Param struct {
	// Name is the parameter's name as written in the tag; it is what the
	// document publishes.
	Name string
	// Key is the name to look the value up by: for a header the canonical
	// form (textproto.CanonicalMIMEHeaderKey), as http.Header stores it;
	// otherwise Name.
	Key string
	// In is the parameter's location.
	In In
	// Required is true for path parameters and for others tagged
	// `required:"true"`.
	Required bool
	// Offset is the byte offset of the field in its struct (the
	// StructField's Offset).
	Offset uintptr
	// Explode reports, for a query parameter, whether a slice takes one
	// item per repeated key (true, the default) or comma-separated items
	// (`explode:"false"`). It is false for other locations.
	Explode bool
	// Schema is the field's schema from schema.Registry.FieldSchema, to be
	// published as the parameter's schema. It is shared and read-only.
	Schema *schema.Schema
	// AllowEmpty is true for a query parameter that takes "?name=" as a
	// value (an empty string, or an empty item of a list), to be
	// published as allowEmptyValue: OpenAPI refuses empty query values
	// unless it says so.
	AllowEmpty bool

	c        *codec
	typ      reflect.Type // the field's type, for Encoder
	slice    bool         // the field (or its pointer target) is a slice of c values
	pointer  bool         // the field is a pointer to the value
	trim     bool         // trim spaces and tabs around comma-separated items
	hasDef   bool
	defN     int            // number of default items (1 for a scalar)
	def      unsafe.Pointer // array of defN decoded default values
	defTexts []string       // texts of the default values, for codecs without copy

	missing string // detail of the "required" failure
}

// Compile builds the binder for field sf of an input struct. sf.Tag must
// hold exactly one of the tags path, query, header and cookie, whose value
// is the parameter's name. The field's schema comes from
// reg.FieldSchema(sf), so keyword tags (minimum, enum, default, ...) are
// checked there. The other tags read are `required:"true|false"` and, for
// query slices, `explode:"true|false"`. See the package documentation for
// the supported field types.
func Compile(sf reflect.StructField, reg *schema.Registry) (*Param, error) {
	p, err := compile(sf, reg)
	if err != nil {
		return nil, fmt.Errorf("bind: field %s: %w", sf.Name, err)
	}
	return p, nil
}

func compile(sf reflect.StructField, reg *schema.Registry) (*Param, error) {
	p := &Param{Offset: sf.Offset, typ: sf.Type}
	for _, in := range locations {
		name, ok := sf.Tag.Lookup(string(in))
		if !ok {
			continue
		}
		if p.In != "" {
			return nil, fmt.Errorf("tags %s and %s both given; a parameter has one location", p.In, in)
		}
		p.In, p.Name = in, name
	}
	switch {
	case p.In == "":
		return nil, fmt.Errorf("no path, query, header, cookie or form tag")
	case p.Name == "":
		return nil, fmt.Errorf("empty parameter name in tag %s:\"\"", p.In)
	case !sf.IsExported():
		return nil, fmt.Errorf("%s parameter %q is unexported; export the field", p.In, p.Name)
	}
	p.Key = p.Name
	if p.In == Header || p.In == Cookie {
		if !isToken(p.Name) {
			return nil, fmt.Errorf("%s name %q is not an HTTP token", p.In, p.Name)
		}
		if p.In == Header {
			p.Key = textproto.CanonicalMIMEHeaderKey(p.Name)
		}
	}
	if err := p.compileType(sf.Type); err != nil {
		return nil, err
	}
	if err := p.compileFlags(sf); err != nil {
		return nil, err
	}
	s, err := reg.FieldSchema(sf)
	if err != nil {
		return nil, err
	}
	if p.pointer {
		s = nonNull(s)
	}
	p.Schema = s
	p.AllowEmpty = p.In == Query && p.admitsEmpty(s)
	if s.Default != nil {
		if err := p.compileDefault(s.Default); err != nil {
			return nil, err
		}
	}
	p.missing = fmt.Sprintf("required %s parameter %q is missing", p.In, p.Name)
	if p.In == Form {
		p.missing = fmt.Sprintf("required form field %q is missing", p.Name)
	}
	return p, nil
}

// admitsEmpty reports whether an empty value decodes and satisfies the
// keywords that could refuse it (of the items, for a list).
func (p *Param) admitsEmpty(s *schema.Schema) bool {
	if p.slice && s.Items != nil {
		s = s.Items
	}
	if s.MinLength != nil && *s.MinLength > 0 || s.Pattern != "" || len(s.Enum) > 0 && !slices.Contains(s.Enum, any("")) {
		return false
	}
	return p.c.decode("", p.c.newArray(1)) == nil
}

// Type returns the type of the parameter's field.
func (p *Param) Type() reflect.Type { return p.typ }

// compileFlags reads the required, allowEmptyValue and explode tags.
func (p *Param) compileFlags(sf reflect.StructField) error {

	p.Required = p.In == Path
	if v, ok := sf.Tag.Lookup("required"); ok {
		switch {
		case v != "true" && v != "false":
			return fmt.Errorf("required:%q: want \"true\" or \"false\"", v)
		case p.In == Path && v == "false":
			return fmt.Errorf("path parameter %q cannot be required:\"false\": a path parameter is always present; remove the tag or make it a query parameter", p.Name)
		}
		p.Required = v == "true"
	}
	if p.In == Path && p.pointer {
		return fmt.Errorf("path parameter %q has pointer type %v: a path parameter is always present; use %v", p.Name, sf.Type, sf.Type.Elem())
	}
	if _, ok := sf.Tag.Lookup("default"); ok && p.Required {
		return fmt.Errorf("%s parameter %q is required, so its default would never apply; remove one", p.In, p.Name)
	}
	p.Explode = p.In == Query || p.In == Form
	if v, ok := sf.Tag.Lookup("explode"); ok {
		switch {
		case v != "true" && v != "false":
			return fmt.Errorf("explode:%q: want \"true\" or \"false\"", v)
		case p.In != Query && p.In != Form || !p.slice:
			return fmt.Errorf("explode applies to query parameters of slice type, not to %s parameter %q of type %v", p.In, p.Name, sf.Type)
		}
		p.Explode = v == "true"
	}
	p.trim = p.In == Header
	return nil
}

// compileType chooses the codec for field type t.
func (p *Param) compileType(t reflect.Type) error {
	ft := t
	if t.Kind() == reflect.Pointer {
		p.pointer, t = true, t.Elem()
	}
	isText := reflect.PointerTo(t).Implements(textUnmarshalerType)
	if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 && !isText {
		p.c = bytesCodec() // as schema.Registry describes it: a base64 string
		return nil
	}
	if t.Kind() == reflect.Slice && !isText {
		p.slice, t = true, t.Elem()
	}
	if p.c = scalarCodec(t); p.c == nil {
		return fmt.Errorf("%s parameter %q has unsupported type %v: %s", p.In, p.Name, ft, supported)
	}
	return nil
}

const supported = "a parameter is a string, bool, integer, float, time.Time, " +
	"[]byte (base64) or a type whose pointer implements encoding.TextUnmarshaler " +
	"(or a named type of one of those kinds), a slice of one of those, or a pointer " +
	"to one of those; use a request body for structured values"

// Style returns the OpenAPI style and explode values to publish for p:
// form with [Param.Explode] for a query parameter, simple without explode
// for path and header parameters and form without explode for cookies.
func (p *Param) Style() (style string, explode bool) {
	switch p.In {
	case Query, Form:
		return "form", p.Explode
	case Cookie:
		return "form", false
	}
	return "simple", false
}
