package roux

import (
	"encoding"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"time"
	"unsafe"

	"github.com/go-json-experiment/json"

	"github.com/roux-go/roux/internal/validate"
	"github.com/roux-go/roux/internal/wire"
	"github.com/roux-go/roux/schema"
)

// responsePlan says how an output value becomes a response.
//
// An output type is an envelope when it has a field named Body or a field
// tagged `header:"..."`: then Body is the response body, tagged fields are
// response headers and an int field named Status, if non-zero, is the
// status. Any other output type is the body itself. An envelope without
// Body, and struct{}, send no body (204 by default).
type responsePlan struct {
	status   int            // default status
	hasBody  bool           // a body is sent
	envelope bool           // the output is an envelope
	bodyOff  uintptr        // offset of Body in an envelope
	bodyType reflect.Type   // type of the body
	schema   *schema.Schema // schema of the body
	statusAt int            // offset+1 of the Status field; 0 when absent
	headers  []outHeader
	// kind says how the body is written; contentType is its declared
	// media type (the Body field's contentType tag), or "".
	kind        bodyKind
	contentType string
	// offers are the media types of an encoded body when Config.Formats
	// are registered: JSON (or the declared +json type) first, then the
	// formats in order. It is nil for other bodies, and when JSON is the
	// only format: then the Accept header is not consulted at all.
	offers []string
	// respBody returns the ResponseBody at the body's address (kind
	// bodyCustom).
	respBody func(p unsafe.Pointer) ResponseBody
	// checker validates a JSON body against schema when responses are
	// checked ([Config.CheckResponses]); nil otherwise.
	checker *validate.Validator
	// flat encodes a JSON body of a flat struct without json.MarshalWrite
	// (response_json.go); nil for other bodies.
	flat *flatJSON
	// etag is 1+ the index in headers of the ETag header of a GET's
	// output, which makes If-None-Match answer 304; 0 when none.
	etag int
}

// bodyKind is how a response body is written.
type bodyKind uint8

const (
	bodyJSON   bodyKind = iota // encoded as JSON
	bodyCustom                 // a ResponseBody writes the response
	bodyReader                 // an io.Reader copied out
	bodyBytes                  // a []byte sent as it is
	bodyString                 // a string sent as it is
)

type outHeader struct {
	name   string
	offset uintptr
	schema *schema.Schema
	// format returns the header's values for the field at p; none when
	// the field holds its zero value.
	format func(p unsafe.Pointer, dst []string) []string
}

var textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()

func (op *operation) compileOutput(t reflect.Type, cfg opConfig) error {
	p := &op.resp
	reg := op.api.registry
	if t.Kind() == reflect.Struct {
		if f, ok := t.FieldByName("Body"); ok && len(f.Index) == 1 && !hasJSONTag(f) {
			p.envelope, p.hasBody, p.bodyOff, p.bodyType = true, true, f.Offset, f.Type
			p.contentType = f.Tag.Get("contentType")
		}
		for i := range t.NumField() {
			f := t.Field(i)
			if name, ok := f.Tag.Lookup("header"); ok {
				p.envelope = true
				format := headerFormatter(f.Type)
				if format == nil {
					return fmt.Errorf("output header field %s: type %v cannot be a header; use a string, number, bool, time.Time, []string or a TextMarshaler", f.Name, f.Type)
				}
				s, err := reg.FieldSchema(f)
				if err != nil {
					return fmt.Errorf("output header field %s: %w", f.Name, err)
				}
				if f.Type == reflect.TypeFor[time.Time]() {
					// Sent as an HTTP-date, as Last-Modified and Expires require.
					c := *s
					c.Format, c.Pattern = "", ""
					if c.Description == "" {
						c.Description = "An HTTP-date (RFC 9110, section 5.6.7)."
					}
					s = &c
				}
				p.headers = append(p.headers, outHeader{http.CanonicalHeaderKey(name), f.Offset, s, format})
			}
		}
		if f, ok := t.FieldByName("Status"); ok && p.envelope && len(f.Index) == 1 && !hasJSONTag(f) {
			if f.Type.Kind() != reflect.Int {
				return fmt.Errorf("output field Status must be an int, not %v", f.Type)
			}
			p.statusAt = int(f.Offset) + 1
		}
		if !p.envelope && t.NumField() == 0 && !t.Implements(responseBodyType) && !reflect.PointerTo(t).Implements(responseBodyType) {
			p.envelope = true // struct{}: no body
		}
	}
	if !p.envelope {
		p.hasBody, p.bodyType = true, t
	}
	if p.hasBody {
		if err := p.compileBodyKind(); err != nil {
			return err
		}
	}
	if p.hasBody && p.kind == bodyJSON {
		s, err := reg.Schema(p.bodyType)
		if err != nil {
			return fmt.Errorf("output body: %w", err)
		}
		p.schema = s
		if fs := op.api.cfg.Formats; len(fs) > 0 {
			ct := p.contentType
			if ct == "" {
				ct = "application/json"
			}
			p.offers = []string{ct}
			for _, f := range fs {
				p.offers = append(p.offers, f.MediaType)
			}
		}
		if op.api.checking {
			if p.checker, err = op.api.validators.Compile(p.bodyType, s); err != nil {
				return fmt.Errorf("output body: %w", err)
			}
		}
		// Encoding the zero value finds types the encoder refuses now
		// rather than as a 500 on the first request.
		if err := json.MarshalWrite(io.Discard, reflect.New(p.bodyType).Interface(), wire.JSON); err != nil {
			return fmt.Errorf("output body %v cannot be encoded as JSON: %w", p.bodyType, err)
		}
		p.flat = compileFlatJSON(p.bodyType)
	}
	p.status = cfg.status
	if p.status == 0 {
		p.status = http.StatusOK
		if !p.hasBody {
			p.status = http.StatusNoContent
		}
	}
	if p.status < 200 || p.status > 599 {
		return fmt.Errorf("status %d is not a valid response status", p.status)
	}
	if p.hasBody && !bodyAllowed(p.status) {
		return fmt.Errorf("status %d sends no body, but the output %v has one; use an output without a body (struct{} or an envelope without Body)", p.status, t)
	}
	return nil
}

var readerType = reflect.TypeFor[io.Reader]()

// compileBodyKind decides how the body is written: by a ResponseBody,
// copied from an io.Reader, sent raw ([]byte or string with a declared
// contentType) or encoded as JSON.
func (p *responsePlan) compileBodyKind() error {
	t := p.bodyType
	switch {
	case t.Implements(responseBodyType):
		p.kind = bodyCustom
		p.respBody = func(b unsafe.Pointer) ResponseBody {
			return reflect.NewAt(t, b).Elem().Interface().(ResponseBody)
		}
		return nil
	case t.Kind() != reflect.Interface && reflect.PointerTo(t).Implements(responseBodyType):
		p.kind = bodyCustom
		p.respBody = func(b unsafe.Pointer) ResponseBody {
			return reflect.NewAt(t, b).Interface().(ResponseBody)
		}
		return nil
	case t.Kind() == reflect.Interface && t.Implements(readerType):
		p.kind = bodyReader
		if p.contentType == "" {
			p.contentType = "application/octet-stream"
		}
	case p.contentType == "" || isJSON(p.contentType):
		p.kind = bodyJSON
		return nil
	case t == reflect.TypeFor[[]byte]():
		p.kind = bodyBytes
	case t.Kind() == reflect.String:
		p.kind = bodyString
	default:
		return fmt.Errorf("output Body: contentType %q is not JSON, so the body must be a []byte, a string or an io.Reader, not %v", p.contentType, t)
	}
	if _, _, err := mime.ParseMediaType(p.contentType); err != nil {
		return fmt.Errorf("output Body: contentType %q is not a media type: %v", p.contentType, err)
	}
	return nil
}

// bodyAllowed reports whether a response with status may carry a body.
func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusNotModified
}

// hasJSONTag reports whether f has a json tag, which makes a field named
// Body or Status an ordinary member of a body rather than part of an
// envelope.
func hasJSONTag(f reflect.StructField) bool {
	_, ok := f.Tag.Lookup("json")
	return ok
}

// headerFormatter compiles the conversion of a header field to its
// values, or returns nil for a type that cannot be a header. Zero values
// send no header.
func headerFormatter(t reflect.Type) func(unsafe.Pointer, []string) []string {
	one := func(f func(p unsafe.Pointer) string) func(unsafe.Pointer, []string) []string {
		return func(p unsafe.Pointer, dst []string) []string {
			if s := f(p); s != "" {
				dst = append(dst, s)
			}
			return dst
		}
	}
	switch {
	case t == reflect.TypeFor[time.Time]():
		return one(func(p unsafe.Pointer) string {
			if tm := (*time.Time)(p); !tm.IsZero() {
				return tm.UTC().Format(http.TimeFormat)
			}
			return ""
		})
	case t.Implements(textMarshalerType) && t.Kind() != reflect.String:
		return one(func(p unsafe.Pointer) string {
			v := reflect.NewAt(t, p).Elem()
			if v.IsZero() {
				return ""
			}
			b, err := v.Interface().(encoding.TextMarshaler).MarshalText()
			if err != nil {
				return ""
			}
			return string(b)
		})
	}
	switch t.Kind() {
	case reflect.String:
		return one(func(p unsafe.Pointer) string { return *(*string)(p) })
	case reflect.Bool:
		return one(func(p unsafe.Pointer) string {
			if *(*bool)(p) {
				return "true"
			}
			return ""
		})
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return one(func(p unsafe.Pointer) string {
			if n := reflect.NewAt(t, p).Elem().Int(); n != 0 {
				return strconv.FormatInt(n, 10)
			}
			return ""
		})
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return one(func(p unsafe.Pointer) string {
			if n := reflect.NewAt(t, p).Elem().Uint(); n != 0 {
				return strconv.FormatUint(n, 10)
			}
			return ""
		})
	case reflect.Float32, reflect.Float64:
		bits := t.Bits()
		return one(func(p unsafe.Pointer) string {
			if f := reflect.NewAt(t, p).Elem().Float(); f != 0 {
				return strconv.FormatFloat(f, 'g', -1, bits)
			}
			return ""
		})
	case reflect.Slice:
		if t.Elem().Kind() != reflect.String {
			return nil
		}
		return func(p unsafe.Pointer, dst []string) []string {
			for _, s := range reflect.NewAt(t, p).Elem().Seq2() {
				if v := s.String(); v != "" {
					dst = append(dst, v)
				}
			}
			return dst
		}
	}
	return nil
}

// jsonContentType is shared by every JSON response, as gin shares its own:
// its capacity of one makes an append by later code copy it, and no code
// writes into a header value in place.
var jsonContentType = []string{"application/json"}[:1:1]

// headerNosniff and nosniff are the X-Content-Type-Options header every
// response of an API carries (set in API.ServeHTTP): the key already in
// canonical form and the value shared as jsonContentType is, so that
// setting it costs no allocation.
const headerNosniff = "X-Content-Type-Options"

var nosniff = []string{"nosniff"}[:1:1]

// varyAccept is the Vary header of a negotiated response, shared as
// jsonContentType is.
var varyAccept = []string{"Accept"}[:1:1]

// smallLengths holds the decimal forms of 0..4095, so that the
// Content-Length of most responses costs no allocation. They are slices
// of one string, so that the table costs one allocation (15 KB) at init
// rather than 4,000.
var smallLengths = func() (t [4096]string) {
	buf := make([]byte, 0, 15274) // the digits of 0..4095
	for i := range t {
		buf = strconv.AppendInt(buf, int64(i), 10)
	}
	all := unsafe.String(unsafe.SliceData(buf), len(buf)) // buf is never written again
	end := len(all)
	for i := len(t) - 1; i >= 0; i-- {
		n := 1
		for v := i; v >= 10; v /= 10 {
			n++
		}
		t[i], end = all[end-n:end], end-n
	}
	return t
}()

// contentLength is the Content-Length header value of a body of n bytes.
// Below 4096 it is a one-element slice of smallLengths, shared as
// jsonContentType is (its capacity of one makes an append copy it), so
// that it costs neither the string nor the slice an allocation.
func contentLength(n int) []string {
	if n < len(smallLengths) {
		return smallLengths[n : n+1 : n+1]
	}
	return []string{strconv.Itoa(n)}
}

// writeOutput writes the handler's output. out is a *Out. The body is
// encoded before any header is set, so a failure leaves a clean 500.
func (op *operation) writeOutput(w http.ResponseWriter, r *http.Request, st *state, out unsafe.Pointer) bool {
	p := &op.resp
	status := p.status
	if out == nil {
		if p.hasBody {
			op.api.internalError(w, r, fmt.Errorf("handler of %s returned neither an output nor an error", op.id))
			return false
		}
		w.WriteHeader(status)
		return true
	}
	if p.statusAt != 0 {
		if s := *(*int)(unsafe.Add(out, p.statusAt-1)); s != 0 {
			if s < 200 || s > 599 {
				op.api.internalError(w, r, fmt.Errorf("handler of %s set the invalid status %d", op.id, s))
				return false
			}
			status = s
		}
	}
	if p.etag != 0 && status/100 == 2 && len(r.Header["If-None-Match"]) > 0 {
		oh := &p.headers[p.etag-1]
		if op.notModified(r, oh.format(unsafe.Add(out, oh.offset), nil)) {
			p.setHeaders(w.Header(), out)
			w.WriteHeader(http.StatusNotModified)
			return true
		}
	}
	sendBody := p.hasBody && bodyAllowed(status)
	if sendBody && p.kind != bodyJSON {
		return op.writeRawOutput(w, r, status, out)
	}
	if sendBody {
		body := out
		if p.envelope {
			body = unsafe.Add(out, p.bodyOff)
		}
		if op.api.checking {
			if errs := op.checkBody(body); errs != nil {
				op.violation(w, r, status, fmt.Sprintf("operation %s answered %d with a body its schema does not allow", op.id, status), errs)
				return false
			}
		}
		var err error
		switch {
		case st.format > 0:
			err = op.api.cfg.Formats[st.format-1].Marshal(&st.buf, reflect.NewAt(p.bodyType, body).Interface())
		case p.flat != nil:
			if b := p.flat.appendTo(st.buf.AvailableBuffer(), body); b != nil {
				st.buf.Write(b)
				break
			}
			fallthrough // a time the encoder refuses, and says why
		default:
			err = json.MarshalWrite(&st.buf, reflect.NewAt(p.bodyType, body).Interface(), wire.JSON)
		}
		if err != nil {
			op.api.internalError(w, r, fmt.Errorf("encoding the response of %s: %w", op.id, err))
			return false
		}
	}
	h := w.Header()
	p.setHeaders(h, out)
	if !sendBody {
		w.WriteHeader(status)
		return true
	}
	switch {
	case st.format > 0:
		h["Content-Type"] = []string{p.offers[st.format]}
	case p.contentType != "":
		h["Content-Type"] = []string{p.contentType}
	default:
		h["Content-Type"] = jsonContentType
	}
	if len(p.offers) > 1 {
		h["Vary"] = varyAccept
	}
	h["Content-Length"] = contentLength(st.buf.Len())
	w.WriteHeader(status)
	if _, err := w.Write(st.buf.Bytes()); err != nil {
		op.api.cfg.Logger.LogAttrs(r.Context(), slogDebug, "roux: writing response", attrOp(op.id), attrErr(err))
	}
	return true
}

// writeRawOutput writes a body that is not encoded as JSON: a
// ResponseBody, a reader, bytes or a string. The envelope's headers come
// first; a Content-Type among them wins over the declared one.
func (op *operation) writeRawOutput(w http.ResponseWriter, r *http.Request, status int, out unsafe.Pointer) bool {
	p := &op.resp
	body := out
	if p.envelope {
		body = unsafe.Add(out, p.bodyOff)
	}
	h := w.Header()
	p.setHeaders(h, out)
	if p.kind == bodyCustom {
		return op.writeResponseBody(w, r, status, p.respBody(body))
	}
	if _, set := h["Content-Type"]; !set {
		h["Content-Type"] = []string{p.contentType}
	}
	var err error
	switch p.kind {
	case bodyBytes:
		b := *(*[]byte)(body)
		h["Content-Length"] = contentLength(len(b))
		w.WriteHeader(status)
		_, err = w.Write(b)
	case bodyString:
		s := *(*string)(body)
		h["Content-Length"] = contentLength(len(s))
		w.WriteHeader(status)
		_, err = io.WriteString(w, s)
	case bodyReader:
		rd, _ := reflect.NewAt(p.bodyType, body).Elem().Interface().(io.Reader)
		if rd == nil {
			op.api.internalError(w, r, fmt.Errorf("handler of %s returned a nil io.Reader body", op.id))
			return false
		}
		if c, ok := rd.(io.Closer); ok {
			defer c.Close()
		}
		w.WriteHeader(status)
		_, err = io.Copy(w, rd)
	}
	if err != nil {
		level := slog.LevelError
		if r.Context().Err() != nil {
			level = slogDebug // the client went away
		}
		op.api.cfg.Logger.LogAttrs(r.Context(), level, "roux: writing response", attrOp(op.id), attrErr(err))
	}
	return true
}

// setHeaders sets the envelope's header fields of the output at out;
// fields holding their zero value send nothing.
func (p *responsePlan) setHeaders(h http.Header, out unsafe.Pointer) {
	for _, oh := range p.headers {
		if vals := oh.format(unsafe.Add(out, oh.offset), nil); len(vals) > 0 {
			h[oh.name] = vals
		}
	}
}
