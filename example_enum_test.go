package roux_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/roux-go/roux"
)

// Course lists its values once, in one method; every field of the type,
// parameters and slices included, gets them as its enum.
type Course string

func (Course) Enum() []Course { return []Course{"starter", "main", "dessert"} }

type MenuQuery struct {
	Courses []Course `query:"course"`
}

// A named type with an Enum method is published and validated with its
// values wherever it appears; no field needs an enum tag.
func Example_enum() {
	api := roux.New(roux.Config{})
	roux.Get(api, "/menu", func(ctx context.Context, in *MenuQuery) (*MenuQuery, error) {
		return in, nil
	})

	doc := api.OpenAPI()
	schema, _ := json.Marshal(doc.Paths["/menu"].Get.Parameters[0].Schema)
	fmt.Println(string(schema))
	serve(api, "GET", "/menu?course=main&course=dessert", "")
	serve(api, "GET", "/menu?course=soup", "")
	// Output:
	// {"type":"array","items":{"type":"string","enum":["starter","main","dessert"]}}
	// 200 {"Courses":["main","dessert"]}
	// 422 {"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"query parameter \"course\": must be one of: starter, main, dessert","errors":[{"detail":"must be one of: starter, main, dessert","parameter":"course","in":"query","code":"enum","value":"soup"}]}
}
