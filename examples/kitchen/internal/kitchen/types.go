package kitchen

import (
	"github.com/roux-go/roux/examples/kitchen/internal/store"
	"github.com/roux-go/roux/examples/kitchen/kitchenapi"
)

func dishView(d store.Dish) kitchenapi.Dish {
	return kitchenapi.Dish{ID: d.ID, Name: d.Name, Description: d.Description, PriceCents: d.PriceCents, Tags: d.Tags,
		Station: d.Station, PrepSeconds: d.PrepSeconds, Available: d.Available, Version: d.Version,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
}

// dishFields returns the stored fields of a dish a client sent.
func dishFields(in kitchenapi.DishInput) store.DishFields {
	f := store.DishFields{Name: in.Name, Description: in.Description, PriceCents: in.PriceCents, Tags: in.Tags,
		Station: in.Station, PrepSeconds: in.PrepSeconds, Available: true}
	if in.Available != nil {
		f.Available = *in.Available
	}
	return f
}

// applyPatch returns f changed by the patch p.
func applyPatch(p kitchenapi.DishPatch, f store.DishFields) store.DishFields {
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

func orderView(o store.Order) kitchenapi.Order {
	v := kitchenapi.Order{ID: o.ID, Status: o.Status, Note: o.Note, Items: make([]kitchenapi.OrderItem, len(o.Items)), Version: o.Version,
		Events: "/orders/" + itoa(o.ID) + "/events", CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
	for i, it := range o.Items {
		v.Items[i] = kitchenapi.OrderItem{Line: it.Line, DishID: it.DishID, Name: it.Name, UnitPriceCents: it.UnitPriceCents,
			Quantity: it.Quantity, Station: it.Station, Status: it.Status}
		v.TotalCents += it.UnitPriceCents * int64(it.Quantity)
	}
	return v
}
