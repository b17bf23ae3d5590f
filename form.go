package roux

import (
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/roux-go/roux/internal/bind"
	"github.com/roux-go/roux/schema"
)

// formPlan binds an application/x-www-form-urlencoded body into the
// input's Form field: each field of Form, tagged `form:"name"`, binds
// like a query parameter (same types, same keywords, repeated keys for
// slices), and failures are reported with JSON pointers ("/name").
type formPlan struct {
	offset uintptr
	params []param
	schema *schema.Schema
	limit  int64
}

// compileForm compiles the Form field of an operation's input.
func (op *operation) compileForm(sf reflect.StructField) error {
	if sf.Type.Kind() != reflect.Struct {
		return fmt.Errorf("input field Form must be a struct of fields tagged form, not %v", sf.Type)
	}
	f := &formPlan{offset: sf.Offset, schema: &schema.Schema{
		Type: schema.Types{"object"}, Properties: map[string]*schema.Schema{}, AdditionalProperties: schema.False,
	}}
	for i := range sf.Type.NumField() {
		ff := sf.Type.Field(i)
		if _, ok := ff.Tag.Lookup("form"); !ok {
			return fmt.Errorf("input field Form.%s has no form tag; tag it `form:\"name\"`", ff.Name)
		}
		bp, err := bind.Compile(ff, op.api.registry)
		if err != nil {
			return fmt.Errorf("input field Form.%s: %w", ff.Name, err)
		}
		v, err := op.api.validators.Compile(ff.Type, bp.Schema)
		if err != nil {
			return fmt.Errorf("input field Form.%s: %w", ff.Name, err)
		}
		f.params = append(f.params, param{Param: bp, validator: v})
		f.schema.Properties[bp.Name] = bp.Schema
		f.schema.PropertyOrder = append(f.schema.PropertyOrder, bp.Name)
		if bp.Required {
			f.schema.Required = append(f.schema.Required, bp.Name)
		}
	}
	op.form = f
	return nil
}

// readForm reads and binds a form body. It returns a problem for what
// stops reading (415, 413, 400); value failures go to st.errs.
func (op *operation) readForm(r *http.Request, st *state, in unsafe.Pointer) *Error {
	f := op.form
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
		return op.bindForm(st, in, url.Values{})
	}
	ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	if !strings.EqualFold(strings.TrimSpace(ct), "application/x-www-form-urlencoded") {
		return &Error{Status: http.StatusUnsupportedMediaType, Detail: fmt.Sprintf("the body must be sent as application/x-www-form-urlencoded, not %q", r.Header.Get("Content-Type"))}
	}
	if perr := contentCodingProblem(r); perr != nil {
		return perr
	}
	if r.ContentLength > f.limit {
		return tooLarge(f.limit)
	}
	st.body = limitedBody{r: r.Body, left: f.limit}
	body, err := io.ReadAll(&st.body)
	switch {
	case err == errBodyTooLarge || isMaxBytes(err):
		return tooLarge(f.limit)
	case err != nil:
		return &Error{Status: http.StatusBadRequest, Detail: "the body could not be read", err: err}
	}
	values, err := url.ParseQuery(string(body))
	if err != nil {
		return &Error{Status: http.StatusBadRequest, Detail: "the body is not a valid form: " + err.Error()}
	}
	return op.bindForm(st, in, values)
}

// bindForm binds and validates every field, then reports fields the form
// does not have, as JSON bodies do with unknown members.
func (op *operation) bindForm(st *state, in unsafe.Pointer, values url.Values) *Error {
	f := op.form
	base := unsafe.Add(in, f.offset)
	for i := range f.params {
		p := &f.params[i]
		if p.Bind(values[p.Name], base, &st.path, &st.errs) && p.validator != nil {
			st.path.SetParam(p.Name, string(p.In))
			p.validator.Validate(fieldPtr(base, p.Offset), &st.path, &st.errs)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(values)) { // sorted: the same form, the same answer
		if _, known := f.schema.Properties[name]; !known {
			st.path.SetParam(name, string(bind.Form))
			st.errs.Report(&st.path, "additionalProperties", "unknown form field "+strconv.Quote(name))
		}
	}
	return nil
}
