package client

// A Form with file fields is sent as multipart/form-data, streamed: a
// goroutine writes the parts into a pipe that the request's body reads,
// so a file is never held in memory, and the request goes out chunked
// (its length is not known beforehand). The goroutine reads each file's
// content as the transport takes the bytes; the call waits for it to stop
// before it returns, so the caller may close a file once the call is
// over.

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"strings"
	"unsafe"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/internal/plan"
)

// upload is a multipart/form-data body to stream.
type upload struct {
	boundary string
	texts    []formPart
	files    []filePart
	pr       *io.PipeReader // nil until open
	done     chan struct{}  // closed when the writer has returned
}

type formPart struct{ name, value string }

type filePart struct {
	name    string
	file    *roux.FormFile
	content io.Reader
}

// encodeMultipart encodes the Form field as a multipart/form-data body:
// one part per value of each text field, then one part per file.
func (r *request) encodeMultipart(f *plan.Form, in unsafe.Pointer) error {
	u := &upload{boundary: multipart.NewWriter(io.Discard).Boundary()}
	err := r.formValues(f, in, func(name string, vals []string) {
		for _, v := range vals {
			u.texts = append(u.texts, formPart{name, v})
		}
	})
	if err != nil {
		return err
	}
	base := unsafe.Add(in, f.Offset)
	for _, ff := range f.Files {
		var files []*roux.FormFile
		if ff.Many {
			files = *(*[]*roux.FormFile)(unsafe.Add(base, ff.Offset))
		} else if one := *(**roux.FormFile)(unsafe.Add(base, ff.Offset)); one != nil {
			files = []*roux.FormFile{one}
		}
		for i, file := range files {
			if file == nil {
				return fmt.Errorf("form field %q: file %d is nil", ff.Name, i)
			}
			if err := checkFile(file); err != nil {
				return fmt.Errorf("form field %q: %w", ff.Name, err)
			}
			content, err := f.Content(unsafe.Pointer(file))
			if err != nil {
				return fmt.Errorf("form field %q: %w", ff.Name, err)
			}
			u.files = append(u.files, filePart{ff.Name, file, content})
		}
	}
	r.upload, r.contentType = u, "multipart/form-data; boundary="+u.boundary
	return nil
}

// checkFile checks what goes into a file part's header: a line break
// would end the header, and a media type must parse.
func checkFile(f *roux.FormFile) error {
	if strings.ContainsAny(f.Filename, "\r\n\x00") {
		return fmt.Errorf("file name %q holds a line break or NUL", f.Filename)
	}
	ct := f.ContentType
	if ct == "" {
		return nil
	}
	if strings.ContainsAny(ct, "\r\n\x00") {
		return fmt.Errorf("content type %q holds a line break or NUL", ct)
	}
	if _, _, err := mime.ParseMediaType(ct); err != nil {
		return fmt.Errorf("content type %q: %w", ct, err)
	}
	return nil
}

// errUploadDone stops the writer once the call is over.
var errUploadDone = errors.New("client: the call is over")

// open returns the body of the one request the upload can be sent with,
// and starts writing it.
func (u *upload) open() (io.Reader, error) {
	if u.pr != nil {
		return nil, errors.New("client: a multipart body with files is streamed once and cannot be sent again")
	}
	pr, pw := io.Pipe()
	u.pr, u.done = pr, make(chan struct{})
	go func() {
		defer close(u.done)
		pw.CloseWithError(u.write(pw)) //nolint:errcheck // always nil
	}()
	return pr, nil
}

// write writes the parts to w, and the closing boundary.
func (u *upload) write(w io.Writer) error {
	mw := multipart.NewWriter(w)
	if err := mw.SetBoundary(u.boundary); err != nil {
		return err
	}
	for _, t := range u.texts {
		if err := mw.WriteField(t.name, t.value); err != nil {
			return err
		}
	}
	for _, f := range u.files {
		ct := f.file.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", multipart.FileContentDisposition(f.name, f.file.Filename))
		h.Set("Content-Type", ct)
		pw, err := mw.CreatePart(h)
		if err != nil {
			return err
		}
		if _, err := io.Copy(pw, f.content); err != nil {
			return fmt.Errorf("client: reading the content of %q (form field %q): %w", f.file.Filename, f.name, err)
		}
	}
	return mw.Close()
}

// finish stops the writer, if it still runs, and waits for it: once it
// returns, no file's content is read any more. A nil upload has none.
func (u *upload) finish() {
	if u == nil || u.pr == nil {
		return
	}
	u.pr.CloseWithError(errUploadDone) //nolint:errcheck // always nil
	<-u.done
}
