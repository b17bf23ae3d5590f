package roux_test

import (
	"context"
	"net/http"
	"slices"
	"sync"

	"github.com/roux-go/roux"
)

// The features API exercises enums declared by a method, merge patches
// with Optional members, and Validate methods on inputs and bodies. Its
// document is a golden file (TestOpenAPIGolden, TestOpenAPI30Golden).

// Station lists its values once; every field of the type gets the enum.
type Station string

const (
	Grill Station = "grill"
	Fry   Station = "fry"
	Cold  Station = "cold"
)

func (Station) Enum() []Station { return []Station{Grill, Fry, Cold} }

// Window is a time window in minutes after midnight.
type Window struct {
	From int `json:"from" minimum:"0" maximum:"1440"`
	To   int `json:"to" minimum:"0" maximum:"1440"`
}

func (w Window) Validate(c *roux.Checks) {
	if w.From > w.To {
		c.Member("/to", "windowOrder", "must not be before from")
	}
}

type Ticket struct {
	Dish    string    `json:"dish" minLength:"1"`
	Station Station   `json:"station"`
	Backup  *Station  `json:"backup,omitempty"`
	Route   []Station `json:"route,omitempty" maxItems:"3"`
	Window  Window    `json:"window"`
}

func (t *Ticket) Validate(c *roux.Checks) {
	if t.Backup != nil && *t.Backup == t.Station {
		c.Member("/backup", "distinct", "must differ from station")
	}
}

type TicketInput struct {
	Kitchen string `query:"kitchen" minLength:"2"`
	Body    Ticket
}

type TicketsInput struct {
	Station Station   `query:"station"`
	Route   []Station `query:"route" explode:"false"`
}

type FeatDish struct {
	ID          int64             `json:"id"`
	Name        string            `json:"name" minLength:"1" maxLength:"80"`
	Description *string           `json:"description,omitempty"`
	Price       float64           `json:"price" exclusiveMinimum:"0"`
	Station     Station           `json:"station"`
	Tags        []string          `json:"tags,omitempty"`
	Allergens   map[string]string `json:"allergens,omitempty"`
}

// DishPatch is a JSON Merge Patch of a FeatDish: description and each
// allergen can be cleared with null; name, price and station cannot.
type DishPatch struct {
	Name        roux.Optional[string]             `json:"name,omitzero" minLength:"1" maxLength:"80"`
	Description roux.Optional[*string]            `json:"description,omitzero" maxLength:"200"`
	Price       roux.Optional[float64]            `json:"price,omitzero" exclusiveMinimum:"0"`
	Station     roux.Optional[Station]            `json:"station,omitzero"`
	Tags        roux.Optional[[]string]           `json:"tags,omitzero" maxItems:"5"`
	Allergens   roux.Optional[map[string]*string] `json:"allergens,omitzero"`
}

type PatchDishInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body DishPatch
}

type ListDishesInput struct {
	MinPrice float64   `query:"min_price" minimum:"0"`
	MaxPrice *float64  `query:"max_price" minimum:"0"`
	Station  []Station `query:"station"`
}

func (in *ListDishesInput) Validate(c *roux.Checks) {
	if in.MaxPrice != nil && in.MinPrice > *in.MaxPrice {
		c.Param("query", "max_price", "priceRange", "must be at least min_price")
	}
}

// featuresAPI is the API with its operations, for the typed client, and
// a count of the handler calls of list.
type featuresAPI struct {
	api     *roux.API
	list    *roux.Operation[ListDishesInput, []FeatDish]
	patch   *roux.Operation[PatchDishInput, FeatDish]
	ticket  *roux.Operation[TicketInput, Ticket]
	mu      sync.Mutex
	dishes  map[int64]FeatDish
	listHit int
}

func newFeaturesAPI() *featuresAPI {
	desc := "Crisp, with herbs"
	f := &featuresAPI{
		api: roux.New(roux.Config{Title: "Features", Version: "1.0.0"}),
		dishes: map[int64]FeatDish{1: {
			ID: 1, Name: "Fries", Description: &desc, Price: 4.5, Station: Fry,
			Tags: []string{"side"}, Allergens: map[string]string{"gluten": "traces"},
		}},
	}
	roux.Get(f.api, "/tickets", func(ctx context.Context, in *TicketsInput) (*TicketsInput, error) {
		return in, nil
	}, roux.Summary("Echo the station filters"))
	f.ticket = roux.Post(f.api, "/tickets", func(ctx context.Context, in *TicketInput) (*Ticket, error) {
		return &in.Body, nil
	}, roux.Summary("Send a ticket to a station"))
	f.list = roux.Get(f.api, "/dishes", func(ctx context.Context, in *ListDishesInput) (*[]FeatDish, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.listHit++
		out := []FeatDish{}
		for _, d := range f.dishes {
			if d.Price >= in.MinPrice && (in.MaxPrice == nil || d.Price <= *in.MaxPrice) &&
				(len(in.Station) == 0 || slices.Contains(in.Station, d.Station)) {
				out = append(out, d)
			}
		}
		return &out, nil
	}, roux.Summary("List dishes in a price range"))
	f.patch = roux.Patch(f.api, "/dishes/{id}", func(ctx context.Context, in *PatchDishInput) (*FeatDish, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		d, ok := f.dishes[in.ID]
		if !ok {
			return nil, roux.NewError(http.StatusNotFound, "no such dish")
		}
		if err := roux.ApplyMergePatch(&d, &in.Body); err != nil {
			return nil, err
		}
		f.dishes[in.ID] = d
		return &d, nil
	}, roux.Summary("Change a dish"), roux.MergePatch(), roux.Response(http.StatusNotFound, "No such dish", nil))
	return f
}
