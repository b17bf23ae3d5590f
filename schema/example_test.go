package schema_test

import (
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/roux-go/roux/schema"
)

// Struct tags named after JSON Schema keywords become those keywords;
// named structs become components referenced by $ref.
func ExampleRegistry_Schema() {
	type Dish struct {
		Name  string   `json:"name" minLength:"1" maxLength:"80" doc:"Display name"`
		Price float64  `json:"price" exclusiveMinimum:"0"`
		Tags  []string `json:"tags,omitempty" maxItems:"10" pattern:"^[a-z]+$"`
		Notes *string  `json:"notes,omitempty"`
	}
	reg := schema.NewRegistry()
	ref, err := reg.Schema(reflect.TypeFor[Dish]())
	if err != nil {
		panic(err)
	}
	b, _ := json.MarshalIndent(ref, "", "  ")
	fmt.Println(string(b))
	b, _ = json.MarshalIndent(reg.Components()["Dish"], "", "  ")
	fmt.Println(string(b))
	// Output:
	// {
	//   "$ref": "#/components/schemas/Dish"
	// }
	// {
	//   "type": "object",
	//   "required": [
	//     "name",
	//     "price"
	//   ],
	//   "additionalProperties": false,
	//   "properties": {
	//     "name": {
	//       "type": "string",
	//       "description": "Display name",
	//       "minLength": 1,
	//       "maxLength": 80
	//     },
	//     "price": {
	//       "type": "number",
	//       "format": "double",
	//       "exclusiveMinimum": 0
	//     },
	//     "tags": {
	//       "type": "array",
	//       "items": {
	//         "type": "string",
	//         "pattern": "^[a-z]+$"
	//       },
	//       "maxItems": 10
	//     },
	//     "notes": {
	//       "type": [
	//         "string",
	//         "null"
	//       ]
	//     }
	//   }
	// }
}
