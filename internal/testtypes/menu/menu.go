// Package menu holds types for roux's own tests: a Dish that shares its
// name with legacy.Dish, to test unique component names.
package menu

// Dish is a dish on the current menu.
type Dish struct {
	Name string `json:"name" minLength:"1"`
}
