package client_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/client"
)

type AlbumIn struct {
	Album string `path:"album"`
	Form  struct {
		Title  string           `form:"title" required:"true" minLength:"1"`
		Tags   []string         `form:"tag"`
		Cover  *roux.FormFile   `form:"cover" required:"true" contentType:"image/png,image/jpeg" maxBytes:"1048576"`
		Photos []*roux.FormFile `form:"photo" maxItems:"3"`
	}
}

type FileInfo struct {
	Field  string `json:"field"`
	Name   string `json:"name"`
	Type   string `json:"type"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

type Album struct {
	Album string     `json:"album"`
	Title string     `json:"title"`
	Tags  []string   `json:"tags"`
	Files []FileInfo `json:"files"`
}

type ForwardIn struct {
	Form struct {
		Cover *roux.FormFile `form:"cover" required:"true"`
	}
}

// albums is an API that takes uploads and describes what it received.
type albums struct {
	c       *client.Client
	post    *roux.Operation[AlbumIn, Album]
	put     *roux.Operation[AlbumIn, Album]
	forward *roux.Operation[ForwardIn, Album]
	puts    atomic.Int32
	posts   atomic.Int32
}

func newAlbums(t *testing.T) *albums {
	api := roux.New(roux.Config{Title: "Albums", Version: "1.0.0"})
	a := &albums{}
	describe := func(ctx context.Context, in *AlbumIn) (*Album, error) {
		out := &Album{Album: in.Album, Title: in.Form.Title, Tags: in.Form.Tags}
		for _, f := range append([]*roux.FormFile{in.Form.Cover}, in.Form.Photos...) {
			field := "photo"
			if f == in.Form.Cover {
				field = "cover"
			}
			info, err := infoOf(field, f)
			if err != nil {
				return nil, err
			}
			out.Files = append(out.Files, info)
		}
		return out, nil
	}
	big := roux.BodyLimit(64 << 20)
	a.post = roux.Post(api, "/albums/{album}", func(ctx context.Context, in *AlbumIn) (*Album, error) {
		a.posts.Add(1)
		return describe(ctx, in)
	}, big)
	// put answers 503 to its first call, which a retry would repeat.
	a.put = roux.Put(api, "/albums/{album}", func(ctx context.Context, in *AlbumIn) (*Album, error) {
		if a.puts.Add(1) == 1 {
			return nil, roux.NewError(http.StatusServiceUnavailable, "busy").WithHeader("Retry-After", "0")
		}
		return describe(ctx, in)
	}, big, roux.Response(http.StatusServiceUnavailable, "Busy", struct {
		RetryAfter string `header:"Retry-After"`
	}{}))
	// forward sends the file it received on to post, as it received it.
	a.forward = roux.Post(api, "/forward", func(ctx context.Context, in *ForwardIn) (*Album, error) {
		in2 := &AlbumIn{Album: "forwarded"}
		in2.Form.Title = "from forward"
		in2.Form.Cover = in.Form.Cover
		return client.Call(ctx, a.c, a.post, in2)
	})
	srv := newServer(t, api)
	a.c = client.New(srv.URL, client.HTTPClient(srv.Client()))
	return a
}

func infoOf(field string, f *roux.FormFile) (FileInfo, error) {
	r, err := f.Open()
	if err != nil {
		return FileInfo{}, err
	}
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return FileInfo{}, err
	}
	return FileInfo{Field: field, Name: f.Filename, Type: f.ContentType, Size: f.Size, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// zeros is a reader of n zero bytes (forever when n < 0) that counts
// what it gave.
type zeros struct {
	n    int64
	read atomic.Int64
}

func (z *zeros) Read(p []byte) (int, error) {
	if z.n >= 0 {
		left := z.n - z.read.Load()
		if left <= 0 {
			return 0, io.EOF
		}
		p = p[:min(int64(len(p)), left)]
	}
	clear(p)
	z.read.Add(int64(len(p)))
	return len(p), nil
}

// failing reads some bytes, then fails.
type failing struct{ n int }

var errDisk = errors.New("disk on fire")

func (f *failing) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errDisk
	}
	n := min(len(p), f.n)
	f.n -= n
	return n, nil
}

func TestUpload(t *testing.T) {
	t.Parallel()
	a := newAlbums(t)
	png := bytes.Repeat([]byte("png!"), 1000)
	const bigSize = 8 << 20
	in := &AlbumIn{Album: "summer"}
	in.Form.Title = "Summer"
	in.Form.Tags = []string{"sea", "sun"}
	in.Form.Cover = roux.FileUpload("cover.png", "image/png", bytes.NewReader(png))
	in.Form.Photos = []*roux.FormFile{
		roux.FileUpload(`quote".txt`, "", strings.NewReader("hello")),
		roux.FileUpload("big.bin", "application/x-zeros", &zeros{n: bigSize}),
	}
	got, err := client.Call(ctx(t), a.c, a.post, in)
	if err != nil {
		t.Fatal(err)
	}
	want := &Album{Album: "summer", Title: "Summer", Tags: []string{"sea", "sun"}, Files: []FileInfo{
		{Field: "cover", Name: "cover.png", Type: "image/png", Size: int64(len(png)), SHA256: sum(png)},
		{Field: "photo", Name: `quote".txt`, Type: "application/octet-stream", Size: 5, SHA256: sum([]byte("hello"))},
		{Field: "photo", Name: "big.bin", Type: "application/x-zeros", Size: bigSize, SHA256: sum(make([]byte, bigSize))},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestUploadFailures(t *testing.T) {
	t.Parallel()
	a := newAlbums(t)
	album := func(cover *roux.FormFile, title string) *AlbumIn {
		in := &AlbumIn{Album: "a"}
		in.Form.Title, in.Form.Cover = title, cover
		return in
	}
	endless := &zeros{n: -1}
	for _, tt := range []struct {
		name    string
		in      *AlbumIn
		opts    []client.Option
		status  int    // of the *roux.Error; 0: not one
		is      error  // errors.Is
		message string // a substring
		sent    bool   // whether the server was called
	}{
		{"a type the field does not accept", album(roux.FileUpload("a.gif", "image/gif", strings.NewReader("GIF89a")), "t"), nil,
			http.StatusUnprocessableEntity, nil, "contentMediaType", false},
		{"a file over maxBytes, read no further", album(roux.FileUpload("a.png", "image/png", endless), "t"), nil,
			http.StatusRequestEntityTooLarge, nil, "cover", false},
		{"a required file missing", album(nil, "t"), nil,
			http.StatusUnprocessableEntity, nil, `required form field "cover" is missing`, false},
		{"a reader that fails", album(roux.FileUpload("a.png", "image/png", &failing{n: 100 << 10}), "t"), nil,
			0, errDisk, "disk on fire", false},
		{"a line break in a file name", album(roux.FileUpload("a\r\nX-Evil: 1", "image/png", strings.NewReader("x")), "t"), nil,
			0, client.ErrInvalid, "line break", false},
		{"a malformed content type", album(roux.FileUpload("a.png", "image/", strings.NewReader("x")), "t"), nil,
			0, client.ErrInvalid, "content type", false},
		{"a text field validated before sending", album(roux.FileUpload("a.png", "image/png", strings.NewReader("x")), ""),
			[]client.Option{client.Validation()}, http.StatusUnprocessableEntity, client.ErrInvalid, `form field "title": must be at least 1 character long`, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := a.posts.Load()
			_, err := client.Call(ctx(t), a.c, a.post, tt.in, tt.opts...)
			var pe *roux.Error
			switch {
			case err == nil:
				t.Fatal("no error")
			case tt.status != 0 && (!errors.As(err, &pe) || pe.Status != tt.status):
				t.Errorf("got %v, want a *roux.Error of status %d", err, tt.status)
			case tt.is != nil && !errors.Is(err, tt.is):
				t.Errorf("got %v, want one wrapping %v", err, tt.is)
			}
			msg := err.Error()
			if pe != nil {
				for _, e := range pe.Errors {
					msg += " " + e.Detail + " " + e.Code
				}
			}
			if !strings.Contains(msg, tt.message) {
				t.Errorf("got %q, want it to mention %q", msg, tt.message)
			}
			if called := a.posts.Load() != before; called != tt.sent {
				t.Errorf("handler called: %v, want %v", called, tt.sent)
			}
		})
	}
	// Call has returned: the endless reader is read no more, and the
	// server stopped it soon after its limit.
	n := endless.read.Load()
	if n > 16<<20 {
		t.Errorf("%d bytes of an upload with a limit of 1 MiB were read", n)
	}
	for range 3 {
		if _, err := endless.Read(make([]byte, 1)); err != nil || endless.read.Load() != n+1 {
			t.Fatalf("the reader was read after Call returned")
		}
		n++
	}
}

// A file a server received can be sent on as it is, read through Open.
func TestUploadForward(t *testing.T) {
	t.Parallel()
	a := newAlbums(t)
	in := &ForwardIn{}
	in.Form.Cover = roux.FileUpload("f.jpg", "image/jpeg", strings.NewReader("jpeg"))
	got, err := client.Call(ctx(t), a.c, a.forward, in)
	if err != nil {
		t.Fatal(err)
	}
	want := &Album{Album: "forwarded", Title: "from forward", Tags: []string{}, Files: []FileInfo{
		{Field: "cover", Name: "f.jpg", Type: "image/jpeg", Size: 4, SHA256: sum([]byte("jpeg"))},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// An upload is streamed once: a call with one is not retried.
func TestUploadNotRetried(t *testing.T) {
	t.Parallel()
	a := newAlbums(t)
	in := &AlbumIn{Album: "a"}
	in.Form.Title = "t"
	in.Form.Cover = roux.FileUpload("a.png", "image/png", strings.NewReader("png"))
	_, err := client.Call(ctx(t), a.c, a.put, in, client.Retry(3))
	var pe *roux.Error
	if !errors.As(err, &pe) || pe.Status != http.StatusServiceUnavailable || a.puts.Load() != 1 {
		t.Errorf("got %v after %d attempts, want the 503 of the one attempt", err, a.puts.Load())
	}
}

func TestFileUploadOpen(t *testing.T) {
	t.Parallel()
	f := roux.FileUpload("a.txt", "", strings.NewReader("x"))
	if _, err := f.Open(); err == nil || !strings.Contains(err.Error(), "FileUpload") {
		t.Errorf("Open: got %v, want an error naming FileUpload", err)
	}
	if f.ContentType != "application/octet-stream" || f.Filename != "a.txt" || f.Size != 0 {
		t.Errorf("got %+v", f)
	}
}
