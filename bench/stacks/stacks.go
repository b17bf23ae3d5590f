// Package stacks implements the benchmark API (see package conformance)
// once per Go stack, one file each. Every net/http stack is an
// http.Handler; fiber, which runs on fasthttp, is a *fiber.App.
package stacks

import (
	"net/http"

	"github.com/gofiber/fiber/v2"
)

// Stack is one implementation of the benchmark API.
type Stack struct {
	Name string
	// Handler builds the stack as an http.Handler; nil for fiber.
	Handler func() http.Handler
	// Fiber builds the stack as a fiber app; nil for net/http stacks.
	Fiber func() *fiber.App
}

// All lists the Go stacks, the floor first.
var All = []Stack{
	{Name: "floor", Handler: NewFloor},
	{Name: "roux", Handler: NewRoux},
	{Name: "huma", Handler: NewHuma},
	{Name: "gin", Handler: NewGin},
	{Name: "echo", Handler: NewEcho},
	{Name: "fuego", Handler: NewFuego},
	{Name: "fiber", Fiber: NewFiber},
}

// ByName returns the stack called name.
func ByName(name string) (Stack, bool) {
	for _, s := range All {
		if s.Name == name {
			return s, true
		}
	}
	return Stack{}, false
}

// serverName is the Server header of GET /json.
const serverName = "bench"
