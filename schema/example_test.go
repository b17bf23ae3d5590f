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

// Shelf lists its values once; every schema of the type carries them.
type Shelf string

func (Shelf) Enum() []Shelf { return []Shelf{"top", "middle", "bottom"} }

// A named scalar type with an Enum method gets its values as the enum of
// each of its schemas, in slices and pointers too.
func ExampleEnumer() {
	reg := schema.NewRegistry()
	for _, t := range []reflect.Type{reflect.TypeFor[Shelf](), reflect.TypeFor[[]Shelf](), reflect.TypeFor[*Shelf]()} {
		s, err := reg.Schema(t)
		if err != nil {
			panic(err)
		}
		b, _ := json.Marshal(s)
		fmt.Println(string(b))
	}
	// Output:
	// {"type":"string","enum":["top","middle","bottom"]}
	// {"type":"array","items":{"type":"string","enum":["top","middle","bottom"]}}
	// {"type":["string","null"],"enum":["top","middle","bottom",null]}
}

// An Optional member is its value's schema and never required; it admits
// null when its value type does.
func ExampleOptional() {
	type Patch struct {
		Name schema.Optional[string]  `json:"name,omitzero" minLength:"1"`
		Note schema.Optional[*string] `json:"note,omitzero"`
	}
	reg := schema.NewRegistry()
	s, err := reg.Schema(reflect.TypeFor[Patch]())
	if err != nil {
		panic(err)
	}
	b, _ := json.Marshal(reg.Resolve(s))
	fmt.Println(string(b))
	b, _ = json.Marshal(Patch{Note: schema.Some[*string](nil)})
	fmt.Println(string(b))
	// Output:
	// {"type":"object","additionalProperties":false,"properties":{"name":{"type":"string","minLength":1},"note":{"type":["string","null"]}}}
	// {"note":null}
}
