package roux_test

import (
	"context"
	"net/http"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/internal/testtypes/legacy"
	"github.com/roux-go/roux/internal/testtypes/menu"
)

// The kitchen API of the tests exercises every kind of input and output.

type Address struct {
	Street string `json:"street" minLength:"1"`
	City   string `json:"city" minLength:"1" maxLength:"40"`
}

type Order struct {
	Customer string            `json:"customer" minLength:"2" maxLength:"20" doc:"Who ordered"`
	Email    string            `json:"email" format:"email"`
	Items    []OrderItem       `json:"items" minItems:"1" maxItems:"5"`
	Tags     []string          `json:"tags,omitempty" uniqueItems:"true" enum:"fast,hot,cold"`
	Notes    *string           `json:"notes,omitempty" maxLength:"100"`
	Tip      float64           `json:"tip,omitempty" minimum:"0" multipleOf:"0.5"`
	Delivery *Address          `json:"delivery,omitempty"`
	When     time.Time         `json:"when"`
	Extra    map[string]string `json:"extra,omitempty" maxProperties:"2"`
	Priority int               `json:"priority,omitempty" default:"3" minimum:"1" maximum:"5"`
}

type OrderItem struct {
	Dish     string `json:"dish" pattern:"^[a-z-]+$"`
	Quantity int    `json:"quantity" minimum:"1" maximum:"10"`
}

type OrderCreated struct {
	Status   int
	Location string `header:"Location"`
	Body     struct {
		ID    string `json:"id" format:"uuid"`
		Order Order  `json:"order"`
	}
}

type Category struct {
	Name     string      `json:"name"`
	Children []*Category `json:"children,omitempty"`
}

type Level string

type SearchInput struct {
	Q       string    `query:"q" minLength:"2" doc:"Search text"`
	Limit   int       `query:"limit" minimum:"1" maximum:"100" default:"10"`
	Level   Level     `query:"level" enum:"easy,hard"`
	Tags    []string  `query:"tag" maxItems:"3"`
	IDs     []int     `query:"ids" explode:"false"`
	Since   time.Time `query:"since"`
	Tenant  string    `header:"X-Tenant" required:"true" pattern:"^[a-z]+$"`
	Session *string   `cookie:"session"`
	Ratio   *float32  `query:"ratio" exclusiveMinimum:"0"`
	Small   int8      `query:"small"`
}

type SearchResult struct {
	Query  string   `json:"query"`
	Limit  int      `json:"limit"`
	Level  Level    `json:"level,omitempty"`
	Tags   []string `json:"tags"`
	IDs    []int    `json:"ids"`
	Tenant string   `json:"tenant"`
	Small  int8     `json:"small"`
}

type itemPath struct {
	Section string `path:"section" enum:"starters,mains"`
	ID      int64  `path:"id" minimum:"1"`
}

func kitchenAPI() *roux.API {
	api := roux.New(roux.Config{Title: "Kitchen", Version: "1.2.3", Description: "The test kitchen."})
	roux.Get(api, "/search", func(ctx context.Context, in *SearchInput) (*SearchResult, error) {
		return &SearchResult{Query: in.Q, Limit: in.Limit, Level: in.Level, Tags: in.Tags, IDs: in.IDs, Tenant: in.Tenant, Small: in.Small}, nil
	}, roux.Summary("Search the menu"), roux.Tags("menu"))

	roux.Post(api, "/orders", func(ctx context.Context, in *struct{ Body Order }) (*OrderCreated, error) {
		out := &OrderCreated{Location: "/orders/0b9f4f48-1a1c-4f4e-9a39-4f5b0b7d3c21"}
		out.Body.ID = "0b9f4f48-1a1c-4f4e-9a39-4f5b0b7d3c21"
		out.Body.Order = in.Body
		return out, nil
	}, roux.Summary("Place an order"), roux.Tags("orders"), roux.Status(http.StatusCreated))

	roux.Get(api, "/menu/{section}/{id}", func(ctx context.Context, in *itemPath) (*menu.Dish, error) {
		if in.ID == 404 {
			return nil, roux.NewError(http.StatusNotFound, "no such dish")
		}
		return &menu.Dish{Name: in.Section}, nil
	}, roux.OperationID("getMenuItem"), roux.Tags("menu"), roux.Response(http.StatusNotFound, "No such dish", nil))

	roux.Get(api, "/legacy/{id}", func(ctx context.Context, in *struct {
		ID int `path:"id"`
	}) (*legacy.Dish, error) {
		return &legacy.Dish{Code: in.ID}, nil
	}, roux.Deprecated(), roux.Description("Old dishes."))

	roux.Get(api, "/categories", func(ctx context.Context, in *struct{}) (*Category, error) {
		return &Category{Name: "root", Children: []*Category{{Name: "soups"}}}, nil
	})

	roux.Delete(api, "/orders/{id}", func(ctx context.Context, in *struct {
		ID string `path:"id" format:"uuid"`
	}) (*struct{}, error) {
		return &struct{}{}, nil
	})

	roux.Put(api, "/files/{path...}", func(ctx context.Context, in *struct {
		Path string `path:"path"`
		Body *[]byte
	}) (*struct {
		Path string `json:"path"`
		Size int    `json:"size"`
	}, error) {
		n := 0
		if in.Body != nil {
			n = len(*in.Body)
		}
		return &struct {
			Path string `json:"path"`
			Size int    `json:"size"`
		}{in.Path, n}, nil
	})
	return api
}
