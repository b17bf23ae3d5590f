package middleware_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/middleware"
)

// Middleware attaches to a whole API, a group or one operation.
func Example() {
	api := roux.New(roux.Config{})
	api.Use(middleware.RequestID(), middleware.SecureHeaders())
	admin := api.Group("/admin", roux.Middleware(middleware.ClientIP("10.0.0.0/8")))
	roux.Get(admin, "/whoami", func(ctx context.Context, in *struct{}) (*string, error) {
		ip := middleware.ClientIPFrom(ctx).String()
		return &ip, nil
	}, roux.Middleware(middleware.Timeout(time.Second)))

	req := httptest.NewRequest("GET", "/admin/whoami", nil)
	req.RemoteAddr = "10.0.0.7:5555"
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body.String(), rec.Header().Get("X-Content-Type-Options"), len(rec.Header().Get("X-Request-ID")))
	// Output:
	// 200 "203.0.113.9" nosniff 32
}

func ExampleCORS() {
	h := middleware.CORS(
		middleware.AllowedOrigins("https://app.example.com"),
		middleware.AllowedMethods("GET", "POST"),
		middleware.AllowedHeaders("X-Tenant"),
		middleware.PreflightMaxAge(10*time.Minute),
	)(http.NotFoundHandler())

	req := httptest.NewRequest("OPTIONS", "/dishes", nil)
	req.Header.Set("Origin", "https://app.example.com")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type, x-tenant")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	fmt.Println(rec.Header().Get("Access-Control-Allow-Origin"))
	fmt.Println(rec.Header().Get("Access-Control-Allow-Headers"))
	fmt.Println(rec.Header().Get("Access-Control-Max-Age"))
	// Output:
	// 204
	// https://app.example.com
	// content-type, x-tenant
	// 600
}

func ExampleCompress() {
	h := middleware.Compress(middleware.MinSize(10))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"message":"`+strings.Repeat("a", 100)+`"}`)
	}))
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Accept-Encoding", "gzip, zstd")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Header().Get("Content-Encoding"), rec.Body.Len() < 100)
	// Output:
	// zstd true
}

func ExampleAccessLog() {
	log := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" {
				return slog.Attr{} // vary from run to run
			}
			return a
		},
	}))
	h := middleware.AccessLog(log)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/greet", nil))
	// Output:
	// level=INFO msg=request method=GET path=/greet status=200 bytes=5
}

func ExampleBodyLimit() {
	h := middleware.BodyLimit(8)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/", strings.NewReader("far too long")))
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// 413 {"type":"about:blank","title":"Request Entity Too Large","status":413,"detail":"the body is larger than the limit of 8 bytes"}
}

func ExampleRecover() {
	log := slog.New(slog.NewTextHandler(io.Discard, nil)) // the panic and its stack go here
	h := middleware.Recover(log)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic("nil map")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// 500 {"type":"about:blank","title":"Internal Server Error","status":500,"detail":"the server failed to handle the request"}
}

func ExampleLoadShed() {
	shed := middleware.LoadShed(
		middleware.Prioritize(func(r *http.Request) middleware.Priority {
			if r.URL.Path == "/readyz" || r.URL.Path == "/livez" {
				return middleware.Critical // shed last: a load balancer must see the service
			}
			return middleware.Normal
		}),
		middleware.RetryAfter(2*time.Second),
	)
	h := shed(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// 200 ok
}

// SecureHeaders sends the headers OWASP gives for API responses; a
// service that also serves HTML pages through it asks for the two that
// act on documents.
func ExampleSecureHeaders() {
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	for _, h := range []http.Handler{
		middleware.SecureHeaders()(page),
		middleware.SecureHeaders(middleware.ReferrerPolicy("no-referrer"), middleware.CrossOriginOpenerPolicy("same-origin"))(page),
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		fmt.Printf("%d headers; Referrer-Policy %q, Cross-Origin-Opener-Policy %q\n",
			len(rec.Header()), rec.Header().Get("Referrer-Policy"), rec.Header().Get("Cross-Origin-Opener-Policy"))
	}
	// Output:
	// 4 headers; Referrer-Policy "", Cross-Origin-Opener-Policy ""
	// 6 headers; Referrer-Policy "no-referrer", Cross-Origin-Opener-Policy "same-origin"
}
