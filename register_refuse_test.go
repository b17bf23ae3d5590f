package roux_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/roux-go/roux"
)

type refuseOut struct {
	N int `json:"n"`
}

// TestRegistrationRefuses: what registration refuses, in each form of
// registering, with the error that says what to do.
func TestRegistrationRefuses(t *testing.T) {
	t.Parallel()
	type bodyIn struct {
		Body struct {
			N int `json:"n"`
		}
	}
	type formIn struct {
		Form struct {
			N int `form:"n"`
		}
	}
	body := func(ctx context.Context, in *bodyIn) (*refuseOut, error) { return nil, nil }
	form := func(ctx context.Context, in *formIn) (*refuseOut, error) { return nil, nil }
	for _, tt := range []struct {
		name string
		reg  func(api *roux.API)
		want string
	}{
		// A nil handler, in every form.
		{"nil handler, Get", func(api *roux.API) { roux.Get[bodyIn, refuseOut](api, "/a", nil) }, "the handler is nil"},
		{"nil handler, Register", func(api *roux.API) { roux.Register[bodyIn, refuseOut](api, "POST", "/a", nil) }, "the handler is nil"},
		{"nil handler, RegisterWith", func(api *roux.API) {
			roux.RegisterWith[bodyIn, struct{}, refuseOut](api, "POST", "/a", nil)
		}, "the handler is nil"},
		{"nil handler, Handle", func(api *roux.API) {
			roux.Handle(api, roux.NewOperation[bodyIn, refuseOut]("POST", "/a"), nil)
		}, "the handler is nil"},
		{"nil handler, HandleWith", func(api *roux.API) {
			roux.HandleWith[bodyIn, struct{}](api, roux.NewOperation[bodyIn, refuseOut]("POST", "/a"), nil)
		}, "the handler is nil"},

		// A body on a method whose content means nothing.
		{"Body on GET", func(api *roux.API) { roux.Get(api, "/a", body) },
			"has a Body field, but the content of a GET request has no defined meaning (RFC 9110, section 9.3.1)"},
		{"Body on HEAD", func(api *roux.API) { roux.Register(api, http.MethodHead, "/a", body) },
			"content of a HEAD request has no defined meaning (RFC 9110, section 9.3.2)"},
		{"Body on DELETE", func(api *roux.API) { roux.Delete(api, "/a", body) },
			"content of a DELETE request has no defined meaning (RFC 9110, section 9.3.5)"},
		{"Form on GET", func(api *roux.API) { roux.Get(api, "/a", form) }, "has a Form field, but the content of a GET request"},
		{"Form on DELETE", func(api *roux.API) { roux.Delete(api, "/a", form) }, "has a Form field, but the content of a DELETE request"},
		{"Body on GET, declared", func(api *roux.API) {
			roux.Handle(api, roux.NewOperation[bodyIn, refuseOut]("GET", "/a"), body)
		}, "content of a GET request has no defined meaning"},
		{"optional Body on GET", func(api *roux.API) {
			roux.Get(api, "/a", func(ctx context.Context, in *struct{ Body *refuseOut }) (*refuseOut, error) { return nil, nil })
		}, "has a Body field"},

		// A misspelt keyword, wherever tags are read.
		{"body member", func(api *roux.API) {
			roux.Post(api, "/a", func(ctx context.Context, in *struct {
				Body struct {
					N int `json:"n" minimun:"1"`
				}
			}) (*refuseOut, error) {
				return nil, nil
			})
		}, `struct tag key "minimun" is not one roux reads: did you mean minimum?`},
		{"nested body member", func(api *roux.API) {
			type inner struct {
				S string `json:"s" maxlength:"3"`
			}
			roux.Post(api, "/a", func(ctx context.Context, in *struct {
				Body struct {
					Items []inner `json:"items"`
				}
			}) (*refuseOut, error) {
				return nil, nil
			})
		}, "did you mean maxLength?"},
		{"query parameter", func(api *roux.API) {
			roux.Get(api, "/a", func(ctx context.Context, in *struct {
				Q string `query:"q" requried:"true"`
			}) (*refuseOut, error) {
				return nil, nil
			})
		}, "did you mean required?"},
		{"form field", func(api *roux.API) {
			roux.Post(api, "/a", func(ctx context.Context, in *struct {
				Form struct {
					N int `form:"n" maximun:"9"`
				}
			}) (*refuseOut, error) {
				return nil, nil
			})
		}, "did you mean maximum?"},
		{"file field", func(api *roux.API) {
			roux.Post(api, "/a", func(ctx context.Context, in *struct {
				Form struct {
					F *roux.FormFile `form:"f" maxbytes:"100"`
				}
			}) (*refuseOut, error) {
				return nil, nil
			})
		}, "did you mean maxBytes?"},
		{"output member", func(api *roux.API) {
			roux.Get(api, "/a", func(ctx context.Context, in *struct{}) (*struct {
				N int `json:"n" exampel:"3"`
			}, error) {
				return nil, nil
			})
		}, "did you mean example?"},
		{"output header", func(api *roux.API) {
			roux.Get(api, "/a", func(ctx context.Context, in *struct{}) (*struct {
				ETag string `header:"ETag" patern:"^\"[0-9]+\"$"`
				Body refuseOut
			}, error) {
				return nil, nil
			})
		}, "did you mean pattern?"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			re := registrationError(t, func() { tt.reg(quietAPI()) })
			if !strings.Contains(re.Error(), tt.want) {
				t.Errorf("got %q, want it to contain %q", re, tt.want)
			}
			if !strings.Contains(re.Site, "register_refuse_test.go:") {
				t.Errorf("got site %q, want this file's line", re.Site)
			}
		})
	}
}

// TestRegistrationAccepts: bodies where they mean something, and tags
// of other packages beside roux's.
func TestRegistrationAccepts(t *testing.T) {
	t.Parallel()
	type row struct {
		ID    int64  `json:"id" db:"id" gorm:"primaryKey" bson:"_id" yaml:"id" xml:"id,attr" mapstructure:"id" validate:"required"`
		Name  string `json:"name" env:"NAME" toml:"name" msgpack:"name" binding:"required" minLength:"1"`
		Notes string `json:"notes,omitempty" examples:"[\"a\"]" description:"free text"`
	}
	for _, tt := range []struct {
		name string
		reg  func(api *roux.API)
	}{
		{"Body on POST, PUT, PATCH", func(api *roux.API) {
			h := func(ctx context.Context, in *struct{ Body row }) (*row, error) { return &in.Body, nil }
			roux.Post(api, "/a", h)
			roux.Put(api, "/a", h)
			roux.Patch(api, "/a", h)
		}},
		{"Body on OPTIONS and a custom method", func(api *roux.API) {
			h := func(ctx context.Context, in *struct{ Body row }) (*row, error) { return &in.Body, nil }
			roux.Register(api, http.MethodOptions, "/b", h)
			roux.Register(api, "QUERY", "/b", h)
		}},
		{"foreign tags on parameters", func(api *roux.API) {
			roux.Get(api, "/c", func(ctx context.Context, in *struct {
				Q string `query:"q" validate:"max=3" env:"Q" mapstructure:"q"`
			}) (*row, error) {
				return nil, nil
			})
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			defer func() {
				if v := recover(); v != nil {
					t.Errorf("registration failed: %v", v)
				}
			}()
			tt.reg(quietAPI())
		})
	}
}
