package roux

import (
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"unsafe"

	"github.com/roux-go/roux/internal/bind"
	"github.com/roux-go/roux/internal/verr"
	"github.com/roux-go/roux/schema"
)

// formPlan binds an application/x-www-form-urlencoded or
// multipart/form-data body into the input's Form field: each field of
// Form, tagged `form:"name"`, binds like a query parameter (same types,
// same keywords, repeated keys for slices), and failures are reported
// with JSON pointers ("/name"). Fields of type *FormFile or []*FormFile
// take uploaded files (multipart.go); a Form with one accepts only
// multipart/form-data.
type formPlan struct {
	offset    uintptr
	params    []param
	files     []filePlan
	fileIndex map[string]int // file field name -> index in files
	schema    *schema.Schema
	limit     int64
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
		if _, dup := f.schema.Properties[ff.Tag.Get("form")]; dup {
			return fmt.Errorf("input field Form.%s: form field %q is bound twice", ff.Name, ff.Tag.Get("form"))
		}
		if err := f.compileFile(ff); err != nil || isFile(ff.Type) {
			if err != nil {
				return fmt.Errorf("input field Form.%s: %w", ff.Name, err)
			}
			continue
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

// isFile reports whether t is a file field's type.
func isFile(t reflect.Type) bool { return t == formFileType || t == formFilesType }

// compileFile compiles ff if it is a file field, and refuses file types
// it does not take and file tags on other fields.
func (f *formPlan) compileFile(ff reflect.StructField) error {
	if !isFile(ff.Type) {
		t := ff.Type
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t == formFileType.Elem() {
			return fmt.Errorf("type %v cannot hold files; use *roux.FormFile for one file or []*roux.FormFile for several", ff.Type)
		}
		for _, k := range []string{"contentType", "maxBytes"} {
			if _, ok := ff.Tag.Lookup(k); ok {
				return fmt.Errorf("tag %s applies to files (*roux.FormFile, []*roux.FormFile), not to %v", k, ff.Type)
			}
		}
		return nil
	}
	fp, err := compileFile(ff)
	if err != nil {
		return err
	}
	if f.fileIndex == nil {
		f.fileIndex = map[string]int{}
	}
	f.fileIndex[fp.name] = len(f.files)
	f.files = append(f.files, *fp)
	f.schema.Properties[fp.name] = fp.schema
	f.schema.PropertyOrder = append(f.schema.PropertyOrder, fp.name)
	if fp.required {
		f.schema.Required = append(f.schema.Required, fp.name)
	}
	return nil
}

// readForm reads and binds a form body, sent as
// application/x-www-form-urlencoded (unless the Form has file fields) or
// multipart/form-data. It returns a problem for what stops reading (415,
// 413, 400); value failures go to st.errs. The uploads it returns hold
// the request's temporary files, to be removed when the handler returns,
// whatever happened; nil has none.
func (op *operation) readForm(r *http.Request, st *state, in unsafe.Pointer) (*uploads, *Error) {
	f := op.form
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
		return nil, op.bindForm(st, in, url.Values{}, nil)
	}
	ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	switch ct = strings.TrimSpace(ct); {
	case strings.EqualFold(ct, "multipart/form-data"):
		_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil {
			// mime's text names its package: "mime: invalid media parameter".
			return nil, &Error{Status: http.StatusBadRequest, Detail: "the Content-Type header is malformed: " + strings.TrimPrefix(err.Error(), "mime: ")}
		}
		return op.readMultipart(r, st, in, params["boundary"])
	case len(f.files) > 0 || !strings.EqualFold(ct, "application/x-www-form-urlencoded"):
		return nil, op.unsupportedMedia(r.Header.Get("Content-Type"))
	}
	if perr := contentCodingProblem(r); perr != nil {
		return nil, perr
	}
	if r.ContentLength > f.limit {
		return nil, tooLarge(f.limit)
	}
	st.body = limitedBody{r: r.Body, left: f.limit}
	body, err := io.ReadAll(&st.body)
	switch {
	case err == errBodyTooLarge || isMaxBytes(err):
		return nil, tooLarge(f.limit)
	case err != nil:
		return nil, &Error{Status: http.StatusBadRequest, Detail: "the body could not be read", err: err}
	}
	values, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Detail: "the body is not a valid form: " + verr.Clip(err.Error(), verr.MaxCause)}
	}
	return nil, op.bindForm(st, in, values, nil)
}

// bindForm binds and validates every text field, stores the files read
// by fr (nil when there are none), then reports fields the form does not
// have, as JSON bodies do with unknown members.
func (op *operation) bindForm(st *state, in unsafe.Pointer, values url.Values, fr *formReader) *Error {
	f := op.form
	base := unsafe.Add(in, f.offset)
	for i := range f.params {
		p := &f.params[i]
		if p.Bind(values[p.Name], base, &st.path, &st.errs) && p.validator != nil {
			st.path.SetParam(p.Name, string(p.In))
			p.validator.Validate(fieldPtr(base, p.Offset), &st.path, &st.errs)
		}
	}
	if len(f.files) > 0 {
		f.bindFiles(st, base, fr)
	}
	for _, name := range slices.Sorted(maps.Keys(values)) { // sorted: the same form, the same answer
		if _, known := f.schema.Properties[name]; !known {
			st.path.SetParam(name, string(bind.Form))
			st.errs.Report(&st.path, "additionalProperties", "unknown form field "+echo(name))
		}
	}
	return nil
}
