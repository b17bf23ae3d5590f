package roux_test

import (
	"context"
	"errors"
	"regexp"
	"testing"

	"github.com/roux-go/roux"
)

// registrationError registers with f and returns what it panicked with.
func registrationError(t *testing.T, f func()) *roux.RegistrationError {
	t.Helper()
	var got any
	func() {
		defer func() { got = recover() }()
		f()
	}()
	if got == nil {
		t.Fatal("registration did not fail")
	}
	re, ok := got.(*roux.RegistrationError)
	if !ok {
		t.Fatalf("panicked with %T %v, want *roux.RegistrationError", got, got)
	}
	return re
}

func TestRegistrationErrors(t *testing.T) {
	t.Parallel()
	type empty struct{}
	h := func(ctx context.Context, in *empty) (*empty, error) { return nil, nil }
	for _, tt := range []struct {
		name string
		reg  func(api *roux.API)
		want string // regexp the message must match
	}{
		{"bad pattern", func(api *roux.API) { roux.Get(api, "/a/{id", h) }, `missing closing brace|brace`},
		{"conflict", func(api *roux.API) {
			roux.Get(api, "/a/{x}", func(ctx context.Context, in *struct {
				X string `path:"x"`
			}) (*empty, error) {
				return nil, nil
			})
			roux.Get(api, "/{y}/b", func(ctx context.Context, in *struct {
				Y string `path:"y"`
			}) (*empty, error) {
				return nil, nil
			})
		}, `conflicts with GET /a/\{x\} registered at .*register_test.go:\d+`},
		{"duplicate", func(api *roux.API) {
			roux.Get(api, "/dup", h)
			roux.Get(api, "/dup", h)
		}, `/dup`},
		{"path field missing", func(api *roux.API) { roux.Get(api, "/items/{id}", h) }, `\{id\} has no input field`},
		{"path field without wildcard", func(api *roux.API) {
			roux.Get(api, "/items", func(ctx context.Context, in *struct {
				ID int `path:"id"`
			}) (*empty, error) {
				return nil, nil
			})
		}, `pattern has no \{id\}`},
		{"bad tag", func(api *roux.API) {
			roux.Get(api, "/items", func(ctx context.Context, in *struct {
				N int `query:"n" minLength:"1"`
			}) (*empty, error) {
				return nil, nil
			})
		}, `minLength`},
		{"bad number", func(api *roux.API) {
			roux.Post(api, "/items", func(ctx context.Context, in *struct {
				Body struct {
					N int `json:"n" minimum:"one"`
				}
			}) (*empty, error) {
				return nil, nil
			})
		}, `minimum`},
		{"untagged input field", func(api *roux.API) {
			roux.Get(api, "/items", func(ctx context.Context, in *struct{ Limit int }) (*empty, error) { return nil, nil })
		}, `no path, query, header, cookie or dep tag`},
		{"unsupported body type", func(api *roux.API) {
			roux.Post(api, "/items", func(ctx context.Context, in *struct{ Body chan int }) (*empty, error) { return nil, nil })
		}, `chan`},
		{"duplicate operationId", func(api *roux.API) {
			roux.Get(api, "/a", h, roux.OperationID("x"))
			roux.Get(api, "/b", h, roux.OperationID("x"))
		}, `operationId "x" is already used by the operation registered at .*register_test.go:\d+`},
		{"lowercase method", func(api *roux.API) { roux.Register(api, "get", "/a", h) }, `uppercase`},
		{"bad status", func(api *roux.API) { roux.Get(api, "/a", h, roux.Status(42)) }, `status 42`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			re := registrationError(t, func() { tt.reg(roux.New(roux.Config{})) })
			msg := re.Error()
			if !regexp.MustCompile(`^roux: .*register_test.go:\d+: `).MatchString(msg) {
				t.Errorf("got %q, want it to start with the caller's file:line", msg)
			}
			if !regexp.MustCompile(tt.want).MatchString(msg) {
				t.Errorf("got %q, want it to match %q", msg, tt.want)
			}
			if errors.Unwrap(re) == nil {
				t.Errorf("RegistrationError wraps no cause")
			}
		})
	}
}
