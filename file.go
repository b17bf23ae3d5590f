package roux

import (
	"errors"
	"io"
	"maps"
	"mime"
	"net/http"
	"path/filepath"
	"time"

	"github.com/roux-go/roux/openapi"
	"github.com/roux-go/roux/schema"
)

// File is an output body served with [http.ServeContent]: it answers
// Range requests (206 with one or several ranges, 416 problem for a
// malformed Range header or a range outside the content) and conditional
// requests — If-None-Match and If-Modified-Since with 304, If-Match and
// If-Unmodified-Since with a 412 problem — from ETag and ModTime. HEAD
// sends the headers alone.
//
// Ranges are bounded as mature servers bound them: each range is merged
// into the one before it when they overlap or lie fewer than 80 bytes
// apart, and a request for more than 100 ranges after merging gets the
// whole file (200). An answer of several ranges is thus never much
// larger than the file: 5,000 one-byte ranges of a 100 KB file made a
// 754 KB answer before.
//
// A handler returns a *File as its output, or as the Body of an envelope
// whose header fields are sent too:
//
//	roux.Get(api, "/reports/{id}.csv", func(ctx context.Context, in *ReportInput) (*roux.File, error) {
//		f, err := os.Open(path)
//		...
//		return &roux.File{Content: f, Name: "report.csv", ModTime: fi.ModTime()}, nil
//	})
//
// The status is ServeContent's (200, 206, 304, 412, 416), whatever the
// operation declares. The Content-Type is ContentType, else the one the Body field's
// contentType tag declares, else the one Name's extension gives, else
// found by sniffing the content. Content is closed after the response
// when it is an io.Closer.
type File struct {
	// Content is the file's content. Required.
	Content io.ReadSeeker
	// Name is the file's name, for its extension and for a download's
	// Content-Disposition.
	Name string
	// ModTime is sent as Last-Modified when not zero.
	ModTime time.Time
	// ETag, when set, is sent as the ETag header and checked against
	// If-Match and If-None-Match. It is a quoted entity tag: `"v42"` or
	// `W/"v42"`.
	ETag string
	// ContentType overrides the declared or detected media type.
	ContentType string
	// Attachment asks browsers to save the file (Content-Disposition:
	// attachment) rather than show it.
	Attachment bool
}

// WriteResponse serves the file; see [File].
func (f *File) WriteResponse(rc *ResponseContext) error {
	if c, ok := f.Content.(io.Closer); ok {
		defer c.Close()
	}
	if f.Content == nil {
		rc.WriteProblem(errors.New("roux.File without Content"))
		return nil
	}
	h := rc.W.Header()
	ct := f.ContentType
	if ct == "" {
		ct = rc.ContentType
	}
	if ct == "" && f.Name != "" {
		ct = mime.TypeByExtension(filepath.Ext(f.Name))
	}
	if ct != "" {
		h.Set("Content-Type", ct)
	}
	if f.ETag != "" {
		h.Set("ETag", f.ETag)
	}
	if f.Attachment {
		disp := "attachment"
		if f.Name != "" {
			disp = mime.FormatMediaType("attachment", map[string]string{"filename": filepath.Base(f.Name)})
		}
		h.Set("Content-Disposition", disp)
	}
	req, rangeDetail := rc.R, ""
	if rc.R.Header.Get("Range") != "" {
		// ServeContent finds the size the same way, and seeks back.
		if size, err := f.Content.Seek(0, io.SeekEnd); err == nil {
			if _, err := f.Content.Seek(0, io.SeekStart); err == nil {
				req, rangeDetail = withRanges(rc.R, size)
			}
		}
	}
	http.ServeContent(&fileWriter{ResponseWriter: rc.W, rc: rc, rangeDetail: rangeDetail}, req, f.Name, f.ModTime, f.Content)
	return nil
}

// DescribeBody documents the file's content and the answers of range and
// conditional requests.
func (*File) DescribeBody(d *BodyDoc) error {
	ct := d.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	binary := func() map[string]*openapi.MediaType {
		return map[string]*openapi.MediaType{ct: {Schema: &schema.Schema{Type: schema.Types{"string"}, Format: "binary"}}}
	}
	d.Response.Content = binary()
	str := func(desc string) *openapi.Header {
		return &openapi.Header{Description: desc, Schema: &schema.Schema{Type: schema.Types{"string"}}}
	}
	if d.Response.Headers == nil {
		d.Response.Headers = map[string]*openapi.Header{}
	}
	// The validators and Accept-Ranges come with every answer about the
	// content, as http.ServeContent sends them; the others where they
	// apply.
	validators := func(more ...string) map[string]*openapi.Header {
		h := map[string]*openapi.Header{
			"ETag":          str("The entity tag of the content, when known."),
			"Last-Modified": str("When the content last changed, when known (an HTTP-date)."),
			"Accept-Ranges": str("bytes: ranges of the content may be requested."),
		}
		for _, name := range more {
			h[name] = fileHeaders[name]
		}
		return h
	}
	maps.Copy(d.Response.Headers, validators("Content-Disposition"))
	d.Operation.Responses["206"] = &openapi.Response{
		Description: "The requested ranges of the content (one range, or multipart/byteranges for several)",
		Content:     binary(),
		Headers:     validators("Content-Range", "Content-Disposition"),
	}
	d.Operation.Responses["304"] = &openapi.Response{Description: "The content has not changed since the copy the client holds", Headers: validators()}
	problems := map[string]*openapi.MediaType{"application/problem+json": {Schema: d.Problem}}
	d.Operation.Responses["412"] = &openapi.Response{Description: "A precondition (If-Match, If-Unmodified-Since) failed", Content: problems, Headers: validators()}
	d.Operation.Responses["416"] = &openapi.Response{Description: "The Range header is malformed, or its ranges are outside the content", Content: problems,
		Headers: validators("Content-Range")}
	return nil
}

// fileHeaders describes the headers of a [File] answer besides its
// validators.
var fileHeaders = map[string]*openapi.Header{
	"Content-Range": {Description: "The range sent (bytes 0-99/1234), or the size of the content when no range could be (bytes */1234).",
		Schema: &schema.Schema{Type: schema.Types{"string"}}},
	"Content-Disposition": {Description: "attachment, with the file's name, when the file is to be saved (roux.File's Attachment).",
		Schema: &schema.Schema{Type: schema.Types{"string"}}},
}

// fileWriter turns the plain-text errors of http.ServeContent (412, 416)
// into problems; every other status passes through.
type fileWriter struct {
	http.ResponseWriter
	rc          *ResponseContext
	rangeDetail string // the detail of a 416, when the Range header was read
	dropped     bool   // a problem replaced the response: drop ServeContent's body
}

func (w *fileWriter) WriteHeader(status int) {
	switch status {
	case http.StatusPreconditionFailed, http.StatusRequestedRangeNotSatisfiable:
		h := w.ResponseWriter.Header()
		cr := h.Get("Content-Range")
		for _, k := range []string{"Content-Type", "Content-Length", "Content-Disposition"} {
			h.Del(k)
		}
		detail := "a precondition of the request (If-Match or If-Unmodified-Since) failed"
		if status == http.StatusRequestedRangeNotSatisfiable {
			detail = "the requested range is outside the content"
			if w.rangeDetail != "" {
				detail = w.rangeDetail
			}
			if cr != "" {
				detail += " (" + cr + ")"
			}
		}
		w.dropped = true
		w.rc.WriteProblem(&Error{Status: status, Detail: detail})
		return
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *fileWriter) Write(b []byte) (int, error) {
	if w.dropped {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the writer underneath.
func (w *fileWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
