package roux_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/rouxtest"
)

// Declarations as a package of them would hold: wire types only.
type declDishPath struct {
	ID int64 `path:"id" minimum:"1"`
}

type declDish struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

var (
	declGetDish = roux.NewOperation[declDishPath, declDish](http.MethodGet, "/dishes/{id}",
		roux.Summary("Get a dish"), roux.Tags("menu"))
	declDeleteDish = roux.NewOperation[declDishPath, struct{}](http.MethodDelete, "/dishes/{id}",
		roux.OperationID("removeDish"))
)

func TestDeclarationServed(t *testing.T) {
	t.Parallel()
	type staff struct{ name string }
	auth := roux.APIKeyAuth("staff", roux.InHeader, "X-Staff-Key", func(ctx context.Context, key string) (staff, error) {
		if key != "k" {
			return staff{}, roux.ErrUnauthorized
		}
		return staff{"ann"}, nil
	})
	var removedBy string
	// One declaration may be served by several APIs.
	for range 2 {
		api := quietAPI()
		roux.Handle(api, declGetDish, func(ctx context.Context, in *declDishPath) (*declDish, error) {
			return &declDish{ID: in.ID, Name: "Soup"}, nil
		})
		roux.HandleWith(api, declDeleteDish, func(ctx context.Context, in *declDishPath, s *struct {
			Staff staff `dep:""`
			Tasks *roux.Tasks
		}) (*struct{}, error) {
			removedBy = s.Staff.name
			if s.Tasks == nil {
				t.Error("the server struct's *Tasks was not filled")
			}
			return &struct{}{}, nil
		}, roux.Secure(auth))

		c := rouxtest.New(t, api)
		if got := rouxtest.JSON[declDish](c.Get("/dishes/3"), 200); got.ID != 3 || got.Name != "Soup" {
			t.Errorf("got %+v", got)
		}
		rouxtest.Problem(c.Delete("/dishes/3"), http.StatusUnauthorized)
		c.Header.Set("X-Staff-Key", "k")
		if r := c.Delete("/dishes/3"); r.Status != http.StatusNoContent {
			t.Errorf("DELETE: got %d %s, want 204", r.Status, r.Body)
		}
		if removedBy != "ann" {
			t.Errorf("the handler saw staff %q, want ann", removedBy)
		}

		doc := api.OpenAPI()
		get := doc.Paths["/dishes/{id}"].Get
		if get == nil || get.OperationID != "get-dishes-id" || get.Summary != "Get a dish" || len(get.Tags) != 1 {
			t.Errorf("GET is published as %+v", get)
		}
		if del := doc.Paths["/dishes/{id}"].Delete; del == nil || del.OperationID != "removeDish" || len(del.Security) != 1 {
			t.Errorf("DELETE is published as %+v", del)
		}
	}
	if declGetDish.ID() != "get-dishes-id" || declDeleteDish.ID() != "removeDish" {
		t.Errorf("IDs: %q, %q", declGetDish.ID(), declDeleteDish.ID())
	}
	if declGetDish.Method() != "GET" || declGetDish.Pattern() != "/dishes/{id}" {
		t.Errorf("got %s %s", declGetDish.Method(), declGetDish.Pattern())
	}
}

func TestDeclarationInGroup(t *testing.T) {
	t.Parallel()
	api := quietAPI()
	menu := api.Group("/dishes", roux.Tags("kitchen"))
	roux.Handle(menu, declGetDish, func(ctx context.Context, in *declDishPath) (*declDish, error) {
		return &declDish{ID: in.ID}, nil
	})
	rouxtest.JSON[declDish](rouxtest.New(t, api).Get("/dishes/1"), 200)
	if tags := api.OpenAPI().Paths["/dishes/{id}"].Get.Tags; strings.Join(tags, ",") != "kitchen,menu" {
		t.Errorf("tags %v, want the group's then the declaration's", tags)
	}
}

func TestDeclarationErrors(t *testing.T) {
	t.Parallel()
	type empty struct{}
	dep := roux.Depends(func(ctx context.Context, in *struct{}) (int, error) { return 1, nil })
	h := func(ctx context.Context, in *empty) (*empty, error) { return nil, nil }
	for _, tt := range []struct {
		name string
		reg  func(api *roux.API)
		want string
	}{
		{"server option in a declaration", func(*roux.API) {
			roux.NewOperation[empty, empty]("GET", "/a", roux.Provide(dep))
		}, "roux.Provide is a server option"},
		{"CPUBound in a declaration", func(*roux.API) {
			roux.NewOperation[empty, empty]("GET", "/a", roux.CPUBound())
		}, "roux.CPUBound is a server option"},
		{"bad method", func(*roux.API) { roux.NewOperation[empty, empty]("get", "/a") }, "uppercase token"},
		{"bad pattern", func(*roux.API) { roux.NewOperation[empty, empty]("GET", "/a/{id") }, "brace"},
		{"nil handler", func(api *roux.API) {
			roux.Handle(api, roux.NewOperation[empty, empty]("GET", "/a"), nil)
		}, "the handler is nil"},
		{"nil handler, one call", func(api *roux.API) {
			roux.Get[empty, empty](api, "/a", nil)
		}, "the handler is nil"},
		{"nil operation", func(api *roux.API) { roux.Handle(api, nil, h) }, "the operation is nil"},
		{"group prefix", func(api *roux.API) {
			roux.Handle(api.Group("/drinks"), declGetDish, func(ctx context.Context, in *declDishPath) (*declDish, error) { return nil, nil })
		}, `prefix "/drinks" does not start the declared pattern`},
		{"dependency in the input", func(api *roux.API) {
			roux.Get(api, "/a", func(ctx context.Context, in *struct {
				N int `dep:""`
			}) (*empty, error) {
				return nil, nil
			}, roux.Provide(dep))
		}, "input field N is filled by the server"},
		{"tasks in the input", func(api *roux.API) {
			roux.Post(api, "/a", func(ctx context.Context, in *struct{ Tasks *roux.Tasks }) (*empty, error) { return nil, nil })
		}, "input field Tasks is filled by the server"},
		{"parameter in the server struct", func(api *roux.API) {
			roux.RegisterWith(api, "GET", "/a", func(ctx context.Context, in *empty, s *struct {
				Q string `query:"q"`
			}) (*empty, error) {
				return nil, nil
			})
		}, "server field Q of struct { Q string \"query:\\\"q\\\"\" } is read from the request"},
		{"body in the server struct", func(api *roux.API) {
			roux.RegisterWith(api, "POST", "/a", func(ctx context.Context, in *empty, s *struct{ Body empty }) (*empty, error) {
				return nil, nil
			})
		}, "server field Body"},
		{"untagged server field", func(api *roux.API) {
			roux.RegisterWith(api, "GET", "/a", func(ctx context.Context, in *empty, s *struct{ N int }) (*empty, error) {
				return nil, nil
			})
		}, "neither tagged dep nor a *roux.Tasks"},
		{"server struct not a struct", func(api *roux.API) {
			roux.RegisterWith(api, "GET", "/a", func(ctx context.Context, in *empty, s *int) (*empty, error) {
				return nil, nil
			})
		}, "must be a struct"},
		{"unprovided dependency in the server struct", func(api *roux.API) {
			roux.RegisterWith(api, "GET", "/a", func(ctx context.Context, in *empty, s *struct {
				N int `dep:""`
			}) (*empty, error) {
				return nil, nil
			})
		}, "none is provided"},
		{"same declaration twice", func(api *roux.API) {
			h := func(ctx context.Context, in *declDishPath) (*declDish, error) { return nil, nil }
			roux.Handle(api, declGetDish, h)
			roux.Handle(api, declGetDish, h)
		}, "/dishes/{id}"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			re := registrationError(t, func() { tt.reg(quietAPI()) })
			if !strings.Contains(re.Error(), tt.want) || !strings.Contains(re.Error(), "declare_test.go:") {
				t.Errorf("got %q, want it to contain %q and this file's name", re, tt.want)
			}
		})
	}
}

// A server struct's unexported fields and embedded structs are allowed.
func TestServerStructEmbedded(t *testing.T) {
	t.Parallel()
	type common struct {
		N int `dep:""`
	}
	dep := roux.Depends(func(ctx context.Context, in *struct {
		Q int `query:"q" minimum:"0"`
	}) (int, error) {
		return in.Q * 2, nil
	})
	api := quietAPI()
	roux.RegisterWith(api, "GET", "/double", func(ctx context.Context, in *struct{}, s *struct {
		common
		note string
	}) (*int, error) {
		return &s.N, nil
	}, roux.Provide(dep))
	c := rouxtest.New(t, api)
	if got := rouxtest.JSON[int](c.Get("/double?q=21"), 200); got != 42 {
		t.Errorf("got %d, want 42", got)
	}
	rouxtest.Problem(c.Get("/double?q=-1"), http.StatusUnprocessableEntity)
}
