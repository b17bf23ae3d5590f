package stacks

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
)

type humaJSONOut struct {
	Server string `header:"Server"`
	Body   struct {
		Message string `json:"message"`
	}
}

type humaGetIn struct {
	ID    int64  `path:"id" minimum:"1"`
	Q     string `query:"q"`
	Limit int    `query:"limit" minimum:"1" maximum:"100" default:"10"`
}

type humaItem struct {
	ID    int64  `json:"id"`
	Q     string `json:"q"`
	Limit int    `json:"limit"`
}

type humaGetOut struct {
	Body humaItem
}

type humaBody struct {
	Name  string   `json:"name" minLength:"1" maxLength:"50"`
	Price float64  `json:"price" exclusiveMinimum:"0"`
	Tags  []string `json:"tags,omitempty"`
}

type humaPostIn struct {
	Body humaBody
}

type humaPostOut struct {
	Body humaBody
}

// NewHuma returns the huma v2 implementation on its net/http adapter.
func NewHuma() http.Handler {
	mux := http.NewServeMux()
	cfg := huma.DefaultConfig("bench", "1.0.0")
	cfg.CreateHooks = nil // no $schema member or Link header in responses
	api := humago.New(mux, cfg)
	huma.Register(api, huma.Operation{OperationID: "json", Method: "GET", Path: "/json"},
		func(ctx context.Context, _ *struct{}) (*humaJSONOut, error) {
			out := &humaJSONOut{Server: serverName}
			out.Body.Message = "Hello, World!"
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "get-item", Method: "GET", Path: "/items/{id}"},
		func(ctx context.Context, in *humaGetIn) (*humaGetOut, error) {
			return &humaGetOut{Body: humaItem{ID: in.ID, Q: in.Q, Limit: in.Limit}}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "post-item", Method: "POST", Path: "/items", DefaultStatus: 201},
		func(ctx context.Context, in *humaPostIn) (*humaPostOut, error) {
			return &humaPostOut{Body: in.Body}, nil
		})
	return mux
}
