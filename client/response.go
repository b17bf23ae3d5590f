package client

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/internal/plan"
)

// maxProblemBytes bounds how much of an error response is read.
const maxProblemBytes = 1 << 20

// maxDetailBytes bounds the text of a non-problem error body kept as the
// detail.
const maxDetailBytes = 512

// decodeResponse decodes resp into the output at out and closes resp's
// body, unless the output took it (a reader body).
func decodeResponse(p *plan.Operation, resp *http.Response, out unsafe.Pointer) error {
	if err := decodeEnvelope(p, resp, out); err != nil {
		return err
	}
	rp := &p.Response
	noBody := !rp.HasBody || resp.StatusCode == http.StatusNoContent || p.Method == http.MethodHead || resp.ContentLength == 0
	if noBody {
		discard(resp)
		if rp.Kind == plan.Reader && rp.HasBody {
			// An empty body: a reader of nothing, rather than a nil
			// one the caller would have to check for.
			if v := reflect.NewAt(rp.BodyType, unsafe.Add(out, rp.BodyOffset)).Elem(); reflect.TypeOf(http.NoBody).AssignableTo(v.Type()) {
				v.Set(reflect.ValueOf(http.NoBody))
			}
		}
		return nil
	}
	body := unsafe.Add(out, rp.BodyOffset)
	if rp.Kind == plan.Reader {
		return takeReader(p, resp, body)
	}
	defer resp.Body.Close()
	var err error
	switch rp.Kind {
	case plan.JSON:
		if ct := resp.Header.Get("Content-Type"); ct != "" && !isJSON(ct) {
			discard(resp)
			return fmt.Errorf("client: %s: the response is %q, not JSON", p.ID, ct)
		}
		v := reflect.NewAt(rp.BodyType, body).Interface()
		// Lenient where the server is strict: unknown members are
		// ignored, so that a client built against an older server
		// survives a newer one.
		err = json.UnmarshalRead(resp.Body, v, p.JSONOptions, jsontext.AllowDuplicateNames(true))
	case plan.Bytes:
		var b []byte
		if b, err = io.ReadAll(resp.Body); err == nil {
			*(*[]byte)(body) = b
		}
	case plan.String:
		var b []byte
		if b, err = io.ReadAll(resp.Body); err == nil {
			*(*string)(body) = string(b)
		}
	}
	if err != nil {
		return fmt.Errorf("client: %s: reading the response: %w", p.ID, err)
	}
	return nil
}

// decodeEnvelope returns the problem of a response that is not 2xx, and
// otherwise decodes its headers and status into the envelope at out. It
// closes resp's body when it fails.
func decodeEnvelope(p *plan.Operation, resp *http.Response, out unsafe.Pointer) error {
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		return problemOf(resp)
	}
	rp := &p.Response
	for _, h := range rp.Headers {
		if err := decodeHeader(h, resp.Header[h.Name], unsafe.Add(out, h.Offset)); err != nil {
			resp.Body.Close()
			return fmt.Errorf("client: %s: response header %s: %w", p.ID, h.Name, err)
		}
	}
	if rp.StatusAt != 0 {
		*(*int)(unsafe.Add(out, rp.StatusAt-1)) = resp.StatusCode
	}
	return nil
}

// takeReader stores the open response body in an io.Reader Body field:
// the caller reads and closes it.
func takeReader(p *plan.Operation, resp *http.Response, body unsafe.Pointer) error {
	v := reflect.NewAt(p.Response.BodyType, body).Elem()
	if rb := reflect.ValueOf(resp.Body); rb.Type().AssignableTo(v.Type()) {
		v.Set(rb)
		return nil
	}
	// The field's interface asks for more than an http body has (an
	// io.ReadSeeker, say): read it all into memory.
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("client: %s: reading the response: %w", p.ID, err)
	}
	br := reflect.ValueOf(bytes.NewReader(b))
	if !br.Type().AssignableTo(v.Type()) {
		return fmt.Errorf("client: %s: cannot store the response body in a %v", p.ID, v.Type())
	}
	v.Set(br)
	return nil
}

// problemOf reads an error response into a *roux.Error. A problem (or
// any JSON object) is decoded as one; any other body gives a problem of
// the response's status whose detail says what came instead.
func problemOf(resp *http.Response) *roux.Error {
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxProblemBytes))
	pe := &roux.Error{Status: resp.StatusCode}
	ct := resp.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	switch {
	case err != nil:
		pe.Detail = "reading the error response failed: " + err.Error()
	case isJSON(ct) && decodeProblem(body, pe):
	case len(body) == 0:
		pe.Detail = fmt.Sprintf("the server answered %d with no body", resp.StatusCode)
	case mt == "text/plain" && utf8.Valid(body):
		pe.Detail = strings.TrimSpace(string(truncate(body)))
	default:
		pe.Detail = fmt.Sprintf("the server answered %d with a %s body of %d bytes, not a problem", resp.StatusCode, mediaType(mt), len(body))
	}
	if pe.Title == "" {
		pe.Title = http.StatusText(resp.StatusCode)
	}
	pe.Status = resp.StatusCode // what happened, whatever the body says
	return pe
}

// problemWire is roux.Error without its methods, for decoding the
// members it declares.
type problemWire roux.Error

// decodeProblem decodes a problem into pe: its members, and any others
// into Extensions. It reports false, leaving pe as it was, for a body
// that is not a JSON object.
func decodeProblem(body []byte, pe *roux.Error) bool {
	var w problemWire
	if err := json.Unmarshal(body, &w, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)); err != nil {
		return false
	}
	var members map[string]any
	if err := json.Unmarshal(body, &members, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)); err != nil {
		return false
	}
	*pe = roux.Error(w)
	for k, v := range members {
		switch k {
		case "type", "title", "status", "detail", "instance", "errors":
			continue
		}
		if pe.Extensions == nil {
			pe.Extensions = map[string]any{}
		}
		pe.Extensions[k] = v
	}
	if pe.Type == "about:blank" {
		pe.Type = "" // how roux publishes an empty Type
	}
	return true
}

func truncate(b []byte) []byte {
	if len(b) <= maxDetailBytes {
		return b
	}
	b = b[:maxDetailBytes]
	for len(b) > 0 && !utf8.Valid(b) {
		b = b[:len(b)-1]
	}
	return b
}

func mediaType(mt string) string {
	if mt == "" {
		return "untyped"
	}
	return mt
}

// isJSON reports whether a Content-Type is application/json or a +json
// type, such as application/problem+json.
func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")
}
