package kitchen

import (
	"time"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
)

// Dish is a dish on the menu, as the API shows it.
type Dish struct {
	ID          int64     `json:"id" readOnly:"true" example:"1" doc:"Identifier, assigned by the server"`
	Name        string    `json:"name" example:"Tomato soup"`
	Description string    `json:"description,omitempty" example:"Slow-roasted tomatoes, basil oil"`
	PriceCents  int64     `json:"price_cents" example:"650" doc:"Price in euro cents: 650 is 6.50 EUR"`
	Tags        []string  `json:"tags" example:"vegan,starter"`
	Station     string    `json:"station" example:"cold" doc:"Where the dish is prepared"`
	PrepSeconds int       `json:"prep_seconds" example:"3" doc:"How long the dish takes to prepare"`
	Available   bool      `json:"available" doc:"Whether the dish can be ordered now"`
	Version     int64     `json:"version" readOnly:"true" example:"1" doc:"Incremented by every change; the ETag is this number in quotes"`
	CreatedAt   time.Time `json:"created_at" readOnly:"true"`
	UpdatedAt   time.Time `json:"updated_at" readOnly:"true"`
}

// DishInput is what a client sends to create or replace a dish.
type DishInput struct {
	Name        string   `json:"name" minLength:"1" maxLength:"80" pattern:"\\S" example:"Gazpacho" doc:"Display name, not blank"`
	Description string   `json:"description,omitempty" maxLength:"500" example:"Cold tomato and cucumber soup"`
	PriceCents  int64    `json:"price_cents" minimum:"1" maximum:"1000000" example:"750" doc:"Price in euro cents"`
	Tags        []string `json:"tags,omitempty" maxItems:"10" maxLength:"20" pattern:"^[a-z][a-z-]*$" uniqueItems:"true" example:"vegan,starter" doc:"Lower-case words such as vegan, spicy, main"`
	Station     string   `json:"station" enum:"cold,grill,wok,oven,pastry,bar" example:"cold" doc:"Where the dish is prepared"`
	PrepSeconds int      `json:"prep_seconds" minimum:"0" maximum:"3600" example:"3" doc:"How long the dish takes to prepare"`
	Available   *bool    `json:"available,omitempty" example:"true" doc:"Whether the dish can be ordered; true when absent"`
}

// DishPatch changes some fields of a dish: absent members (and null)
// keep their value.
type DishPatch struct {
	Name        *string   `json:"name,omitempty" minLength:"1" maxLength:"80" pattern:"\\S" example:"Gazpacho"`
	Description *string   `json:"description,omitempty" maxLength:"500"`
	PriceCents  *int64    `json:"price_cents,omitempty" minimum:"1" maximum:"1000000" example:"800"`
	Tags        *[]string `json:"tags,omitempty" maxItems:"10" maxLength:"20" pattern:"^[a-z][a-z-]*$" uniqueItems:"true"`
	Station     *string   `json:"station,omitempty" enum:"cold,grill,wok,oven,pastry,bar"`
	PrepSeconds *int      `json:"prep_seconds,omitempty" minimum:"0" maximum:"3600"`
	Available   *bool     `json:"available,omitempty" example:"false"`
}

// DishPage is one page of the menu.
type DishPage struct {
	Items  []Dish `json:"items"`
	Total  int    `json:"total" example:"8" doc:"How many dishes match, on every page"`
	Limit  int    `json:"limit" example:"20"`
	Offset int    `json:"offset" example:"0"`
	Next   string `json:"next,omitempty" example:"/dishes?limit=20&offset=20" doc:"The next page, when there is one"`
}

func dishView(d store.Dish) Dish {
	return Dish{ID: d.ID, Name: d.Name, Description: d.Description, PriceCents: d.PriceCents, Tags: d.Tags,
		Station: d.Station, PrepSeconds: d.PrepSeconds, Available: d.Available, Version: d.Version,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
}

func (in DishInput) fields() store.DishFields {
	f := store.DishFields{Name: in.Name, Description: in.Description, PriceCents: in.PriceCents, Tags: in.Tags,
		Station: in.Station, PrepSeconds: in.PrepSeconds, Available: true}
	if in.Available != nil {
		f.Available = *in.Available
	}
	return f
}

// apply returns f changed by the patch.
func (p DishPatch) apply(f store.DishFields) store.DishFields {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&f.Name, p.Name)
	set(&f.Description, p.Description)
	set(&f.Station, p.Station)
	if p.PriceCents != nil {
		f.PriceCents = *p.PriceCents
	}
	if p.Tags != nil {
		f.Tags = *p.Tags
	}
	if p.PrepSeconds != nil {
		f.PrepSeconds = *p.PrepSeconds
	}
	if p.Available != nil {
		f.Available = *p.Available
	}
	return f
}

// Order is an order, as the API shows it.
type Order struct {
	ID         int64       `json:"id" example:"1"`
	Status     string      `json:"status" enum:"received,cooking,ready,cancelled" example:"cooking" doc:"received, then cooking, then ready; or cancelled"`
	Note       string      `json:"note,omitempty" example:"No onions, please"`
	Items      []OrderItem `json:"items"`
	TotalCents int64       `json:"total_cents" example:"1950" doc:"Sum of the lines in euro cents; GET /orders/{id}/bill for the bill"`
	Version    int64       `json:"version" example:"4" doc:"Incremented by every change; the ETag is this number in quotes"`
	Events     string      `json:"events" example:"/orders/1/events" doc:"The order's progress as server-sent events"`
	CreatedAt  time.Time   `json:"created_at"`
	UpdatedAt  time.Time   `json:"updated_at"`
}

// OrderItem is one line of an order.
type OrderItem struct {
	Line           int    `json:"line" example:"1"`
	DishID         int64  `json:"dish_id,omitempty" example:"1" doc:"Absent when the dish has since been removed from the menu"`
	Name           string `json:"name" example:"Tomato soup"`
	UnitPriceCents int64  `json:"unit_price_cents" example:"650" doc:"The price when ordered"`
	Quantity       int    `json:"quantity" example:"2"`
	Station        string `json:"station" example:"cold"`
	Status         string `json:"status" enum:"queued,cooking,done,cancelled" example:"cooking"`
}

// OrderInput is what a customer sends to order.
type OrderInput struct {
	Items []OrderLine `json:"items" minItems:"1" maxItems:"20" doc:"The dishes, each at most 20 times"`
	Note  string      `json:"note,omitempty" maxLength:"200" example:"No onions, please"`
}

// OrderLine is a dish and how many of it.
type OrderLine struct {
	DishID   int64 `json:"dish_id" minimum:"1" example:"1"`
	Quantity int   `json:"quantity" minimum:"1" maximum:"20" example:"2"`
}

// OrderPage is one page of a customer's orders, newest first.
type OrderPage struct {
	Items  []Order `json:"items"`
	Total  int     `json:"total" example:"1"`
	Limit  int     `json:"limit" example:"20"`
	Offset int     `json:"offset" example:"0"`
}

func orderView(o store.Order) Order {
	v := Order{ID: o.ID, Status: o.Status, Note: o.Note, Items: make([]OrderItem, len(o.Items)), Version: o.Version,
		Events: "/orders/" + itoa(o.ID) + "/events", CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
	for i, it := range o.Items {
		v.Items[i] = OrderItem{Line: it.Line, DishID: it.DishID, Name: it.Name, UnitPriceCents: it.UnitPriceCents,
			Quantity: it.Quantity, Station: it.Station, Status: it.Status}
		v.TotalCents += it.UnitPriceCents * int64(it.Quantity)
	}
	return v
}

// NewCustomer is a customer to register.
type NewCustomer struct {
	Name string `json:"name" minLength:"1" maxLength:"80" pattern:"\\S" example:"Ann"`
}

// Customer is a registered customer with the token to order with.
type Customer struct {
	ID    int64  `json:"id" example:"2"`
	Name  string `json:"name" example:"Ann"`
	Token string `json:"token" example:"9b1f0c4e2d7a" doc:"The bearer token to order with. It is shown once: the kitchen keeps only its hash"`
}
