package stacks

import (
	"strconv"

	"github.com/go-playground/validator/v10"
	"github.com/gofiber/fiber/v2"
)

type fiberItem struct {
	ID    int64  `json:"id"`
	Q     string `json:"q"`
	Limit int    `json:"limit"`
}

type fiberBody struct {
	Name  string   `json:"name" validate:"required,min=1,max=50"`
	Price float64  `json:"price" validate:"required,gt=0"`
	Tags  []string `json:"tags,omitempty"`
}

// NewFiber returns the fiber v2 implementation (fasthttp underneath;
// go-playground validator for the body, as fiber's documentation shows).
func NewFiber() *fiber.App {
	app := fiber.New(fiber.Config{ServerHeader: serverName, DisableStartupMessage: true})
	v := validator.New()
	app.Get("/json", func(c *fiber.Ctx) error {
		return c.JSON(fiber.Map{"message": "Hello, World!"})
	})
	app.Get("/items/:id", func(c *fiber.Ctx) error {
		var errs []string
		id, err := strconv.ParseInt(c.Params("id"), 10, 64)
		if err != nil || id < 1 {
			errs = append(errs, "id: expected an integer >= 1")
		}
		limit := 10
		if s := c.Query("limit"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > 100 {
				errs = append(errs, "limit: expected an integer in 1..100")
			}
			limit = n
		}
		if len(errs) > 0 {
			return c.Status(422).JSON(fiber.Map{"errors": errs})
		}
		return c.JSON(fiberItem{ID: id, Q: c.Query("q"), Limit: limit})
	})
	app.Post("/items", func(c *fiber.Ctx) error {
		var b fiberBody
		if err := c.BodyParser(&b); err != nil {
			return c.Status(400).JSON(fiber.Map{"error": err.Error()})
		}
		if err := v.Struct(&b); err != nil {
			return c.Status(422).JSON(fiber.Map{"error": err.Error()})
		}
		return c.Status(201).JSON(b)
	})
	return app
}
