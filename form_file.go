package roux

// This file declares the file fields of a Form: the FormFile type
// handlers receive and the plan compiled from a field's tags. Reading
// them from a multipart/form-data body is in multipart.go.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"unsafe"

	"github.com/roux-go/roux/schema"
)

// FormFile is one file uploaded in a multipart/form-data body. A Form
// field of type *FormFile takes one file (nil when none was sent) and a
// field of type []*FormFile takes every file sent under its name, in
// order. Tag such a field `form:"name"`, and optionally:
//
//	required:"true"                 a file must be sent (422 otherwise)
//	contentType:"image/png,image/*" the media types each file may have; a
//	                                range such as image/* takes a whole type
//	                                (422 with code contentMediaType otherwise)
//	maxBytes:"1048576"              the largest size of each file (413
//	                                otherwise)
//	minItems:"1", maxItems:"5"      how many files a slice takes (422
//	                                otherwise); a *FormFile takes one
//	doc:"...", deprecated:"true"    as for any field
//
// A file is published as {"type": "string", "format": "binary"} (with
// contentMediaType for a single accepted type and the maxBytes limit as
// x-roux-maxBytes), and its accepted types as the contentType of its
// field's encoding in the multipart/form-data request body.
//
// The content is available from [FormFile.Open] until the handler has
// returned and its response has been written (an output body may stream
// it); then roux removes any temporary file holding it, also when the
// handler failed or panicked. A background task ([Tasks]) or goroutine
// that needs the content later must copy it first.
type FormFile struct {
	// Filename is the name the client gave the file, reduced to its last
	// path element (mime/multipart applies filepath.Base); "" when none.
	// It is client input: check it before using it in a path.
	Filename string
	// ContentType is the part's Content-Type as the client sent it, or
	// application/octet-stream when it sent none. roux checks it against
	// the field's contentType tag but does not inspect the content.
	ContentType string
	// Size is the length of the content in bytes.
	Size int64
	// Header is the part's MIME header.
	Header textproto.MIMEHeader

	data    []byte   // the content, when held in memory
	file    *os.File // the temporary file holding the content, otherwise
	removed atomic.Bool
	upload  io.Reader // the content of a FileUpload, which a client sends
}

// Open returns a reader of the file's content. Each call returns a new,
// independent reader starting at the beginning; readers may be used
// concurrently. Closing one is optional. Once the response has been
// written, Open fails and readers of a temporary file fail too.
func (f *FormFile) Open() (multipart.File, error) {
	if f.upload != nil {
		return nil, errors.New("roux: " + strconv.Quote(f.Filename) + " is a FileUpload, whose content a client sends; Open reads received files")
	}
	if f.removed.Load() {
		return nil, errors.New("roux: the uploaded file " + strconv.Quote(f.Filename) + " was removed when its handler returned")
	}
	if f.file != nil {
		return fileReader{io.NewSectionReader(f.file, 0, f.Size)}, nil
	}
	return fileReader{io.NewSectionReader(bytes.NewReader(f.data), 0, f.Size)}, nil
}

// fileReader is a multipart.File over a section of the content.
type fileReader struct{ *io.SectionReader }

// Close does nothing: the temporary file is roux's to close.
func (fileReader) Close() error { return nil }

var (
	formFileType  = reflect.TypeFor[*FormFile]()
	formFilesType = reflect.TypeFor[[]*FormFile]()
)

// filePlan binds the parts named after one file field of a Form.
type filePlan struct {
	name     string
	offset   uintptr
	many     bool     // []*FormFile
	required bool     // `required:"true"`
	maxBytes int64    // per file; 0: only the body limit applies
	accept   []string // media types and ranges ("image/*"), lowercase; empty: any
	minItems int
	maxItems int // 0: no limit (1 for a *FormFile)
	schema   *schema.Schema
}

// fileTagsRefused are the keyword tags that do not apply to a file field.
var fileTagsRefused = []string{
	"title", "format", "enum", "default", "example", "readOnly", "writeOnly",
	"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
	"minLength", "maxLength", "pattern", "uniqueItems", "minProperties", "maxProperties", "explode",
}

// compileFile compiles a Form field of type *FormFile or []*FormFile.
func compileFile(sf reflect.StructField) (*filePlan, error) {
	name := sf.Tag.Get("form")
	if name == "" {
		return nil, fmt.Errorf("empty form field name in tag form:\"\"")
	}
	fp := &filePlan{name: name, offset: sf.Offset, many: sf.Type == formFilesType, maxItems: 1}
	for _, k := range fileTagsRefused {
		if _, ok := sf.Tag.Lookup(k); ok {
			return nil, fmt.Errorf("tag %s does not apply to a file; a file field takes required, contentType, maxBytes, doc, deprecated and, for []*roux.FormFile, minItems and maxItems", k)
		}
	}
	if v, ok := sf.Tag.Lookup("required"); ok {
		if v != "true" && v != "false" {
			return nil, fmt.Errorf("required:%q: want \"true\" or \"false\"", v)
		}
		fp.required = v == "true"
	}
	if v, ok := sf.Tag.Lookup("maxBytes"); ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("maxBytes:%q: want a positive number of bytes", v)
		}
		fp.maxBytes = n
	}
	if v, ok := sf.Tag.Lookup("contentType"); ok {
		for t := range strings.SplitSeq(v, ",") {
			t = strings.ToLower(strings.TrimSpace(t))
			if !isMediaRange(t) {
				return nil, fmt.Errorf("contentType:%q: %q is not a media type such as image/png or a range such as image/*", v, t)
			}
			fp.accept = append(fp.accept, t)
		}
	}
	for _, k := range []string{"minItems", "maxItems"} {
		v, ok := sf.Tag.Lookup(k)
		if !ok {
			continue
		}
		n, err := strconv.Atoi(v)
		switch {
		case !fp.many:
			return nil, fmt.Errorf("%s applies to []*roux.FormFile, not *roux.FormFile", k)
		case err != nil || n < 0:
			return nil, fmt.Errorf("%s:%q: want a non-negative integer", k, v)
		case k == "minItems":
			fp.minItems = n
		default:
			fp.maxItems = n
		}
	}
	if fp.many && sf.Tag.Get("maxItems") == "" {
		fp.maxItems = 0
	}
	if fp.maxItems > 0 && fp.minItems > fp.maxItems {
		return nil, fmt.Errorf("minItems %d is more than maxItems %d", fp.minItems, fp.maxItems)
	}
	fp.schema = fp.describe(sf)
	return fp, nil
}

// isMediaRange reports whether t is a lowercase media type without
// parameters, or a range such as image/* or */*.
func isMediaRange(t string) bool {
	mt, params, err := mime.ParseMediaType(t)
	typ, sub, ok := strings.Cut(mt, "/")
	switch {
	case err != nil || !ok || len(params) > 0 || mt != t:
		return false
	case typ == "*":
		return sub == "*"
	}
	return !strings.Contains(typ, "*") && (sub == "*" || !strings.Contains(sub, "*"))
}

// describe returns the field's published schema: a binary string, or an
// array of those.
func (fp *filePlan) describe(sf reflect.StructField) *schema.Schema {
	file := &schema.Schema{Type: schema.Types{"string"}, Format: "binary"}
	if len(fp.accept) == 1 && !strings.HasSuffix(fp.accept[0], "/*") {
		file.ContentMediaType = fp.accept[0]
	}
	if fp.maxBytes > 0 {
		file.Extensions = map[string]any{"x-roux-maxBytes": fp.maxBytes}
	}
	s := file
	if fp.many {
		s = &schema.Schema{Type: schema.Types{"array"}, Items: file}
		if fp.minItems > 0 {
			s.MinItems = &fp.minItems
		}
		if fp.maxItems > 0 {
			s.MaxItems = &fp.maxItems
		}
	}
	s.Description = sf.Tag.Get("doc")
	s.Deprecated = sf.Tag.Get("deprecated") == "true"
	return s
}

// accepts reports whether the Content-Type ct is one the field accepts.
func (fp *filePlan) accepts(ct string) bool {
	if len(fp.accept) == 0 {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	typ, _, _ := strings.Cut(mt, "/")
	for _, a := range fp.accept {
		if a == mt || a == "*/*" || strings.HasSuffix(a, "/*") && a[:len(a)-2] == typ {
			return true
		}
	}
	return false
}

// FileUpload returns a file for a client to send in a Form's *FormFile or
// []*FormFile field: package client streams the content r as one part of
// a multipart/form-data body, as the request is sent, under filename with
// the Content-Type contentType (application/octet-stream when empty).
// The client reads r once, to its end, and does not close it; neither
// filename nor contentType may hold a line break.
//
// A FileUpload's Size is 0 and its Open fails: those describe files a
// server received. A received *FormFile can also be sent on as it is,
// its content read through Open.
func FileUpload(filename, contentType string, r io.Reader) *FormFile {
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	if r == nil {
		r = bytes.NewReader(nil)
	}
	return &FormFile{Filename: filename, ContentType: contentType, upload: r}
}

// uploadContent returns the content a client sends of the *FormFile at
// f: a FileUpload's reader, or a received file's content.
func uploadContent(f unsafe.Pointer) (io.Reader, error) {
	ff := (*FormFile)(f)
	if ff.upload != nil {
		return ff.upload, nil
	}
	return ff.Open()
}
