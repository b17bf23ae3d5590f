package roux_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/openapi"
)

// printJSON prints v as indented JSON.
func printJSON(v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err)
	}
	os.Stdout.Write(append(b, '\n'))
}

// The document's metadata is configured once, in Config: where the API
// is served, who to contact, its licence, and its tags with their
// descriptions, in the order the docs should show them.
func ExampleConfig_metadata() {
	api := roux.New(roux.Config{
		Title: "Kitchen", Version: "1.0.0",
		Contact: &openapi.Contact{Name: "Kitchen team", Email: "kitchen@docs.test"},
		License: &openapi.License{Name: "MIT", Identifier: "MIT"},
		Servers: []openapi.Server{{URL: "/", Description: "The server that serves this document"}},
		Tags:    []openapi.Tag{{Name: "menu", Description: "The dishes"}},
	})
	doc := api.OpenAPI()
	printJSON(map[string]any{"info": doc.Info, "servers": doc.Servers, "tags": doc.Tags})
	// Output:
	// {
	//   "info": {
	//     "title": "Kitchen",
	//     "contact": {
	//       "name": "Kitchen team",
	//       "email": "kitchen@docs.test"
	//     },
	//     "license": {
	//       "name": "MIT",
	//       "identifier": "MIT"
	//     },
	//     "version": "1.0.0"
	//   },
	//   "servers": [
	//     {
	//       "url": "/",
	//       "description": "The server that serves this document"
	//     }
	//   ],
	//   "tags": [
	//     {
	//       "name": "menu",
	//       "description": "The dishes"
	//     }
	//   ]
	// }
}

// Public states that an operation needs no credentials: the document
// says "security": [], where an operation that states nothing leaves
// readers (and linters) to guess.
func ExamplePublic() {
	staff := roux.APIKeyAuth("staffKey", roux.InHeader, "X-Staff-Key", func(ctx context.Context, key string) (string, error) {
		return key, nil
	})
	api := roux.New(roux.Config{SchemeDescriptions: map[string]string{"staffKey": "The staff's key"}})
	type dish struct {
		Name string `json:"name"`
	}
	roux.Get(api, "/dishes", func(ctx context.Context, in *struct{}) (*[]dish, error) {
		return &[]dish{}, nil
	}, roux.Public())
	roux.Post(api, "/dishes", func(ctx context.Context, in *struct{ Body dish }) (*dish, error) {
		return &in.Body, nil
	}, roux.Secure(staff))

	doc := api.OpenAPI()
	printJSON(map[string]any{
		"get":      doc.Paths["/dishes"].Get.Security,
		"post":     doc.Paths["/dishes"].Post.Security,
		"staffKey": doc.Components.SecuritySchemes["staffKey"].Description,
	})
	// Output:
	// {
	//   "get": [],
	//   "post": [
	//     {
	//       "staffKey": []
	//     }
	//   ],
	//   "staffKey": "The staff's key"
	// }
}

// Named examples of a body are checked when the operation is registered,
// as the server reads a request: an example it would refuse is a
// registration error, never a document that misleads.
func ExampleRequestExample() {
	type Dish struct {
		Name  string `json:"name" minLength:"1"`
		Price int    `json:"price" minimum:"1"`
	}
	api := roux.New(roux.Config{})
	roux.Post(api, "/dishes", func(ctx context.Context, in *struct{ Body Dish }) (*Dish, error) {
		return &in.Body, nil
	}, roux.RequestExample("soup", "A soup", Dish{Name: "Soup", Price: 650}))
	printJSON(api.OpenAPI().Paths["/dishes"].Post.RequestBody.Content["application/json"].Examples)

	defer func() {
		if err, ok := recover().(*roux.RegistrationError); ok {
			fmt.Println(err.Method, err.Pattern, err.Err)
		}
	}()
	roux.Put(api, "/dishes", func(ctx context.Context, in *struct{ Body Dish }) (*Dish, error) {
		return &in.Body, nil
	}, roux.RequestExample("free", "A free soup", Dish{Name: "Soup"}))
	// Output:
	// {
	//   "soup": {
	//     "summary": "A soup",
	//     "value": {
	//       "name": "Soup",
	//       "price": 650
	//     }
	//   }
	// }
	// PUT /dishes option RequestExample("free"): the example {"name":"Soup","price":0} fails its minimum keyword at /price: must be at least 1
}

// Parameters have named examples too, given as JSON has them: a number
// for an integer, a list for a repeated query parameter.
func ExampleParamExample() {
	type Filter struct {
		Tags  []string `query:"tag" maxItems:"3"`
		Limit int      `query:"limit" minimum:"1" maximum:"100"`
	}
	api := roux.New(roux.Config{})
	roux.Get(api, "/dishes", func(ctx context.Context, in *Filter) (*[]string, error) {
		return &[]string{}, nil
	}, roux.ParamExample("tag", "vegan-mains", "Vegan main courses", []string{"vegan", "main"}),
		roux.ParamExample("limit", "short", "A short page", 5))
	for _, p := range api.OpenAPI().Paths["/dishes"].Get.Parameters {
		printJSON(map[string]any{p.Name: p.Examples})
	}
	// Output:
	// {
	//   "tag": {
	//     "vegan-mains": {
	//       "summary": "Vegan main courses",
	//       "value": [
	//         "vegan",
	//         "main"
	//       ]
	//     }
	//   }
	// }
	// {
	//   "limit": {
	//     "short": {
	//       "summary": "A short page",
	//       "value": 5
	//     }
	//   }
	// }
}

// A response example is a value of the output's body type, published as
// roux encodes it; ExternalDocs links documentation of the operation.
func ExampleResponseExample() {
	type Dish struct {
		Name string   `json:"name"`
		Tags []string `json:"tags"`
	}
	api := roux.New(roux.Config{})
	roux.Get(api, "/dishes/{id}", func(ctx context.Context, in *struct {
		ID int `path:"id"`
	}) (*Dish, error) {
		return &Dish{Name: "Soup"}, nil
	}, roux.ResponseExample("soup", "A dish without tags", Dish{Name: "Soup"}),
		roux.ExternalDocs("https://docs.test/dishes", "About dishes"))
	op := api.OpenAPI().Paths["/dishes/{id}"].Get
	printJSON(map[string]any{"examples": op.Responses["200"].Content["application/json"].Examples, "externalDocs": op.ExternalDocs})
	// Output:
	// {
	//   "examples": {
	//     "soup": {
	//       "summary": "A dish without tags",
	//       "value": {
	//         "name": "Soup",
	//         "tags": []
	//       }
	//     }
	//   },
	//   "externalDocs": {
	//     "description": "About dishes",
	//     "url": "https://docs.test/dishes"
	//   }
	// }
}
