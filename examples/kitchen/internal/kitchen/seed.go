package kitchen

import (
	"context"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
)

// seedMenu is the menu of a first start.
var seedMenu = []store.DishFields{
	{Name: "Tomato soup", Description: "Slow-roasted tomatoes, basil oil", PriceCents: 650, Tags: []string{"vegan", "starter"}, Station: "cold", PrepSeconds: 2, Available: true},
	{Name: "Gazpacho", Description: "Cold tomato and cucumber soup", PriceCents: 700, Tags: []string{"vegan", "starter", "cold"}, Station: "cold", PrepSeconds: 1, Available: true},
	{Name: "Grilled halloumi", Description: "With mint and lemon", PriceCents: 850, Tags: []string{"vegetarian", "starter"}, Station: "grill", PrepSeconds: 3, Available: true},
	{Name: "Ribeye steak", Description: "300 g, chips, pepper sauce", PriceCents: 2600, Tags: []string{"main"}, Station: "grill", PrepSeconds: 6, Available: true},
	{Name: "Pad thai", Description: "Rice noodles, tofu, peanuts", PriceCents: 1400, Tags: []string{"vegan", "main", "spicy"}, Station: "wok", PrepSeconds: 4, Available: true},
	{Name: "Margherita", Description: "Tomato, mozzarella, basil", PriceCents: 1100, Tags: []string{"vegetarian", "main"}, Station: "oven", PrepSeconds: 5, Available: true},
	{Name: "Tarte tatin", Description: "Caramelised apples, crème fraîche", PriceCents: 750, Tags: []string{"vegetarian", "dessert"}, Station: "pastry", PrepSeconds: 2, Available: true},
	{Name: "Lemonade", Description: "Pressed to order", PriceCents: 400, Tags: []string{"vegan", "drink"}, Station: "bar", PrepSeconds: 1, Available: true},
	{Name: "Truffle risotto", Description: "Back in the autumn", PriceCents: 2200, Tags: []string{"vegetarian", "main"}, Station: "wok", PrepSeconds: 5, Available: false},
}

// seed fills an empty database: the menu and the demo customer.
func seed(ctx context.Context, db store.Store) error {
	for _, f := range seedMenu {
		if _, err := db.CreateDish(ctx, f); err != nil {
			return err
		}
	}
	_, err := db.CreateCustomer(ctx, "Demo customer", hashToken(DemoCustomerToken))
	return err
}
