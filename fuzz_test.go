package roux_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzServe sends arbitrary paths, queries, headers and bodies to the
// kitchen API. Whatever arrives, the answer is never a 5xx, a problem is
// always well-formed, and the API keeps serving.
func FuzzServe(f *testing.F) {
	for _, seed := range []struct{ method, path, query, header, body string }{
		{"GET", "/search", "q=soup&limit=5&tag=a&ids=1,2", "acme", ""},
		{"GET", "/search", "limit=%zz&since=yesterday&small=999", "ACME!", ""},
		{"POST", "/orders", "", "", `{"customer":"Ann","email":"a@b.c","items":[{"dish":"soup","quantity":1}],"when":"2026-01-01T00:00:00Z"}`},
		{"POST", "/orders", "", "", `{"items":[{"dish":null,"quantity":1e99}],"extra":{"a":1},"customer":"A","customer":"B"}`},
		{"POST", "/orders", "", "", `[1,2,{"x":[[[[[]]]]]}]`},
		{"GET", "/menu/mains/9223372036854775808", "", "", ""},
		{"PUT", "/files/../../etc/passwd", "", "", `"aGVsbG8="`},
		{"DELETE", "/orders/not-a-uuid", "", "", ""},
		{"GET", "/openapi.json", "", "", ""},
	} {
		f.Add(seed.method, seed.path, seed.query, seed.header, seed.body)
	}
	api := kitchenAPI()
	f.Fuzz(func(t *testing.T, method, path, query, header, body string) {
		switch method {
		case "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS":
		default:
			method = "GET"
		}
		u := &url.URL{Path: "/" + strings.TrimPrefix(path, "/"), RawQuery: query}
		req, err := http.NewRequest(method, "http://kitchen"+u.RequestURI(), strings.NewReader(body))
		if err != nil {
			t.Skip() // not a request a client could send
		}
		req.Header.Set("Content-Type", "application/json")
		if header != "" && !strings.ContainsAny(header, "\r\n\x00") {
			req.Header.Set("X-Tenant", header)
		}
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s with body %q: got %d %s", method, u.RequestURI(), body, rec.Code, rec.Body)
		}
		if rec.Header().Get("Content-Type") == "application/problem+json" {
			var p struct {
				Status int    `json:"status"`
				Title  string `json:"title"`
				Detail string `json:"detail"`
				Errors []struct {
					Detail string `json:"detail"`
				} `json:"errors"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != rec.Code || p.Title == "" {
				t.Fatalf("malformed problem %s (%v)", rec.Body, err)
			}
			for _, e := range append(p.Errors, struct {
				Detail string `json:"detail"`
			}{p.Detail}) {
				if m := internalName.FindString(e.Detail); m != "" {
					t.Fatalf("the problem names %q: %s", m, rec.Body)
				}
			}
		}
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("%s %s: no X-Content-Type-Options: nosniff", method, u.RequestURI())
		}
	})
}
