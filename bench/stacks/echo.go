package stacks

import (
	"net/http"

	"github.com/go-playground/validator/v10"
	"github.com/labstack/echo/v4"
)

type echoGetIn struct {
	ID    int64  `param:"id" validate:"min=1"`
	Q     string `query:"q"`
	Limit int    `query:"limit" validate:"min=1,max=100"`
}

type echoItem struct {
	ID    int64  `json:"id"`
	Q     string `json:"q"`
	Limit int    `json:"limit"`
}

type echoBody struct {
	Name  string   `json:"name" validate:"required,min=1,max=50"`
	Price float64  `json:"price" validate:"required,gt=0"`
	Tags  []string `json:"tags,omitempty"`
}

type echoValidator struct{ v *validator.Validate }

func (e echoValidator) Validate(i any) error { return e.v.Struct(i) }

// NewEcho returns the echo v4 implementation (Bind plus go-playground
// validator, the combination echo's documentation shows).
func NewEcho() http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Validator = echoValidator{validator.New()}
	e.GET("/json", func(c echo.Context) error {
		c.Response().Header().Set("Server", serverName)
		return c.JSON(200, map[string]string{"message": "Hello, World!"})
	})
	e.GET("/items/:id", func(c echo.Context) error {
		in := echoGetIn{Limit: 10} // echo binds only the keys present
		if err := c.Bind(&in); err != nil {
			return c.JSON(422, map[string]string{"error": err.Error()})
		}
		if err := c.Validate(&in); err != nil {
			return c.JSON(422, map[string]string{"error": err.Error()})
		}
		return c.JSON(200, echoItem{ID: in.ID, Q: in.Q, Limit: in.Limit})
	})
	e.POST("/items", func(c echo.Context) error {
		var b echoBody
		if err := c.Bind(&b); err != nil {
			return c.JSON(422, map[string]string{"error": err.Error()})
		}
		if err := c.Validate(&b); err != nil {
			return c.JSON(422, map[string]string{"error": err.Error()})
		}
		return c.JSON(201, b)
	})
	return e
}
