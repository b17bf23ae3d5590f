package client_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/client"
)

type FileIn struct {
	Name string `path:"name" enum:"data.bin,changing.bin,bare.bin"`
}

type Report struct {
	Kind string `header:"X-Kind"`
	Body *roux.File
}

// files is an API that serves roux.Files, and counts the range requests
// it gets.
type files struct {
	c       *client.Client
	get     *roux.Operation[FileIn, roux.File]
	render  *roux.Operation[struct{}, roux.File]
	report  *roux.Operation[struct{}, Report]
	content []byte
	modTime time.Time

	mu     sync.Mutex
	ranges []string // the Range and If-Range of each range request
	gets   map[string]int
}

func newFiles(t *testing.T) *files {
	api := roux.New(roux.Config{Title: "Files", Version: "1.0.0"})
	f := &files{content: make([]byte, 100_000), modTime: time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC), gets: map[string]int{}}
	for i := range f.content {
		f.content[i] = byte(i % 251)
	}
	f.get = roux.Get(api, "/files/{name}", func(ctx context.Context, in *FileIn) (*roux.File, error) {
		f.mu.Lock()
		f.gets[in.Name]++
		n := f.gets[in.Name]
		f.mu.Unlock()
		file := &roux.File{Content: bytes.NewReader(f.content), Name: in.Name, Attachment: true}
		switch in.Name {
		case "data.bin":
			file.ETag, file.ModTime = `"v1"`, f.modTime
		case "changing.bin":
			file.ETag = `"v` + string(rune('0'+n)) + `"`
		}
		return file, nil
	})
	f.render = roux.Post(api, "/render", func(ctx context.Context, in *struct{}) (*roux.File, error) {
		return &roux.File{Content: bytes.NewReader(f.content), Name: "render.bin", ETag: `"r"`}, nil
	})
	f.report = roux.Get(api, "/report", func(ctx context.Context, in *struct{}) (*Report, error) {
		return &Report{Kind: "monthly", Body: &roux.File{Content: strings.NewReader("a,b\n"), Name: "report.csv"}}, nil
	})
	mux := http.NewServeMux()
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rg := r.Header.Get("Range"); rg != "" {
			f.mu.Lock()
			f.ranges = append(f.ranges, rg+" if "+r.Header.Get("If-Range"))
			f.mu.Unlock()
		}
		api.ServeHTTP(w, r)
	}))
	srv := newServer(t, mux)
	f.c = client.New(srv.URL, client.HTTPClient(srv.Client()))
	return f
}

func (f *files) rangeRequests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.ranges...)
}

func TestFileDownload(t *testing.T) {
	t.Parallel()
	f := newFiles(t)
	got, err := client.Call(ctx(t), f.c, f.get, &FileIn{Name: "data.bin"})
	if err != nil {
		t.Fatal(err)
	}
	rc := got.Content.(io.ReadSeekCloser)
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil || !bytes.Equal(b, f.content) {
		t.Fatalf("read %d bytes (%v), want the %d of the file", len(b), err, len(f.content))
	}
	got.Content = nil
	want := &roux.File{Name: "data.bin", ETag: `"v1"`, ModTime: f.modTime, ContentType: "application/octet-stream", Attachment: true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if r := f.rangeRequests(); len(r) != 0 {
		t.Errorf("range requests %q, want none", r)
	}
}

// Seeking reads on with range requests, on the condition of the ETag;
// seeking to the end and back (to learn the size) costs none.
func TestFileSeek(t *testing.T) {
	t.Parallel()
	f := newFiles(t)
	got, err := client.Call(ctx(t), f.c, f.get, &FileIn{Name: "data.bin"})
	if err != nil {
		t.Fatal(err)
	}
	rs := got.Content.(io.ReadSeekCloser)
	defer rs.Close()
	read := func(n int) []byte {
		t.Helper()
		b := make([]byte, n)
		if _, err := io.ReadFull(rs, b); err != nil {
			t.Fatalf("read: %v", err)
		}
		return b
	}
	seek := func(off int64, whence int, want int64) {
		t.Helper()
		if pos, err := rs.Seek(off, whence); err != nil || pos != want {
			t.Fatalf("Seek(%d, %d): got %d, %v; want %d", off, whence, pos, err, want)
		}
	}
	seek(0, io.SeekEnd, 100_000)
	seek(0, io.SeekStart, 0)
	if b := read(10); !bytes.Equal(b, f.content[:10]) {
		t.Errorf("first 10 bytes: got %v", b)
	}
	seek(50_000, io.SeekStart, 50_000)
	if b := read(100); !bytes.Equal(b, f.content[50_000:50_100]) {
		t.Errorf("bytes from 50000: got %v", b[:10])
	}
	if b := read(100); !bytes.Equal(b, f.content[50_100:50_200]) {
		t.Errorf("the next ones: got %v", b[:10])
	}
	seek(-10, io.SeekEnd, 99_990)
	if b, err := io.ReadAll(rs); err != nil || !bytes.Equal(b, f.content[99_990:]) {
		t.Errorf("the last 10 bytes: got %v, %v", b, err)
	}
	seek(5, io.SeekEnd, 100_005)
	if n, err := rs.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("past the end: got %d, %v; want io.EOF", n, err)
	}
	want := []string{`bytes=50000- if "v1"`, `bytes=99990- if "v1"`}
	if diff := cmp.Diff(want, f.rangeRequests()); diff != "" {
		t.Errorf("range requests (-want +got):\n%s", diff)
	}
	if _, err := rs.Seek(-1, io.SeekStart); err == nil {
		t.Error("a seek to a negative offset succeeded")
	}
	rs.Close()
	if _, err := rs.Read(make([]byte, 1)); err == nil {
		t.Error("a read after Close succeeded")
	}
}

func TestFileSeekRefused(t *testing.T) {
	t.Parallel()
	f := newFiles(t)
	for _, tt := range []struct {
		name string
		call func() (*roux.File, error)
		want string
	}{
		{"the file changed", func() (*roux.File, error) { return client.Call(ctx(t), f.c, f.get, &FileIn{Name: "changing.bin"}) },
			"the file changed on the server since it was opened"},
		{"no ETag or Last-Modified", func() (*roux.File, error) { return client.Call(ctx(t), f.c, f.get, &FileIn{Name: "bare.bin"}) },
			"cannot read from offset 10"},
		{"not a GET", func() (*roux.File, error) { return client.Call(ctx(t), f.c, f.render, nil) },
			"cannot read from offset 10"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.call()
			if err != nil {
				t.Fatal(err)
			}
			rs := got.Content.(io.ReadSeekCloser)
			defer rs.Close()
			b := make([]byte, 5)
			if _, err := io.ReadFull(rs, b); err != nil || !bytes.Equal(b, f.content[:5]) {
				t.Fatalf("reading from the start: %v, %v", b, err)
			}
			rs.Seek(10, io.SeekStart)
			if _, err := rs.Read(b); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("read after a seek: got %v, want an error saying %q", err, tt.want)
			}
		})
	}
}

func TestFileEnvelopeAndRange(t *testing.T) {
	t.Parallel()
	f := newFiles(t)
	t.Run("envelope", func(t *testing.T) {
		got, err := client.Call(ctx(t), f.c, f.report, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer got.Body.Content.(io.Closer).Close()
		b, err := io.ReadAll(got.Body.Content)
		if err != nil || string(b) != "a,b\n" || got.Kind != "monthly" || got.Body.ContentType != "text/csv; charset=utf-8" {
			t.Errorf("got %+v %+v %q, %v", got, got.Body, b, err)
		}
	})
	t.Run("a range asked for", func(t *testing.T) {
		got, err := client.Call(ctx(t), f.c, f.get, &FileIn{Name: "data.bin"}, client.Header("Range", "bytes=10-19"))
		if err != nil {
			t.Fatal(err)
		}
		defer got.Content.(io.Closer).Close()
		b, err := io.ReadAll(got.Content)
		if err != nil || !bytes.Equal(b, f.content[10:20]) {
			t.Errorf("got %v, %v", b, err)
		}
	})
	t.Run("a range outside the file", func(t *testing.T) {
		_, err := client.Call(ctx(t), f.c, f.get, &FileIn{Name: "data.bin"}, client.Header("Range", "bytes=200000-"))
		var pe *roux.Error
		if !errors.As(err, &pe) || pe.Status != http.StatusRequestedRangeNotSatisfiable {
			t.Errorf("got %v, want a 416 *roux.Error", err)
		}
	})
}
