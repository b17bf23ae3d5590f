package stacks

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/go-fuego/fuego"
	"github.com/go-fuego/fuego/param"
)

type fuegoMessage struct {
	Message string `json:"message"`
}

type fuegoItem struct {
	ID    int64  `json:"id"`
	Q     string `json:"q"`
	Limit int    `json:"limit"`
}

type fuegoBody struct {
	Name  string   `json:"name" validate:"required,min=1,max=50"`
	Price float64  `json:"price" validate:"required,gt=0"`
	Tags  []string `json:"tags,omitempty"`
}

// NewFuego returns the fuego implementation, served through its
// ServeMux (fuego's request logging is left out, as for every stack).
func NewFuego() http.Handler {
	s := fuego.NewServer(
		fuego.WithLoggingMiddleware(fuego.LoggingConfig{DisableRequest: true, DisableResponse: true}),
		fuego.WithLogHandler(slog.DiscardHandler),
		// fuego's default JSON sender streams without Content-Length,
		// which the TechEmpower test requires: marshal, then write.
		fuego.WithSerializer(func(w http.ResponseWriter, _ *http.Request, v any) error {
			b, err := json.Marshal(v)
			if err != nil {
				return err
			}
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", strconv.Itoa(len(b)))
			_, err = w.Write(b)
			return err
		}),
	)
	fuego.Get(s, "/json", func(c fuego.ContextNoBody) (fuegoMessage, error) {
		c.SetHeader("Server", serverName)
		return fuegoMessage{"Hello, World!"}, nil
	})
	fuego.Get(s, "/items/{id}", func(c fuego.ContextNoBody) (fuegoItem, error) {
		var errs []fuego.ErrorItem
		id, err := strconv.ParseInt(c.PathParam("id"), 10, 64)
		if err != nil || id < 1 {
			errs = append(errs, fuego.ErrorItem{Name: "id", Reason: "expected an integer >= 1"})
		}
		limit, err := c.QueryParamIntErr("limit")
		if err != nil || limit < 1 || limit > 100 {
			errs = append(errs, fuego.ErrorItem{Name: "limit", Reason: "expected an integer in 1..100"})
		}
		if len(errs) > 0 {
			return fuegoItem{}, fuego.HTTPError{Status: 422, Title: "Unprocessable Entity", Errors: errs}
		}
		return fuegoItem{ID: id, Q: c.QueryParam("q"), Limit: limit}, nil
	}, fuego.OptionQueryInt("limit", "page size", param.Default(10)), fuego.OptionQuery("q", "query"))
	fuego.Post(s, "/items", func(c fuego.ContextWithBody[fuegoBody]) (fuegoBody, error) {
		b, err := c.Body()
		if err != nil {
			return fuegoBody{}, err
		}
		return b, nil
	}, fuego.OptionDefaultStatusCode(201))
	return s.Mux
}
