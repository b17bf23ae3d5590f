package stacks

import (
	"context"
	"net/http"

	"github.com/roux-go/roux"
)

type rouxMessage struct {
	Message string `json:"message"`
}

type rouxJSONOut struct {
	Server string `header:"Server"`
	Body   rouxMessage
}

type rouxGetIn struct {
	ID    int64  `path:"id" minimum:"1"`
	Q     string `query:"q"`
	Limit int    `query:"limit" minimum:"1" maximum:"100" default:"10"`
}

type rouxItem struct {
	ID    int64  `json:"id"`
	Q     string `json:"q"`
	Limit int    `json:"limit"`
}

type rouxBody struct {
	Name  string   `json:"name" minLength:"1" maxLength:"50"`
	Price float64  `json:"price" exclusiveMinimum:"0"`
	Tags  []string `json:"tags,omitempty"`
}

type rouxPostIn struct {
	Body rouxBody
}

// NewRoux returns the roux implementation.
func NewRoux() http.Handler {
	api := roux.New(roux.Config{Title: "bench", Version: "1.0.0"})
	roux.Get(api, "/json", func(ctx context.Context, _ *struct{}) (*rouxJSONOut, error) {
		return &rouxJSONOut{Server: serverName, Body: rouxMessage{"Hello, World!"}}, nil
	})
	roux.Get(api, "/items/{id}", func(ctx context.Context, in *rouxGetIn) (*rouxItem, error) {
		return &rouxItem{ID: in.ID, Q: in.Q, Limit: in.Limit}, nil
	})
	roux.Post(api, "/items", func(ctx context.Context, in *rouxPostIn) (*rouxBody, error) {
		return &in.Body, nil
	}, roux.Status(http.StatusCreated))
	return api
}
