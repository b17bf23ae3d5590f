package kitchen

import (
	"github.com/roux-go/roux"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
	"github.com/roux-go/roux/examples/kitchen/kitchenapi"
)

func dishView(d store.Dish) kitchenapi.Dish {
	return kitchenapi.Dish{ID: d.ID, Name: d.Name, Description: d.Description, PriceCents: d.PriceCents, Tags: d.Tags,
		Station: kitchenapi.Station(d.Station), PrepSeconds: d.PrepSeconds, Available: d.Available, Version: d.Version,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
}

// dishFields returns the stored fields of a dish a client sent.
func dishFields(in kitchenapi.DishInput) store.DishFields {
	f := store.DishFields{Name: in.Name, Description: in.Description, PriceCents: in.PriceCents, Tags: in.Tags,
		Station: string(in.Station), PrepSeconds: in.PrepSeconds, Available: true}
	if in.Available != nil {
		f.Available = *in.Available
	}
	return f
}

// applyPatch returns the fields of d changed by the merge patch p: the
// patch applies to the dish as clients see it, member by member.
func applyPatch(p *kitchenapi.DishPatch, d store.Dish) (store.DishFields, error) {
	v := dishView(d)
	if err := roux.ApplyMergePatch(&v, p); err != nil {
		return store.DishFields{}, err
	}
	return store.DishFields{Name: v.Name, Description: v.Description, PriceCents: v.PriceCents, Tags: v.Tags,
		Station: string(v.Station), PrepSeconds: v.PrepSeconds, Available: v.Available}, nil
}

func orderView(o store.Order) kitchenapi.Order {
	v := kitchenapi.Order{ID: o.ID, Status: o.Status, Note: o.Note, Items: make([]kitchenapi.OrderItem, len(o.Items)), Version: o.Version,
		Events: "/orders/" + itoa(o.ID) + "/events", CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
	for i, it := range o.Items {
		v.Items[i] = kitchenapi.OrderItem{Line: it.Line, DishID: it.DishID, Name: it.Name, UnitPriceCents: it.UnitPriceCents,
			Quantity: it.Quantity, Station: kitchenapi.Station(it.Station), Status: it.Status}
		v.TotalCents += it.UnitPriceCents * int64(it.Quantity)
	}
	return v
}
