package main

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"sync"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/openapi"
)

// Dish is a dish on the menu.
type Dish struct {
	ID    int64    `json:"id" readOnly:"true" doc:"Identifier, assigned by the server"`
	Name  string   `json:"name" minLength:"1" maxLength:"80" pattern:"\\S" example:"Tomato soup" doc:"Display name, not blank"`
	Price float64  `json:"price" exclusiveMinimum:"0" maximum:"1000" doc:"Price in euros"`
	Tags  []string `json:"tags,omitempty" maxItems:"10" maxLength:"20" pattern:"^[a-z-]+$"`
}

// DishInput is what a client sends to create or replace a dish.
type DishInput struct {
	Name  string   `json:"name" minLength:"1" maxLength:"80" pattern:"\\S" example:"Tomato soup" doc:"Display name, not blank"`
	Price float64  `json:"price" exclusiveMinimum:"0" maximum:"1000" doc:"Price in euros"`
	Tags  []string `json:"tags,omitempty" maxItems:"10" maxLength:"20" pattern:"^[a-z-]+$" uniqueItems:"true"`
}

// MaxDishes bounds the menu: the store is in memory, and anyone may add.
const MaxDishes = 1000

// errFull answers an addition to a full menu.
var errFull = roux.Errorf(http.StatusConflict, "the menu is full (%d dishes); remove one first", MaxDishes)

// Store is an in-memory menu of at most MaxDishes dishes, safe for
// concurrent use.
type Store struct {
	mu     sync.Mutex
	next   int64
	dishes map[int64]Dish
}

// NewStore returns a store seeded with two dishes.
func NewStore() *Store {
	s := &Store{dishes: map[int64]Dish{}}
	s.add(DishInput{Name: "Tomato soup", Price: 6.5, Tags: []string{"vegan", "starter"}})
	s.add(DishInput{Name: "Risotto", Price: 14, Tags: []string{"main"}})
	return s
}

func (s *Store) add(in DishInput) (Dish, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.dishes) >= MaxDishes {
		return Dish{}, errFull
	}
	s.next++
	d := Dish{ID: s.next, Name: in.Name, Price: in.Price, Tags: slices.Clone(in.Tags)}
	s.dishes[d.ID] = d
	return d, nil
}

type listInput struct {
	Tag    string `query:"tag" doc:"Only dishes with this tag"`
	Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"20"`
	Offset int    `query:"offset" minimum:"0" default:"0"`
}

type dishPath struct {
	ID int64 `path:"id" minimum:"1" doc:"Dish identifier"`
}

type created struct {
	Status   int
	Location string `header:"Location"`
	Body     Dish
}

// NewAPI returns the hello API over store, configured by c (its logger
// and docs path; NewAPI sets the document's title and the rest).
func NewAPI(store *Store, c roux.Config) *roux.API {
	c.Title, c.Version = "Hello kitchen", "1.0.0"
	c.Description = "A small in-memory menu served by roux."
	c.Contact = &openapi.Contact{Name: "The roux authors", URL: "https://github.com/roux-go/roux"}
	c.License = &openapi.License{Name: "MIT", Identifier: "MIT"}
	c.Servers = []openapi.Server{{URL: "/", Description: "The server that serves this document"}}
	c.Tags = []openapi.Tag{{Name: "menu", Description: "The dishes on the menu. Anyone may read and change them."}}
	api := roux.New(c)
	// The menu needs no credentials: every operation says so.
	menu := api.Group("/dishes", roux.Tags("menu"), roux.Public())

	roux.Get(menu, "", func(ctx context.Context, in *listInput) (*[]Dish, error) {
		store.mu.Lock()
		defer store.mu.Unlock()
		out := []Dish{}
		for _, d := range store.dishes {
			if in.Tag == "" || slices.Contains(d.Tags, in.Tag) {
				out = append(out, d)
			}
		}
		slices.SortFunc(out, func(a, b Dish) int { return int(a.ID - b.ID) })
		out = out[min(in.Offset, len(out)):]
		out = out[:min(in.Limit, len(out))]
		return &out, nil
	}, roux.Summary("List dishes"),
		roux.Description("Pages through the dishes in the order they were added, optionally only those with a tag."),
		roux.ParamExample("tag", "vegan", "Vegan dishes", "vegan"))

	roux.Get(menu, "/{id}", func(ctx context.Context, in *dishPath) (*Dish, error) {
		store.mu.Lock()
		defer store.mu.Unlock()
		d, ok := store.dishes[in.ID]
		if !ok {
			return nil, roux.Errorf(http.StatusNotFound, "dish %d does not exist", in.ID)
		}
		return &d, nil
	}, roux.Summary("Get a dish"), roux.Description("Answers with the dish, or 404 if there is none with this identifier."),
		roux.Response(http.StatusNotFound, "No such dish", nil),
		roux.ResponseExample("soup", "A starter", Dish{ID: 1, Name: "Tomato soup", Price: 6.5, Tags: []string{"vegan", "starter"}}))

	roux.Post(menu, "", func(ctx context.Context, in *struct{ Body DishInput }) (*created, error) {
		d, err := store.add(in.Body)
		if err != nil {
			return nil, err
		}
		return &created{Location: "/dishes/" + itoa(d.ID), Body: d}, nil
	}, roux.Summary("Add a dish"), roux.Status(http.StatusCreated),
		roux.Description("Adds a dish and answers with it, its identifier assigned, and its URL in Location."),
		roux.Response(http.StatusConflict, "The menu is full", nil),
		roux.RequestExample("gazpacho", "A vegan starter", DishInput{Name: "Gazpacho", Price: 7.5, Tags: []string{"vegan", "starter"}}),
		roux.RequestExample("untagged", "A dish without tags", DishInput{Name: "Risotto", Price: 14}))

	roux.Put(menu, "/{id}", func(ctx context.Context, in *struct {
		dishPath
		Body DishInput
	}) (*Dish, error) {
		store.mu.Lock()
		defer store.mu.Unlock()
		if _, ok := store.dishes[in.ID]; !ok {
			return nil, roux.Errorf(http.StatusNotFound, "dish %d does not exist", in.ID)
		}
		d := Dish{ID: in.ID, Name: in.Body.Name, Price: in.Body.Price, Tags: in.Body.Tags}
		store.dishes[in.ID] = d
		return &d, nil
	}, roux.Summary("Replace a dish"), roux.Description("Replaces every field of the dish; tags left out are removed."),
		roux.Response(http.StatusNotFound, "No such dish", nil))

	roux.Delete(menu, "/{id}", func(ctx context.Context, in *dishPath) (*struct{}, error) {
		store.mu.Lock()
		defer store.mu.Unlock()
		if _, ok := store.dishes[in.ID]; !ok {
			return nil, roux.Errorf(http.StatusNotFound, "dish %d does not exist", in.ID)
		}
		delete(store.dishes, in.ID)
		return &struct{}{}, nil
	}, roux.Summary("Remove a dish"), roux.Description("Removes the dish from the menu."),
		roux.Response(http.StatusNotFound, "No such dish", nil))
	return api
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
