package roux_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/openapi"
	"github.com/roux-go/roux/rouxtest"
)

// upload is what the upload handlers answer: the form as they saw it.
type upload struct {
	Name  string     `json:"name,omitempty"`
	Count int        `json:"count,omitempty"`
	Files []fileSeen `json:"files,omitempty"`
	Temp  []string   `json:"temp,omitempty"` // temporary files present during the handler
	Note  *fileSeen  `json:"note,omitempty"`
}

type fileSeen struct {
	Field       string `json:"field"`
	Filename    string `json:"filename"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size"`
	Content     string `json:"content"`
}

func seeFile(t testing.TB, field string, f *roux.FormFile) fileSeen {
	r, err := f.Open()
	if err != nil {
		t.Errorf("Open: %v", err)
		return fileSeen{}
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Errorf("reading %s: %v", field, err)
	}
	return fileSeen{field, f.Filename, f.ContentType, f.Size, string(b)}
}

type avatarForm struct {
	Name   string         `form:"name" required:"true" minLength:"1"`
	Avatar *roux.FormFile `form:"avatar" required:"true" contentType:"image/png,image/jpeg" maxBytes:"1000" doc:"A small picture"`
	Note   *roux.FormFile `form:"note"`
}

type albumForm struct {
	Title  string           `form:"title" maxLength:"20"`
	Count  int              `form:"count" minimum:"1"`
	Photos []*roux.FormFile `form:"photo" contentType:"image/*" minItems:"1" maxItems:"3"`
	Any    []*roux.FormFile `form:"any"`
}

type spoolForm struct {
	File  *roux.FormFile   `form:"file"`
	Files []*roux.FormFile `form:"files"`
	Panic bool             `form:"panic"`
	PDF   *roux.FormFile   `form:"pdf" contentType:"application/pdf" deprecated:"true"`
}

// uploadAPI serves the upload operations; tempDir is where the spooling
// handler looks for temporary files ("" when the test does not look), and
// files, when not nil, receives the files it saw; only then does it panic
// when asked to.
func uploadAPI(t testing.TB, cfg roux.Config, tempDir string, files chan<- *roux.FormFile) *roux.API {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	api := roux.New(cfg)
	roux.Post(api, "/avatar", func(ctx context.Context, in *struct{ Form avatarForm }) (*upload, error) {
		out := &upload{Name: in.Form.Name, Files: []fileSeen{seeFile(t, "avatar", in.Form.Avatar)}}
		if in.Form.Note != nil {
			n := seeFile(t, "note", in.Form.Note)
			out.Note = &n
		}
		return out, nil
	}, roux.Summary("Upload an avatar"))
	roux.Post(api, "/album", func(ctx context.Context, in *struct{ Form albumForm }) (*upload, error) {
		out := &upload{Name: in.Form.Title, Count: in.Form.Count}
		for _, f := range in.Form.Photos {
			out.Files = append(out.Files, seeFile(t, "photo", f))
		}
		for _, f := range in.Form.Any {
			out.Files = append(out.Files, seeFile(t, "any", f))
		}
		return out, nil
	}, roux.BodyLimit(64<<10))
	roux.Post(api, "/spool", func(ctx context.Context, in *struct{ Form spoolForm }) (*upload, error) {
		out := &upload{Temp: tempFiles(t, tempDir)}
		for _, f := range append([]*roux.FormFile{in.Form.File}, in.Form.Files...) {
			if f == nil {
				continue
			}
			out.Files = append(out.Files, seeFile(t, "file", f))
			if files != nil {
				files <- f
			}
		}
		if in.Form.Panic && files != nil { // only where a test expects it: never while fuzzing
			panic("the handler failed")
		}
		return out, nil
	}, roux.BodyLimit(8<<20))
	return api
}

// tempFiles lists the upload temporary files in dir.
func tempFiles(t testing.TB, dir string) []string {
	if dir == "" {
		return nil
	}
	names, err := filepath.Glob(filepath.Join(dir, "roux-upload-*"))
	if err != nil {
		t.Errorf("listing %s: %v", dir, err)
	}
	return names
}

type part struct {
	name, filename, contentType, content string
}

// file is a file part; text parts have no file name.
func file(name, filename, contentType, content string) part {
	return part{name, filename, contentType, content}
}

func text(name, value string) part { return part{name: name, content: value} }

// multipartBody builds a multipart/form-data body and its Content-Type.
func multipartBody(t testing.TB, parts ...part) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		cd := fmt.Sprintf(`form-data; name=%q`, p.name)
		if p.filename != "" || p.contentType != "" {
			cd += fmt.Sprintf(`; filename=%q`, p.filename)
		}
		h.Set("Content-Disposition", cd)
		if p.contentType != "" {
			h.Set("Content-Type", p.contentType)
		}
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(pw, p.content)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), w.FormDataContentType()
}

// postForm sends body to srv over loopback and returns the status and body.
func postForm(t testing.TB, srv *httptest.Server, path, contentType string, body []byte) (int, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	got, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, got
}

// failures lists a 422 problem's errors as "pointer:code".
func failures(t testing.TB, body []byte) []string {
	t.Helper()
	var p roux.Error
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("not a problem: %s", body)
	}
	var out []string
	for _, e := range p.Errors {
		if e.Pointer == nil {
			t.Errorf("a form failure without a pointer: %+v", e)
			continue
		}
		out = append(out, *e.Pointer+":"+e.Code)
	}
	slices.Sort(out)
	return out
}

func TestMultipartUploads(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(uploadAPI(t, roux.Config{}, "", nil))
	defer srv.Close()
	png := strings.Repeat("P", 1000)
	for _, tt := range []struct {
		name  string
		path  string
		parts []part
		want  upload
	}{
		{"one file and a text field", "/avatar", []part{text("name", "Ann"), file("avatar", "me.png", "image/png", "PNG")},
			upload{Name: "Ann", Files: []fileSeen{{"avatar", "me.png", "image/png", 3, "PNG"}}}},
		{"file first, at its size limit", "/avatar", []part{file("avatar", "me.jpg", "image/jpeg", png), text("name", "Ann")},
			upload{Name: "Ann", Files: []fileSeen{{"avatar", "me.jpg", "image/jpeg", 1000, png}}}},
		{"content type with parameters and upper case", "/avatar", []part{text("name", "Ann"), file("avatar", "a.png", "Image/PNG; q=1", "x")},
			upload{Name: "Ann", Files: []fileSeen{{"avatar", "a.png", "Image/PNG; q=1", 1, "x"}}}},
		{"file name reduced to its base", "/avatar", []part{text("name", "Ann"), file("avatar", "../../etc/me.png", "image/png", "x")},
			upload{Name: "Ann", Files: []fileSeen{{"avatar", "me.png", "image/png", 1, "x"}}}},
		{"optional file left empty by a browser", "/avatar", []part{text("name", "Ann"), file("avatar", "a.png", "image/png", "x"), file("note", "", "application/octet-stream", "")},
			upload{Name: "Ann", Files: []fileSeen{{"avatar", "a.png", "image/png", 1, "x"}}}},
		{"optional file sent", "/avatar", []part{text("name", "Ann"), file("avatar", "a.png", "image/png", "x"), text("note", "plain")},
			upload{Name: "Ann", Files: []fileSeen{{"avatar", "a.png", "image/png", 1, "x"}}, Note: &fileSeen{"note", "", "application/octet-stream", 5, "plain"}}},
		{"many files in order, wildcard types, mixed fields", "/album", []part{
			file("photo", "1.png", "image/png", "one"), text("title", "Holiday"), file("photo", "2.gif", "image/gif", "two"),
			text("count", "2"), file("any", "notes.txt", "", "anything"), file("photo", "3.webp", "image/webp", ""),
		}, upload{Name: "Holiday", Count: 2, Files: []fileSeen{
			{"photo", "1.png", "image/png", 3, "one"}, {"photo", "2.gif", "image/gif", 3, "two"}, {"photo", "3.webp", "image/webp", 0, ""},
			{"any", "notes.txt", "application/octet-stream", 8, "anything"},
		}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body, ct := multipartBody(t, tt.parts...)
			status, got := postForm(t, srv, tt.path, ct, body)
			if status != http.StatusOK {
				t.Fatalf("got %d %s", status, got)
			}
			var u upload
			if err := json.Unmarshal(got, &u); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, u); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestMultipartFailures(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(uploadAPI(t, roux.Config{}, "", nil))
	defer srv.Close()
	avatar := file("avatar", "a.png", "image/png", "x")
	for _, tt := range []struct {
		name   string
		path   string
		parts  []part
		status int
		want   []string // 422 failures, or the problem detail's start for others
	}{
		{"missing required file and field", "/avatar", nil, 422, []string{"/avatar:required", "/name:required"}},
		{"text field where a file is required", "/avatar", []part{text("name", "Ann"), text("avatar", "")}, 422, []string{"/avatar:required"}},
		{"content type not accepted", "/avatar", []part{text("name", "Ann"), file("avatar", "a.txt", "text/plain", "x")}, 422, []string{"/avatar:contentMediaType"}},
		{"no content type is octet-stream", "/avatar", []part{text("name", "Ann"), file("avatar", "a.png", "", "x")}, 422, []string{"/avatar:contentMediaType"}},
		{"wildcard refuses another type", "/album", []part{file("photo", "1.png", "image/png", "x"), file("photo", "2.pdf", "application/pdf", "x")}, 422, []string{"/photo/1:contentMediaType"}},
		{"two files for one", "/avatar", []part{text("name", "Ann"), avatar, avatar}, 422, []string{"/avatar:maxItems"}},
		{"too many files", "/album", []part{file("photo", "", "image/png", "1"), file("photo", "", "image/png", "2"), file("photo", "", "image/png", "3"), file("photo", "", "image/png", "4"), file("photo", "", "image/png", "5")}, 422, []string{"/photo:maxItems"}},
		{"too few files", "/album", []part{text("title", "x"), file("any", "", "", "x")}, 200, nil}, // absent and optional: not counted
		{"unknown fields", "/avatar", []part{text("name", "Ann"), avatar, file("other", "x.bin", "", "data"), text("extra", "1")}, 422, []string{"/extra:additionalProperties", "/other:additionalProperties"}},
		{"text field values bound as today", "/album", []part{text("title", strings.Repeat("t", 21)), text("count", "zero"), file("photo", "", "image/png", "x")}, 422, []string{"/count:type", "/title:maxLength"}},
		{"file over maxBytes", "/avatar", []part{text("name", "Ann"), file("avatar", "a.png", "image/png", strings.Repeat("x", 1001))}, 413, []string{`form field "avatar": the file is larger than the limit of 1000 bytes`}},
		{"body over the operation's limit", "/album", []part{file("photo", "", "image/png", strings.Repeat("x", 65<<10))}, 413, []string{"the body is larger than the limit of 65536 bytes"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body, ct := multipartBody(t, tt.parts...)
			status, got := postForm(t, srv, tt.path, ct, body)
			if status != tt.status {
				t.Fatalf("got %d %s, want %d", status, got, tt.status)
			}
			switch status {
			case 200:
			case 422:
				if f := failures(t, got); !slices.Equal(f, tt.want) {
					t.Errorf("got %v, want %v", f, tt.want)
				}
			default:
				var p roux.Error
				if err := json.Unmarshal(got, &p); err != nil || !strings.HasPrefix(p.Detail, tt.want[0]) {
					t.Errorf("got %s, want detail %q", got, tt.want[0])
				}
			}
		})
	}
	t.Run("echoes the refused content type", func(t *testing.T) {
		body, ct := multipartBody(t, text("name", "Ann"), file("avatar", "a.txt", "text/plain", "x"))
		_, got := postForm(t, srv, "/avatar", ct, body)
		if !strings.Contains(string(got), `"value":"text/plain"`) || !strings.Contains(string(got), "image/png or image/jpeg") {
			t.Errorf("got %s", got)
		}
	})
}

// TestMultipartMalformed sends bodies that are not multipart forms, or
// not well-formed ones: each is a 4xx problem.
func TestMultipartMalformed(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(uploadAPI(t, roux.Config{}, "", nil))
	defer srv.Close()
	good, goodCT := multipartBody(t, text("name", "Ann"), file("avatar", "a.png", "image/png", "x"))
	boundary := strings.TrimPrefix(goodCT, "multipart/form-data; boundary=")
	for _, tt := range []struct {
		name, path, ct, body string
		status               int
	}{
		{"json", "/avatar", "application/json", `{"name":"Ann"}`, 415},
		{"urlencoded for a form with files", "/avatar", "application/x-www-form-urlencoded", "name=Ann", 415},
		{"no content type", "/avatar", "", string(good), 415},
		{"no boundary", "/avatar", "multipart/form-data", string(good), 400},
		{"boundary too long", "/avatar", "multipart/form-data; boundary=" + strings.Repeat("b", 71), string(good), 400},
		{"malformed content type", "/avatar", "multipart/form-data; boundary", string(good), 400},
		{"wrong boundary", "/avatar", "multipart/form-data; boundary=other", string(good), 400},
		{"truncated", "/avatar", goodCT, string(good[:len(good)-10]), 400},
		{"truncated in a part", "/avatar", goodCT, string(good[:len(good)/2]), 400},
		{"garbage", "/avatar", goodCT, "\x00\x01 not multipart at all", 400},
		{"part without a name", "/avatar", goodCT, "--" + boundary + "\r\nContent-Disposition: form-data\r\n\r\nx\r\n--" + boundary + "--\r\n", 400},
		{"part without disposition", "/avatar", goodCT, "--" + boundary + "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" + boundary + "--\r\n", 400},
		{"no parts at all", "/avatar", goodCT, "--" + boundary + "--\r\n", 422},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, got := postForm(t, srv, tt.path, tt.ct, []byte(tt.body))
			if status != tt.status {
				t.Errorf("got %d %s, want %d", status, got, tt.status)
			}
		})
	}
}

// TestMultipartChunked sends bodies of unknown length, as chunks.
func TestMultipartChunked(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(uploadAPI(t, roux.Config{}, "", nil))
	defer srv.Close()
	good, ct := multipartBody(t, text("name", "Ann"), file("avatar", "a.png", "image/png", "x"))
	for _, tt := range []struct {
		name   string
		chunks string
		status int
	}{
		{"a form", fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(good), good), 200},
		{"no byte at all", "0\r\n\r\n", 422},
		{"cut off", fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(good)/2, good[:len(good)/2]), 400},
	} {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.DialTimeout("tcp", srv.Listener.Addr().String(), 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(10 * time.Second))
			fmt.Fprintf(conn, "POST /avatar HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nTransfer-Encoding: chunked\r\n\r\n%s", ct, tt.chunks)
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			got, _ := io.ReadAll(res.Body)
			if res.StatusCode != tt.status {
				t.Errorf("got %d %s, want %d", res.StatusCode, got, tt.status)
			}
		})
	}
}

func TestMultipartTooManyParts(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(uploadAPI(t, roux.Config{}, "", nil))
	defer srv.Close()
	parts := make([]part, 1001)
	for i := range parts {
		parts[i] = text("files", "")
	}
	body, ct := multipartBody(t, parts...)
	if status, got := postForm(t, srv, "/spool", ct, body); status != http.StatusRequestEntityTooLarge {
		t.Errorf("got %d %s, want 413", status, got)
	}
}

// TestMultipartForPlainForms: a Form without files also takes
// multipart/form-data, bound the same way.
func TestMultipartForPlainForms(t *testing.T) {
	t.Parallel()
	c := rouxtest.New(t, formAPI())
	body, ct := multipartBody(t, text("grant_type", "password"), text("username", "ann"), text("password", "s3cret"), text("tag", "a"), text("tag", "b"))
	got := rouxtest.JSON[map[string]any](c.Post("/token", body, "Content-Type: "+ct), 200)
	if got["Username"] != "ann" || len(got["Tags"].([]any)) != 2 {
		t.Errorf("got %v", got)
	}
	body, ct = multipartBody(t, text("grant_type", "password"), text("username", "ann"), text("password", "x"), file("tag", "t.txt", "text/plain", "a"))
	if r := c.Post("/token", body, "Content-Type: "+ct); r.Status != 200 {
		t.Errorf("a text field sent as a file part: got %s", r)
	}
}

// TestMultipartTextLimit: text values are held in memory, so they are
// limited by Config.MaxBodyBytes even where BodyLimit allows more.
func TestMultipartTextLimit(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(uploadAPI(t, roux.Config{MaxBodyBytes: 1000}, "", nil))
	defer srv.Close()
	body, ct := multipartBody(t, text("panic", strings.Repeat("x", 1001)))
	if status, got := postForm(t, srv, "/spool", ct, body); status != http.StatusRequestEntityTooLarge || !strings.Contains(string(got), "text fields") {
		t.Errorf("got %d %s, want 413", status, got)
	}
	body, ct = multipartBody(t, file("file", "big.bin", "", strings.Repeat("x", 5000)))
	if status, got := postForm(t, srv, "/spool", ct, body); status != http.StatusOK {
		t.Errorf("a file beyond MaxBodyBytes within BodyLimit: got %d %s", status, got)
	}
}

// TestMultipartSpooling checks that files beyond the memory budget go to
// temporary files, readable during the handler and removed after it,
// whether it succeeded, panicked or never ran.
func TestMultipartSpooling(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	files := make(chan *roux.FormFile, 10)
	api := uploadAPI(t, roux.Config{UploadMemoryBytes: 4 << 10}, dir, files)
	srv := httptest.NewServer(api)
	defer srv.Close()
	big := strings.Repeat("0123456789abcdef", 4<<10) // 64 KiB
	small := "small"
	for _, tt := range []struct {
		name     string
		parts    []part
		status   int
		temp     int // temporary files the handler sees
		contents []string
	}{
		{"small file in memory", []part{file("file", "s.txt", "", small)}, 200, 0, []string{small}},
		{"large file on disk", []part{file("file", "b.bin", "", big)}, 200, 1, []string{big}},
		{"budget spent by the first file", []part{file("files", "1", "", big[:3<<10]), file("files", "2", "", big[:3<<10]), file("files", "3", "", big)}, 200, 2, []string{big[:3<<10], big[:3<<10], big}},
		{"handler panics", []part{file("file", "b.bin", "", big), text("panic", "true")}, 500, 1, []string{big}},
		{"rejected after spooling", []part{file("file", "b.bin", "", big), text("unknown", "1")}, 422, 0, nil},
		{"malformed after spooling", []part{file("file", "b.bin", "", big)}, 400, 0, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body, ct := multipartBody(t, tt.parts...)
			if tt.status == 400 {
				body = body[:len(body)-20]
			}
			status, got := postForm(t, srv, "/spool", ct, body)
			if status != tt.status {
				t.Fatalf("got %d %s, want %d", status, got, tt.status)
			}
			if status == 200 {
				var u upload
				if err := json.Unmarshal(got, &u); err != nil {
					t.Fatal(err)
				}
				if len(u.Temp) != tt.temp {
					t.Errorf("the handler saw %d temporary files %v, want %d", len(u.Temp), u.Temp, tt.temp)
				}
				var contents []string
				for _, f := range u.Files {
					contents = append(contents, f.Content)
				}
				if !slices.Equal(contents, tt.contents) {
					t.Errorf("got %d contents, want %d (or they differ)", len(contents), len(tt.contents))
				}
			}
			// The files are removed once the response is written, right
			// after the client may have read it.
			waitFor(t, "the temporary files to be removed", func() bool { return len(tempFiles(t, dir)) == 0 })
			for len(files) > 0 {
				f := <-files
				if _, err := f.Open(); err == nil {
					t.Errorf("Open of %q succeeded after its handler returned", f.Filename)
				}
			}
		})
	}
	t.Run("client disconnects mid-upload", func(t *testing.T) {
		body, ct := multipartBody(t, file("file", "b.bin", "", big+big))
		conn, err := net.DialTimeout("tcp", srv.Listener.Addr().String(), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		fmt.Fprintf(conn, "POST /spool HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", ct, len(body))
		if _, err := conn.Write(body[:len(body)/2]); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "a temporary file to appear", func() bool { return len(tempFiles(t, dir)) == 1 })
		conn.Close()
		waitFor(t, "the temporary file to be removed", func() bool { return len(tempFiles(t, dir)) == 0 })
		if len(files) > 0 {
			t.Errorf("the handler ran for a request whose client went away")
		}
	})
}

// waitFor polls cond until it holds, failing after five seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func TestMultipartDocument(t *testing.T) {
	t.Parallel()
	api := uploadAPI(t, roux.Config{}, "", nil)
	c := rouxtest.New(t, api) // dumps the document for validation
	doc := api.OpenAPI()
	body := doc.Paths["/avatar"].Post.RequestBody
	if len(body.Content) != 1 || body.Content["multipart/form-data"] == nil || !body.Required {
		t.Fatalf("got request body %+v", body)
	}
	mt := body.Content["multipart/form-data"]
	s := mt.Schema
	if got := s.Properties["avatar"]; got.Format != "binary" || !got.Type.Has("string") || got.Description != "A small picture" ||
		got.Extensions["x-roux-maxBytes"] != int64(1000) || got.ContentMediaType != "" {
		t.Errorf("avatar schema: %+v", got)
	}
	if !slices.Equal(s.Required, []string{"name", "avatar"}) {
		t.Errorf("got required %v", s.Required)
	}
	if diff := cmp.Diff(map[string]*openapi.Encoding{"avatar": {ContentType: "image/png, image/jpeg"}}, mt.Encoding); diff != "" {
		t.Errorf("encoding (-want +got):\n%s", diff)
	}
	album := doc.Paths["/album"].Post.RequestBody.Content["multipart/form-data"]
	photos := album.Schema.Properties["photo"]
	if !photos.Type.Has("array") || photos.Items.Format != "binary" || *photos.MinItems != 1 || *photos.MaxItems != 3 ||
		album.Encoding["photo"].ContentType != "image/*" || album.Encoding["any"] != nil {
		t.Errorf("album: %+v %+v", photos, album.Encoding)
	}
	if doc.Paths["/album"].Post.RequestBody.Required {
		t.Errorf("a form whose every field is optional is documented as required")
	}
	plain := formAPI().OpenAPI().Paths["/token"].Post.RequestBody.Content
	if plain["multipart/form-data"] == nil || plain["application/x-www-form-urlencoded"] == nil {
		t.Errorf("a form without files: got content %v, want both form media types", slices.Collect(mapsKeys(plain)))
	}
	pdf := doc.Paths["/spool"].Post.RequestBody.Content["multipart/form-data"].Schema.Properties["pdf"]
	if pdf.ContentMediaType != "application/pdf" || !pdf.Deprecated {
		t.Errorf("pdf: %+v", pdf)
	}
	js := string(c.Get("/openapi-3.0.json").Body)
	if !strings.Contains(js, `"contentType": "image/png, image/jpeg"`) || !strings.Contains(js, `"format": "binary"`) || strings.Contains(js, "contentMediaType") {
		t.Errorf("3.0 document: %s", js)
	}
}

func mapsKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func TestMultipartRegistrationErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		reg  func(*roux.API)
		want string
	}{
		{"file value", formOf[struct {
			F roux.FormFile `form:"f"`
		}], "use *roux.FormFile"},
		{"slice of values", formOf[struct {
			F []roux.FormFile `form:"f"`
		}], "use *roux.FormFile"},
		{"maxBytes on text", formOf[struct {
			F string `form:"f" maxBytes:"10"`
		}], "tag maxBytes applies to files"},
		{"bad maxBytes", formOf[struct {
			F *roux.FormFile `form:"f" maxBytes:"-1"`
		}], "maxBytes"},
		{"bad content type", formOf[struct {
			F *roux.FormFile `form:"f" contentType:"image"`
		}], "not a media type"},
		{"bad range", formOf[struct {
			F *roux.FormFile `form:"f" contentType:"*/png"`
		}], "not a media type"},
		{"maxItems on one file", formOf[struct {
			F *roux.FormFile `form:"f" maxItems:"2"`
		}], "applies to []*roux.FormFile"},
		{"minItems over maxItems", formOf[struct {
			F []*roux.FormFile `form:"f" minItems:"3" maxItems:"2"`
		}], "more than maxItems"},
		{"a string keyword", formOf[struct {
			F *roux.FormFile `form:"f" maxLength:"10"`
		}], "tag maxLength does not apply to a file"},
		{"bound twice", formOf[struct {
			F *roux.FormFile `form:"f"`
			G string         `form:"f"`
		}], "bound twice"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			re := registrationError(t, func() { tt.reg(quietAPI()) })
			if !strings.Contains(re.Error(), tt.want) {
				t.Errorf("got %v, want it to mention %q", re, tt.want)
			}
		})
	}
}

// formOf registers an operation whose Form is an F.
func formOf[F any](api *roux.API) {
	roux.Post(api, "/x", func(ctx context.Context, in *struct{ Form F }) (*struct{}, error) { return nil, nil })
}

// FuzzMultipartForm sends arbitrary bodies as multipart/form-data with a
// fixed boundary to the upload operations, with a memory budget small
// enough that files go to disk. Whatever arrives, the answer is never a
// 5xx, and no temporary file outlives its request.
func FuzzMultipartForm(f *testing.F) {
	dir := f.TempDir()
	f.Setenv("TMPDIR", dir)
	const boundary = "fuzzboundary"
	seed := func(parts ...part) []byte {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		w.SetBoundary(boundary)
		for _, p := range parts {
			h := textproto.MIMEHeader{"Content-Disposition": {fmt.Sprintf("form-data; name=%q; filename=%q", p.name, p.filename)}}
			if p.filename == "" {
				h.Set("Content-Disposition", fmt.Sprintf("form-data; name=%q", p.name))
			}
			if p.contentType != "" {
				h.Set("Content-Type", p.contentType)
			}
			pw, _ := w.CreatePart(h)
			io.WriteString(pw, p.content)
		}
		w.Close()
		return b.Bytes()
	}
	big := strings.Repeat("x", 300)
	for _, s := range [][]byte{
		seed(text("name", "Ann"), file("avatar", "a.png", "image/png", big)),
		seed(file("photo", "1.png", "image/png", big), file("photo", "2.gif", "image/gif", "x"), text("title", "t"), text("count", "2")),
		seed(file("file", "b", "", big), file("files", "c", "", big), text("panic", "false"), text("unknown", "1")),
		seed(file("avatar", "a.txt", "text/plain", big), file("avatar", "", "", "")),
		[]byte("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\na=3Db=\r\n--" + boundary + "--\r\n"),
		[]byte("--" + boundary + "\r\n\r\n--" + boundary + "--"),
		[]byte("--" + boundary + "--\r\n"),
		{},
	} {
		for path := range byte(3) {
			f.Add(path, s)
		}
	}
	api := uploadAPI(f, roux.Config{UploadMemoryBytes: 256, MaxBodyBytes: 4 << 10}, "", nil)
	paths := []string{"/avatar", "/album", "/spool"}
	f.Fuzz(func(t *testing.T, path byte, body []byte) {
		target := paths[int(path)%len(paths)]
		req := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body))
		req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("POST %s with body %q: got %d %s", target, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			var p roux.Error
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != rec.Code {
				t.Fatalf("malformed problem %s (%v)", rec.Body, err)
			}
			if m := internalName.FindString(p.Detail); m != "" {
				t.Fatalf("the problem names %q: %s", m, rec.Body)
			}
		}
		if left := tempFiles(t, dir); len(left) > 0 {
			t.Fatalf("POST %s with body %q left temporary files %v", target, body, left)
		}
	})
}
