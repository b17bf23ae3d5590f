package roux_test

import (
	"context"

	"github.com/roux-go/roux"
)

// PriceRange is an input whose parameters are related: a Validate method
// checks what the schema of each cannot.
type PriceRange struct {
	Min float64 `query:"min" minimum:"0"`
	Max float64 `query:"max" minimum:"0" default:"100"`
}

func (in *PriceRange) Validate(c *roux.Checks) {
	if in.Min > in.Max {
		c.Param("query", "max", "priceRange", "must be at least min")
	}
}

// Booking is a body whose members are related.
type Booking struct {
	Guests int `json:"guests" minimum:"1"`
	Seats  int `json:"seats" minimum:"1"`
}

func (b *Booking) Validate(c *roux.Checks) {
	if b.Seats < b.Guests {
		c.Member("/seats", "enoughSeats", "must be at least guests")
	}
}

// Validate methods run after the schema's checks, and their failures are
// answered in the same 422 problem, with parameter names or JSON
// pointers. A rule does not run on a value that failed its schema.
func ExampleValidator() {
	api := roux.New(roux.Config{})
	roux.Get(api, "/dishes", func(ctx context.Context, in *PriceRange) (*PriceRange, error) {
		return in, nil
	})
	roux.Post(api, "/bookings", func(ctx context.Context, in *struct{ Body Booking }) (*Booking, error) {
		return &in.Body, nil
	})

	serve(api, "GET", "/dishes?min=5&max=10", "")
	serve(api, "GET", "/dishes?min=50&max=10", "")
	serve(api, "POST", "/bookings", `{"guests":4,"seats":2}`)
	serve(api, "POST", "/bookings", `{"guests":4,"seats":0}`)
	// Output:
	// 200 {"Min":5,"Max":10}
	// 422 {"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"query parameter \"max\": must be at least min","errors":[{"detail":"must be at least min","parameter":"max","in":"query","code":"priceRange"}]}
	// 422 {"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"body member /seats: must be at least guests","errors":[{"detail":"must be at least guests","pointer":"/seats","code":"enoughSeats"}]}
	// 422 {"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"body member /seats: must be at least 1","errors":[{"detail":"must be at least 1","pointer":"/seats","code":"minimum","value":0}]}
}
