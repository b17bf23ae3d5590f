package roux_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/roux-go/roux"
)

// countingBody counts the bytes read from it.
type countingBody struct {
	r    io.Reader
	read atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.read.Add(int64(n))
	return n, err
}

// securedWrites is an API whose writes need the staff key (and, for
// PUT, the OAuth scope menu:write).
func securedWrites() *roux.API {
	type staff struct{}
	key := roux.APIKeyAuth("staffKey", roux.InHeader, "X-Staff-Key", func(ctx context.Context, k string) (staff, error) {
		if k != "right" {
			return staff{}, roux.ErrUnauthorized
		}
		return staff{}, nil
	})
	oauth := roux.OAuth2PasswordAuth("oauth", "/token", map[string]string{"menu:read": "", "menu:write": ""},
		func(ctx context.Context, token string) (staff, []string, error) {
			if token == "reader" {
				return staff{}, []string{"menu:read"}, nil
			}
			return staff{}, nil, roux.ErrUnauthorized
		})
	type dish struct {
		Name  string `json:"name" minLength:"1"`
		Price int    `json:"price" minimum:"1"`
	}
	api := quietAPI()
	h := func(ctx context.Context, in *struct {
		N    int `query:"n" minimum:"1"`
		Body dish
	}) (*dish, error) {
		return &in.Body, nil
	}
	roux.Post(api, "/dishes", h, roux.Secure(key))
	roux.Put(api, "/dishes", h, roux.Secure(oauth, "menu:write"))
	roux.Post(api, "/upload", func(ctx context.Context, in *struct {
		Form struct {
			File *roux.FormFile `form:"file"`
		}
	}) (*struct{}, error) {
		return &struct{}{}, nil
	}, roux.Secure(key))
	return api
}

func TestCredentialsBeforeInput(t *testing.T) {
	t.Parallel()
	api := securedWrites()
	for _, tt := range []struct {
		name, method, target, contentType, body string
		headers                                 []string
		status                                  int
	}{
		{"anonymous, invalid body", "POST", "/dishes", "application/json", `{}`, nil, 401},
		{"anonymous, malformed body", "POST", "/dishes", "application/json", `{"name":`, nil, 401},
		{"anonymous, invalid parameter", "POST", "/dishes?n=0", "application/json", `{"name":"a","price":1}`, nil, 401},
		{"anonymous, wrong media type", "POST", "/dishes", "text/plain", `hello`, nil, 401},
		{"wrong key, invalid body", "POST", "/dishes", "application/json", `{}`, []string{"X-Staff-Key", "wrong"}, 401},
		{"missing scope, invalid body", "PUT", "/dishes", "application/json", `{}`, []string{"Authorization", "Bearer reader"}, 403},
		{"anonymous upload", "POST", "/upload", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nhello\r\n--x--\r\n", nil, 401},
		{"right key, invalid body", "POST", "/dishes", "application/json", `{}`, []string{"X-Staff-Key", "right"}, 422},
		{"right key, valid body", "POST", "/dishes?n=1", "application/json", `{"name":"a","price":1}`, []string{"X-Staff-Key", "right"}, 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := &countingBody{r: strings.NewReader(tt.body)}
			req := httptest.NewRequest(tt.method, tt.target, body)
			req.Header.Set("Content-Type", tt.contentType)
			for i := 0; i+1 < len(tt.headers); i += 2 {
				req.Header.Set(tt.headers[i], tt.headers[i+1])
			}
			rec := httptest.NewRecorder()
			api.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("got %d %s, want %d", rec.Code, rec.Body, tt.status)
			}
			if tt.status >= 400 && tt.status != 422 {
				if n := body.read.Load(); n != 0 {
					t.Errorf("%d bytes of the body were read before the request was refused", n)
				}
				if got := rec.Header().Get("Connection"); got != "close" {
					t.Errorf("Connection: %q, want close (a body was pending)", got)
				}
				if strings.Contains(rec.Body.String(), `"errors"`) || strings.Contains(rec.Body.String(), "name") {
					t.Errorf("the refusal describes the input: %s", rec.Body)
				}
				if rec.Header().Get("WWW-Authenticate") == "" {
					t.Error("no WWW-Authenticate challenge")
				}
			}
		})
	}
}

// Over a real connection: an anonymous request that announces a large
// body and expects 100 Continue gets its 401 at once, without 100
// Continue, and the server closes the connection rather than wait for
// the body.
func TestCredentialsBeforeBodyOverLoopback(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(securedWrites())
	defer srv.Close()
	for _, expect := range []bool{true, false} {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		head := "POST /dishes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n"
		if expect {
			head += "Expect: 100-continue\r\n"
		}
		if _, err := io.WriteString(conn, head+"\r\n"); err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		br := bufio.NewReader(conn)
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("expect=%v: reading the answer: %v", expect, err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized || !res.Close {
			t.Errorf("expect=%v: got %d, close=%v; want 401 and the connection closed", expect, res.StatusCode, res.Close)
		}
		// The server hangs up: the next read ends, it does not wait for
		// the million bytes announced.
		if _, err := br.ReadByte(); err == nil {
			t.Errorf("expect=%v: the connection is still open", expect)
		}
	}
}
