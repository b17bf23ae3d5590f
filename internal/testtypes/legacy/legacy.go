// Package legacy holds types for roux's own tests: a Dish that shares its
// name with menu.Dish, to test unique component names.
package legacy

// Dish is a dish of the old menu.
type Dish struct {
	Code int `json:"code" minimum:"1"`
}
