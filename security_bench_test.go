package roux_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/roux-go/roux"
)

// BenchmarkSecured measures a GET secured by a scheme of each kind of
// credential: a bearer token (a header), an API key in a cookie and one
// in the query. The scheme's parameter is read twice per request, once
// to refuse a credential sent more than once and once to bind it.
func BenchmarkSecured(b *testing.B) {
	type user struct{ Name string }
	verify := func(_ context.Context, key string) (user, error) {
		if roux.SecretEqual(key, "s3cret") {
			return user{Name: "ann"}, nil
		}
		return user{}, roux.ErrUnauthorized
	}
	for _, bm := range []struct {
		name   string
		scheme *roux.Dep[user]
		target string
		header http.Header
	}{
		{"bearer", roux.BearerAuth("token", verify), "/items/7", http.Header{"Authorization": {"Bearer s3cret"}}},
		{"cookie", roux.APIKeyAuth("session", roux.InCookie, "session", verify), "/items/7",
			http.Header{"Cookie": {"theme=dark; session=s3cret; lang=en"}}},
		{"query", roux.APIKeyAuth("key", roux.InQuery, "key", verify), "/items/7?key=s3cret&verbose=true", nil},
	} {
		b.Run(bm.name, func(b *testing.B) {
			api := roux.New(roux.Config{})
			roux.RegisterWith(api, "GET", "/items/{id}", func(ctx context.Context, in *struct {
				ID      int  `path:"id" minimum:"1"`
				Verbose bool `query:"verbose"`
			}, s *struct {
				User user `dep:""`
			}) (*benchItem, error) {
				return &benchItem{ID: int64(in.ID), Tenant: s.User.Name}, nil
			}, roux.Secure(bm.scheme))
			req, _ := http.NewRequest("GET", bm.target, nil)
			req.Header = bm.header
			if req.Header == nil {
				req.Header = http.Header{}
			}
			w := &discardWriter{h: http.Header{}}
			api.ServeHTTP(w, req)
			if w.status != http.StatusOK {
				b.Fatalf("got status %d, want 200", w.status)
			}
			b.ReportAllocs()
			for b.Loop() {
				w.reset()
				api.ServeHTTP(w, req)
			}
		})
	}
}
