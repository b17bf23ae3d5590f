package client

// A roux.File output is read into a roux.File whose Content is the
// response body, made seekable by range requests: a Seek moves a cursor,
// and the next Read that does not follow on from the open body closes it
// and asks the server for the bytes from the cursor on (Range:
// bytes=N-), on the condition that the file has not changed (If-Range
// with its strong ETag or Last-Modified). Seeking to the end and back, as
// http.ServeContent does to learn the size, costs no request.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unsafe"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/internal/plan"
)

var fileType = reflect.TypeFor[roux.File]()

// isFile reports whether p's output body is a roux.File.
func isFile(p *plan.Operation) bool {
	t := p.Response.BodyType
	return t == fileType || t == reflect.PointerTo(fileType)
}

// decodeFile decodes a response whose body is a roux.File into the
// output at out: the envelope's fields, and the file, whose Content
// takes the open response body.
func (c *Client) decodeFile(ctx context.Context, cfg *config, p *plan.Operation, r *request, resp *http.Response, out unsafe.Pointer) error {
	if err := decodeEnvelope(p, resp, out); err != nil {
		return err
	}
	h := resp.Header
	rf := &remoteFile{id: p.ID, body: resp.Body, size: resp.ContentLength}
	if p.Method == http.MethodHead || resp.StatusCode == http.StatusNoContent {
		discard(resp)
		rf.body = http.NoBody
	}
	f := &roux.File{Content: rf, ETag: h.Get("ETag"), ContentType: h.Get("Content-Type")}
	if t, err := http.ParseTime(h.Get("Last-Modified")); err == nil {
		f.ModTime = t
	}
	if disp, params, err := mime.ParseMediaType(h.Get("Content-Disposition")); err == nil {
		f.Name, f.Attachment = params["filename"], disp == "attachment"
	}
	if cond := ifRange(h); cond != "" && p.Method == http.MethodGet && resp.StatusCode == http.StatusOK && strings.EqualFold(strings.TrimSpace(h.Get("Accept-Ranges")), "bytes") {
		rf.reopen = func(off int64) (io.ReadCloser, error) { return c.rangeFrom(ctx, cfg, p, r, cond, off) }
	}
	body := unsafe.Add(out, p.Response.BodyOffset)
	if p.Response.BodyType == fileType {
		*(*roux.File)(body) = *f
	} else {
		*(**roux.File)(body) = f
	}
	return nil
}

// ifRange returns the validator a range request is made on the
// condition of: the strong ETag, or else Last-Modified; "" when there is
// neither.
func ifRange(h http.Header) string {
	if etag := h.Get("ETag"); etag != "" && !strings.HasPrefix(etag, "W/") {
		return etag
	}
	return h.Get("Last-Modified")
}

// errFileChanged is the error of reading a file on from an offset after
// it changed on the server.
var errFileChanged = errors.New("the file changed on the server since it was opened")

// rangeFrom requests the content from offset off on, if the file is
// still the one cond identifies. It returns a nil body when off is at or
// past the end.
func (c *Client) rangeFrom(ctx context.Context, cfg *config, p *plan.Operation, r *request, cond string, off int64) (io.ReadCloser, error) {
	req, err := c.newRequest(ctx, cfg, p, r)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Range", "bytes="+strconv.FormatInt(off, 10)+"-")
	req.Header.Set("If-Range", cond)
	resp, err := cfg.hc.Do(req)
	if err != nil {
		return nil, err
	}
	switch resp.StatusCode {
	case http.StatusPartialContent:
		if start, ok := rangeStart(resp.Header.Get("Content-Range")); !ok || start != off {
			resp.Body.Close()
			return nil, fmt.Errorf("client: %s: asked for bytes from %d on, got Content-Range %q", p.ID, off, resp.Header.Get("Content-Range"))
		}
		return resp.Body, nil
	case http.StatusRequestedRangeNotSatisfiable:
		discard(resp)
		return nil, nil
	case http.StatusOK:
		discard(resp)
		return nil, fmt.Errorf("client: %s: %w", p.ID, errFileChanged)
	}
	defer resp.Body.Close()
	return nil, problemOf(resp)
}

// rangeStart returns the first byte of a Content-Range "bytes a-b/n".
func rangeStart(cr string) (int64, bool) {
	rest, ok := strings.CutPrefix(cr, "bytes ")
	if !ok {
		return 0, false
	}
	a, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(a, 10, 64)
	return n, err == nil
}

// remoteFile is the Content of a downloaded roux.File: an
// io.ReadSeekCloser over the response body and, where the server answers
// range requests, further requests. It is not safe for concurrent use.
type remoteFile struct {
	id     string
	body   io.ReadCloser // the open body, whose next byte is at bodyAt; nil: none
	bodyAt int64
	pos    int64
	size   int64 // -1: unknown
	closed bool
	// reopen returns the content from an offset on; nil when the server
	// does not answer range requests.
	reopen func(off int64) (io.ReadCloser, error)
}

var errClosed = errors.New("client: read of a closed file")

// Read reads from the current offset, requesting the content from there
// on when the open body is elsewhere.
func (f *remoteFile) Read(b []byte) (int, error) {
	switch {
	case f.closed:
		return 0, errClosed
	case f.size >= 0 && f.pos >= f.size:
		return 0, io.EOF
	}
	if f.body != nil && f.bodyAt != f.pos {
		f.body.Close()
		f.body = nil
	}
	if f.body == nil {
		if f.reopen == nil {
			return 0, fmt.Errorf("client: %s: cannot read from offset %d: the server did not offer range requests with an ETag or Last-Modified, so the file reads from its start to its end only", f.id, f.pos)
		}
		body, err := f.reopen(f.pos)
		if err != nil {
			return 0, err
		}
		if body == nil {
			return 0, io.EOF // past the end
		}
		f.body, f.bodyAt = body, f.pos
	}
	n, err := f.body.Read(b)
	f.pos += int64(n)
	f.bodyAt += int64(n)
	return n, err
}

// Seek sets the offset of the next Read. Seeking from the end needs the
// size, which the server sent as Content-Length.
func (f *remoteFile) Seek(offset int64, whence int) (int64, error) {
	if f.closed {
		return 0, errClosed
	}
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = f.pos + offset
	case io.SeekEnd:
		if f.size < 0 {
			return 0, fmt.Errorf("client: %s: seek from the end of a file of unknown size", f.id)
		}
		abs = f.size + offset
	default:
		return 0, fmt.Errorf("client: %s: seek: invalid whence %d", f.id, whence)
	}
	if abs < 0 {
		return 0, fmt.Errorf("client: %s: seek to a negative offset", f.id)
	}
	f.pos = abs
	return abs, nil
}

// Close closes the open body; later reads fail.
func (f *remoteFile) Close() error {
	if f.closed {
		return nil
	}
	f.closed = true
	if f.body != nil {
		return f.body.Close()
	}
	return nil
}
