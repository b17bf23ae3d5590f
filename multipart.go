package roux

// This file reads multipart/form-data bodies into a Form with file fields.
//
// The body is read as a stream, one part at a time, through a
// mime/multipart.Reader over the request's limited body, instead of
// mime/multipart's ReadForm: that way each limit is enforced the moment it
// is crossed (the body limit, a file's maxBytes, the part count) and a part
// that will be rejected anyway — an unknown field, a file of the wrong
// content type, a file too many — is read past without being stored. A
// part's role is decided by its name alone: parts named after a file field
// are files, all others are text values, bound exactly as an
// application/x-www-form-urlencoded form's.
//
// A part's header is held in memory, so it is bounded twice: each part's
// header by maxPartHeaderBytes, and all of them together, with the text
// values, by the form's text budget. mime/multipart alone would take up
// to 10 MB of header per part, outside every limit: 40 concurrent 7 MB
// part headers took a server from 13 MB to 370–490 MB of RSS. Since
// NextPart reads the header through a bufio.Reader of its own, the bytes
// it reads are counted as they arrive (headerWindow), which stops a huge
// header after a few kilobytes, and the header it returns is then
// measured exactly.
//
// A file's content is kept in memory while the request's budget
// (Config.UploadMemoryBytes) lasts; a file that does not fit is written
// to a temporary file in os.TempDir. Every temporary file is registered
// before its first byte is written, and operation.serve removes them all
// when the handler returns — also when it fails, panics or never runs
// because the request was rejected or the client went away.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"strings"
	"unsafe"

	"github.com/roux-go/roux/internal/verr"
)

// maxFormParts bounds the parts of one multipart body, as ReadForm does,
// so that a body of tiny parts cannot cost more than its bytes suggest.
const maxFormParts = 1000

// maxPartHeaderBytes bounds the header of one part (its Content-Disposition,
// Content-Type and any other lines), as busboy's 16 KiB and
// commons-fileupload's 10 KiB do; a part whose header is larger is
// refused with 413. The preamble, text before the first part that clients
// do not send, counts toward the first part's header.
const maxPartHeaderBytes = 16 << 10

// headerSlack is what NextPart may read besides a part's header: the
// boundary line before it, and the bufio.Reader's read-ahead of 4096
// bytes into the part's content.
const headerSlack = 4096 + 256

// defaultUploadMemory is Config.UploadMemoryBytes's default.
const defaultUploadMemory = 256 << 10

// uploads holds the files of one request, in memory or in temporary
// files; remove deletes them.
type uploads struct {
	files []*FormFile
	log   *slog.Logger
}

// remove makes every file unavailable and closes and deletes the
// temporary files. A nil *uploads has none.
func (u *uploads) remove() {
	if u == nil {
		return
	}
	for _, f := range u.files {
		f.removed.Store(true)
		if f.file == nil {
			continue
		}
		f.file.Close() //nolint:errcheck // only read from; removal is what matters
		if err := os.Remove(f.file.Name()); err != nil {
			u.log.LogAttrs(context.Background(), slog.LevelWarn, "roux: removing an upload's temporary file", attrErr(err))
		}
	}
}

// formReader is the state of reading one multipart body.
type formReader struct {
	op        *operation
	ctx       context.Context
	st        *state
	src       *errRecorder
	values    url.Values
	files     [][]*FormFile // by index of op.form.files
	seen      []int         // parts seen per file field, rejected ones included
	u         *uploads
	memLeft   int64 // bytes of files that may still be held in memory
	textLimit int64 // bytes of text values and part headers the body may hold
	textLeft  int64 // of which are left
	window    headerWindow
	buf       []byte
}

// headerWindow counts the bytes mime/multipart reads while it looks for
// the next part and reads its header, and fails the read that would go
// past left. Outside NextPart it passes every read through.
type headerWindow struct {
	r    io.Reader
	open bool
	left int64
}

// errPartHeaderTooLarge is returned by headerWindow past its limit.
var errPartHeaderTooLarge = errors.New("roux: multipart part header too large")

func (h *headerWindow) Read(p []byte) (int, error) {
	if !h.open {
		return h.r.Read(p)
	}
	if h.left <= 0 {
		return 0, errPartHeaderTooLarge
	}
	if int64(len(p)) > h.left {
		p = p[:h.left]
	}
	n, err := h.r.Read(p)
	h.left -= int64(n)
	return n, err
}

// nextPart returns the next part, the n-th, and charges its header to the
// text budget. Its problem is a 413 for a header over maxPartHeaderBytes
// or over what is left of the budget, the problem of a malformed body, or
// nil with a nil part at the end of the form.
func (fr *formReader) nextPart(mr *multipart.Reader, n int) (*multipart.Part, *Error) {
	limit := min(int64(maxPartHeaderBytes), fr.textLeft)
	fr.window.open, fr.window.left = true, limit+headerSlack
	part, err := mr.NextPart()
	fr.window.open = false
	switch {
	case err == io.EOF || n == 1 && errors.Is(err, io.EOF) && fr.st.body.read == 0 && fr.src.err == nil:
		return nil, nil // the end, or a chunked body without a byte: no form at all
	case errors.Is(err, errPartHeaderTooLarge) || err != nil && fr.window.left <= 0:
		// A header line cut off by the window may fail as malformed:
		// bufio.Reader.ReadLine returns the part of a line it has
		// without the error.
		return nil, fr.headerTooLarge(n, limit)
	case err != nil:
		return nil, fr.readProblem(err)
	}
	size := headerSize(part.Header)
	if size > limit {
		return nil, fr.headerTooLarge(n, limit)
	}
	fr.textLeft -= size
	return part, nil
}

// headerTooLarge is the 413 of part n's header over limit bytes: the
// per-part limit, or what is left of the form's text budget.
func (fr *formReader) headerTooLarge(n int, limit int64) *Error {
	if limit < maxPartHeaderBytes {
		return fr.textTooLarge()
	}
	return &Error{Status: http.StatusRequestEntityTooLarge, Detail: fmt.Sprintf("the header of part %d of the multipart body is larger than the limit of %d bytes", n, maxPartHeaderBytes)}
}

// textTooLarge is the 413 of text values and part headers over the form's
// text budget.
func (fr *formReader) textTooLarge() *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge, Detail: fmt.Sprintf("the form's text fields and part headers are larger than the limit of %d bytes", fr.textLimit)}
}

// headerSize is the size of a part's header as it was sent, within the
// bytes of its line ends and separators: a name, ": " and "\r\n" for
// each value.
func headerSize(h textproto.MIMEHeader) int64 {
	n := int64(2) // the blank line that ends the header
	for k, vs := range h {
		for _, v := range vs {
			n += int64(len(k) + len(v) + 4)
		}
	}
	return n
}

// errRecorder remembers the first error of the request body other than
// io.EOF, to tell a connection that failed from a body that is malformed.
type errRecorder struct {
	r   io.Reader
	err error
}

func (e *errRecorder) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}

// readMultipart reads a multipart/form-data body with the given boundary
// into the Form. It returns the request's temporary files, to be removed
// when the handler returns, even with a problem.
func (op *operation) readMultipart(r *http.Request, st *state, in unsafe.Pointer, boundary string) (*uploads, *Error) {
	f := op.form
	if boundary == "" || len(boundary) > 70 || strings.ContainsAny(boundary, "\r\n") {
		return nil, &Error{Status: http.StatusBadRequest, Detail: "a multipart/form-data body needs a boundary parameter of 1 to 70 characters"}
	}
	if perr := contentCodingProblem(r); perr != nil {
		return nil, perr
	}
	if r.ContentLength > f.limit {
		return nil, tooLarge(f.limit)
	}
	st.body = limitedBody{r: r.Body, left: f.limit}
	fr := &formReader{
		op: op, ctx: r.Context(), st: st, src: &errRecorder{r: &st.body}, values: url.Values{},
		files: make([][]*FormFile, len(f.files)), seen: make([]int, len(f.files)),
		u:       &uploads{log: op.api.cfg.Logger},
		memLeft: max(op.api.cfg.UploadMemoryBytes, 0),
		// Text values are held in memory: BodyLimit raised for large
		// files does not raise what they may take.
		textLimit: min(f.limit, op.api.cfg.MaxBodyBytes),
	}
	fr.textLeft = fr.textLimit
	fr.window.r = fr.src
	defer func() {
		// The caller removes the files on return; on a panic, which
		// would be a bug here, it never learns of them.
		if v := recover(); v != nil {
			fr.u.remove()
			panic(v)
		}
	}()
	mr := multipart.NewReader(&fr.window, boundary)
	for n := 1; ; n++ {
		part, perr := fr.nextPart(mr, n)
		if perr != nil {
			return fr.u, perr
		}
		if part == nil {
			break
		}
		if n > maxFormParts {
			return fr.u, &Error{Status: http.StatusRequestEntityTooLarge, Detail: fmt.Sprintf("the form has more than %d parts", maxFormParts)}
		}
		name := part.FormName()
		if name == "" {
			return fr.u, &Error{Status: http.StatusBadRequest, Detail: fmt.Sprintf("part %d of the multipart body has no Content-Disposition: form-data with a name", n)}
		}
		if i, ok := f.fileIndex[name]; ok {
			perr = fr.readFile(i, part)
		} else {
			perr = fr.readText(name, part)
		}
		if perr != nil {
			return fr.u, perr
		}
	}
	return fr.u, op.bindForm(st, in, fr.values, fr)
}

// readProblem is the problem of a failure to read the body.
func (fr *formReader) readProblem(err error) *Error {
	limit := fr.op.form.limit
	switch {
	case errors.Is(err, errBodyTooLarge) || isMaxBytes(err) || errors.Is(fr.src.err, errBodyTooLarge) || isMaxBytes(fr.src.err):
		return tooLarge(limit)
	case fr.src.err != nil:
		return &Error{Status: http.StatusBadRequest, Detail: "the body could not be read", err: fr.src.err}
	}
	return &Error{Status: http.StatusBadRequest, Detail: "the body is not a valid multipart form: " + multipartSyntax(err), err: err}
}

// multipartSyntax says what is wrong with a malformed multipart body in
// words of its own: mime/multipart's errors name the package ("multipart:
// NextPart: ...") and quote whole lines of the body.
func multipartSyntax(err error) string {
	var proto textproto.ProtocolError
	switch msg := err.Error(); {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "it ends before its closing boundary"
	case errors.Is(err, bufio.ErrBufferFull):
		return "a line where a boundary was expected is longer than 4096 bytes"
	case errors.Is(err, multipart.ErrMessageTooLarge):
		return "a part's header has too many lines"
	case errors.As(err, &proto) || strings.Contains(msg, "MIME header"):
		return "a part's header is malformed"
	case strings.Contains(msg, "expecting a new Part") || strings.Contains(msg, "unexpected line"):
		return "a part's content is not followed by a boundary line"
	}
	return "it is malformed"
}

// readText reads a text part into the form's values; an unknown field's
// value is not kept, only its name, for bindForm to report.
func (fr *formReader) readText(name string, part *multipart.Part) *Error {
	if _, known := fr.op.form.schema.Properties[name]; !known {
		if err := fr.discard(part); err != nil {
			return err
		}
		fr.values[name] = append(fr.values[name], "")
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(part, fr.textLeft+1))
	if err != nil {
		return fr.readProblem(err)
	}
	if int64(len(b)) > fr.textLeft {
		return fr.textTooLarge()
	}
	fr.textLeft -= int64(len(b))
	fr.values[name] = append(fr.values[name], string(b))
	return nil
}

// discard reads past the rest of a part.
func (fr *formReader) discard(part *multipart.Part) *Error {
	if _, err := io.Copy(io.Discard, part); err != nil {
		return fr.readProblem(err)
	}
	return nil
}

// readFile checks and stores one part of file field i. Failures of the
// file's count or content type are reported, and the part is skipped. An
// empty part without a file name is no file: what browsers send for a
// file input left empty.
func (fr *formReader) readFile(i int, part *multipart.Part) *Error {
	fp := &fr.op.form.files[i]
	filename := part.FileName()
	var content io.Reader = part
	if filename == "" {
		var first [1]byte
		switch n, err := io.ReadFull(part, first[:]); {
		case n == 0 && err == io.EOF:
			return nil
		case n == 0:
			return fr.readProblem(err)
		}
		content = io.MultiReader(bytes.NewReader(first[:]), part)
	}
	index := fr.seen[i]
	fr.seen[i]++
	ct := part.Header.Get("Content-Type")
	if ct == "" {
		ct = "application/octet-stream"
	}
	path, errs := &fr.st.path, &fr.st.errs
	switch {
	case fp.maxItems > 0 && len(fr.files[i]) >= fp.maxItems:
		if len(fr.files[i]) == index { // once per field
			path.SetParam(fp.name, "form")
			if fp.many {
				errs.Report(path, "maxItems", fmt.Sprintf("takes at most %d files", fp.maxItems))
			} else {
				errs.Report(path, "maxItems", "takes one file; send the others under another name")
			}
		}
		return fr.discard(part)
	case !fp.accepts(ct):
		fr.filePath(fp, index)
		detail := fmt.Sprintf("the file's content type must be %s, not %s", strings.Join(fp.accept, " or "), verr.Clip(ct, verr.MaxEcho))
		if len(ct) <= 100 {
			errs.ReportValue(path, "contentMediaType", detail, ct)
		} else {
			errs.Report(path, "contentMediaType", detail)
		}
		return fr.discard(part)
	}
	f := &FormFile{Filename: filename, ContentType: ct, Header: part.Header}
	fr.u.files = append(fr.u.files, f)
	if perr := fr.store(fp, f, content); perr != nil {
		return perr
	}
	fr.files[i] = append(fr.files[i], f)
	return nil
}

// filePath points st.path at the index-th file of fp.
func (fr *formReader) filePath(fp *filePlan, index int) {
	path := &fr.st.path
	if !fp.many {
		path.SetParam(fp.name, "form")
		return
	}
	path.SetBody()
	path.Push(fp.name)
	path.PushIndex(index)
}

// store reads a file's content into memory, or into a temporary file
// once the request's memory budget is spent.
func (fr *formReader) store(fp *filePlan, f *FormFile, content io.Reader) *Error {
	inMemory := fr.memLeft
	if fp.maxBytes > 0 && fp.maxBytes < inMemory {
		inMemory = fp.maxBytes
	}
	var head bytes.Buffer
	if _, err := head.ReadFrom(io.LimitReader(content, inMemory+1)); err != nil {
		return fr.readProblem(err)
	}
	if int64(head.Len()) <= inMemory {
		f.data, f.Size = head.Bytes(), int64(head.Len())
		fr.memLeft -= f.Size
		return nil
	}
	if fp.maxBytes > 0 && int64(head.Len()) > fp.maxBytes {
		return fr.fileTooLarge(fp)
	}
	tmp, err := os.CreateTemp("", "roux-upload-*")
	if err != nil {
		return fr.spoolFailed(err)
	}
	f.file = tmp // f is in fr.u already: removed whatever happens next
	if _, err := tmp.Write(head.Bytes()); err != nil {
		return fr.spoolFailed(err)
	}
	f.Size = int64(head.Len())
	if fr.buf == nil {
		fr.buf = make([]byte, 32<<10)
	}
	for {
		n, rerr := content.Read(fr.buf)
		if n > 0 {
			f.Size += int64(n)
			if fp.maxBytes > 0 && f.Size > fp.maxBytes {
				return fr.fileTooLarge(fp)
			}
			if _, err := tmp.Write(fr.buf[:n]); err != nil {
				return fr.spoolFailed(err)
			}
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return fr.readProblem(rerr)
		}
	}
}

// fileTooLarge is the 413 of a file over its field's maxBytes.
func (fr *formReader) fileTooLarge(fp *filePlan) *Error {
	detail := fmt.Sprintf("form field %q: the file is larger than the limit of %d bytes", fp.name, fp.maxBytes)
	pointer := "/" + fp.name
	if strings.ContainsAny(fp.name, "~/") {
		pointer = "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(fp.name)
	}
	return &Error{Status: http.StatusRequestEntityTooLarge, Detail: detail, Errors: []ErrorDetail{{
		Detail: fmt.Sprintf("the file is larger than the limit of %d bytes", fp.maxBytes), Pointer: &pointer, Code: "maxBytes",
	}}}
}

// spoolFailed logs a failure to write a temporary file, the server's
// fault, and returns the 500 that answers it.
func (fr *formReader) spoolFailed(err error) *Error {
	fr.op.api.cfg.Logger.LogAttrs(fr.ctx, slog.LevelError, "roux: writing an upload to a temporary file", attrOp(fr.op.id), attrErr(err))
	return &Error{Status: http.StatusInternalServerError, Detail: "the server failed to store an uploaded file", err: err}
}

// bindFiles stores each file field's files in the Form at base and
// reports missing and too few files. fr is nil when no body was sent.
func (f *formPlan) bindFiles(st *state, base unsafe.Pointer, fr *formReader) {
	for i := range f.files {
		fp := &f.files[i]
		var files []*FormFile
		sent := 0
		if fr != nil {
			files, sent = fr.files[i], fr.seen[i]
		}
		switch {
		case sent > 0 && len(files) == 0:
			continue // every file was refused, and reported
		case len(files) == 0 && fp.required:
			st.path.SetParam(fp.name, "form")
			st.errs.Report(&st.path, "required", fmt.Sprintf("required form field %q is missing; send a file", fp.name))
			continue
		case len(files) > 0 && len(files) < fp.minItems:
			st.path.SetParam(fp.name, "form")
			st.errs.Report(&st.path, "minItems", fmt.Sprintf("takes at least %d files", fp.minItems))
		}
		if len(files) == 0 {
			continue
		}
		if fp.many {
			*(*[]*FormFile)(unsafe.Add(base, fp.offset)) = files
		} else {
			*(**FormFile)(unsafe.Add(base, fp.offset)) = files[0]
		}
	}
}
