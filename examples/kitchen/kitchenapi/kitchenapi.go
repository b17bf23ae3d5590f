// Package kitchenapi declares the kitchen's API: every operation's
// method, path, input and output, and its documentation. It is the
// contract the service (package internal/kitchen) implements and a
// client calls with package github.com/roux-go/roux/client:
//
//	c := client.New("http://127.0.0.1:8080", client.Header("X-Staff-Key", key))
//	dish, err := client.Call(ctx, c, kitchenapi.GetDish, &kitchenapi.GetDishInput{ID: 1})
//
// It imports roux and nothing of the service: a client program of the
// kitchen (cmd/kitchen-client) compiles without the store, its database
// drivers or the telemetry SDK.
//
// Inputs hold only what goes on the wire. The staff key (header
// X-Staff-Key) and the customers' bearer tokens are the security
// schemes', not fields: send them with client.Header.
//
// The requests the kitchen sends are declared here too: [OrderReady],
// the webhook a customer's endpoint ([SetWebhook]) receives when one of
// their orders is ready. A receiver verifies it with roux.VerifyWebhook
// and the secret SetWebhook answered with, and decodes an
// [OrderReadyEvent].
package kitchenapi

import (
	"net/http"
	"slices"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/sse"
)

// ListDishesInput is the input of [ListDishes].
type ListDishesInput struct {
	Tag       []string `query:"tag" maxItems:"5" maxLength:"20" pattern:"^[a-z][a-z-]*$" example:"vegan" doc:"Only dishes with this tag; repeat it for dishes with every one (?tag=vegan&tag=main)"`
	MinPrice  int64    `query:"min_price" minimum:"1" example:"500" doc:"Lowest price, in cents"`
	MaxPrice  int64    `query:"max_price" minimum:"1" example:"1500" doc:"Highest price, in cents"`
	Available *bool    `query:"available" doc:"Only dishes that can (true) or cannot (false) be ordered now"`
	Sort      string   `query:"sort" enum:"id,-id,name,-name,price,-price" default:"id" doc:"Order of the list; a minus sign reverses it"`
	Limit     int      `query:"limit" minimum:"1" maximum:"100" default:"20" doc:"Dishes per page"`
	Offset    int      `query:"offset" minimum:"0" maximum:"1000000" default:"0" doc:"Dishes to skip"`
}

// Validate refuses a price range whose bounds are the wrong way round
// (min_price above max_price), in the 422 of the parameters' own checks.
func (in *ListDishesInput) Validate(c *roux.Checks) {
	if in.MinPrice > 0 && in.MaxPrice > 0 && in.MinPrice > in.MaxPrice {
		c.Param("query", "max_price", "minimum", "must not be below min_price")
	}
}

// GetDishInput is the input of [GetDish].
type GetDishInput struct {
	ID          int64  `path:"id" minimum:"1" example:"1" doc:"Dish identifier"`
	IfNoneMatch string `header:"If-None-Match" example:"\"1\"" doc:"The ETag of the copy you have: 304 Not Modified while it is current"`
}

// CreateDishInput is the input of [CreateDish].
type CreateDishInput struct {
	Body DishInput
}

// ReplaceDishInput is the input of [ReplaceDish].
type ReplaceDishInput struct {
	ID      int64      `path:"id" minimum:"1" example:"1" doc:"Dish identifier"`
	IfMatch roux.ETags `header:"If-Match" required:"true" example:"\"1\"" doc:"The dish's ETag as you last read it; the change is refused with 412 if the dish has changed since"`
	Body    DishInput
}

// PatchDishInput is the input of [PatchDish].
type PatchDishInput struct {
	ID      int64      `path:"id" minimum:"1" example:"1" doc:"Dish identifier"`
	IfMatch roux.ETags `header:"If-Match" required:"true" example:"\"1\"" doc:"The dish's ETag as you last read it; the change is refused with 412 if the dish has changed since"`
	Body    DishPatch
}

// DeleteDishInput is the input of [DeleteDish].
type DeleteDishInput struct {
	ID      int64      `path:"id" minimum:"1" example:"1" doc:"Dish identifier"`
	IfMatch roux.ETags `header:"If-Match" example:"\"1\"" doc:"The dish's ETag as you last read it; when sent, the dish is removed only if it has not changed since"`
}

// CreateOrderInput is the input of [CreateOrder].
type CreateOrderInput struct {
	Body OrderInput
}

// ListOrdersInput is the input of [ListOrders].
type ListOrdersInput struct {
	Limit  int `query:"limit" minimum:"1" maximum:"100" default:"20" doc:"Orders per page"`
	Offset int `query:"offset" minimum:"0" maximum:"1000000" default:"0" doc:"Orders to skip"`
}

// GetOrderInput is the input of [GetOrder].
type GetOrderInput struct {
	ID          int64  `path:"id" minimum:"1" example:"1" doc:"Order identifier"`
	IfNoneMatch string `header:"If-None-Match" example:"\"3\"" doc:"The ETag of the copy you have: 304 Not Modified while it is current"`
}

// CancelOrderInput is the input of [CancelOrder].
type CancelOrderInput struct {
	ID int64 `path:"id" minimum:"1" example:"1" doc:"Order identifier"`
}

// BillInput is the input of [GetBill].
type BillInput struct {
	ID         int64 `path:"id" minimum:"1" example:"1" doc:"Order identifier"`
	Guests     int   `query:"guests" minimum:"1" maximum:"12" default:"1" example:"2" doc:"How many guests split the bill"`
	TipPercent int   `query:"tip_percent" minimum:"0" maximum:"30" default:"0" example:"10" doc:"Tip, in percent of the subtotal"`
}

// EventsInput is the input of [OrderEvents].
type EventsInput struct {
	ID          int64 `path:"id" minimum:"1" example:"1" doc:"Order identifier"`
	LastEventID int64 `header:"Last-Event-ID" minimum:"0" example:"3" doc:"Resume after this event, by its seq (browsers send it when they reconnect)"`
}

// CreateCustomerInput is the input of [CreateCustomer].
type CreateCustomerInput struct {
	Body NewCustomer
}

// The menu. Changes need the staff key.
var (
	// ListDishes pages through the menu.
	ListDishes = roux.NewOperation[ListDishesInput, DishPage](http.MethodGet, "/dishes",
		roux.OperationID("listDishes"), roux.Tags("menu"), roux.Summary("List the menu"),
		roux.Description("Pages through the dishes, filtered by tags, price and availability, in the order asked for. "+
			"`next` links the following page."),
		roux.Public(),
		roux.ParamExample("tag", "vegan", "Vegan dishes", []string{"vegan"}),
		roux.ParamExample("tag", "vegan-mains", "Dishes that are vegan and a main course", []string{"vegan", "main"}),
		roux.ParamExample("sort", "cheapest", "The cheapest first", "price"),
		roux.Response(http.StatusUnprocessableEntity, "A parameter is invalid, or min_price is above max_price", nil))

	// GetDish reads one dish and its ETag.
	GetDish = roux.NewOperation[GetDishInput, DishOut](http.MethodGet, "/dishes/{id}",
		roux.OperationID("getDish"), roux.Tags("menu"), roux.Summary("Get a dish"),
		roux.Description("Answers with the dish and its ETag, or 304 Not Modified when If-None-Match names the current one."),
		roux.Public(),
		roux.Response(http.StatusNotFound, "No such dish", nil))

	// CreateDish adds a dish to the menu.
	CreateDish = roux.NewOperation[CreateDishInput, DishCreated](http.MethodPost, "/dishes",
		roux.OperationID("createDish"), roux.Tags("menu"), roux.Summary("Add a dish"),
		roux.Description("Adds a dish to the menu and answers with it, its ETag and its URL in Location."),
		roux.Status(http.StatusCreated),
		roux.RequestExample("gazpacho", "A cold vegan starter", DishInput{Name: "Gazpacho", Description: "Cold tomato and cucumber soup",
			PriceCents: 750, Tags: []string{"vegan", "starter"}, Station: "cold", PrepSeconds: 3}),
		roux.RequestExample("unavailable", "A dish that cannot be ordered yet", DishInput{Name: "Tarte Tatin",
			PriceCents: 900, Tags: []string{"dessert"}, Station: "pastry", PrepSeconds: 8, Available: new(false)}))

	// ReplaceDish replaces every field of a dish, on the condition of
	// If-Match.
	ReplaceDish = roux.NewOperation[ReplaceDishInput, DishOut](http.MethodPut, "/dishes/{id}",
		slices.Concat(preconditions, []roux.Option{roux.OperationID("replaceDish"), roux.Tags("menu"), roux.Summary("Replace a dish"),
			roux.Description("Replaces every field of the dish. If-Match is required: send the ETag of the dish as you read it, " +
				"so that a change made meanwhile by someone else is not overwritten (412 if it was)."),
			roux.ExternalDocs("https://www.rfc-editor.org/rfc/rfc9110#name-conditional-requests", "Conditional requests (RFC 9110)"),
		})...)

	// PatchDish changes some fields of a dish, on the condition of
	// If-Match.
	PatchDish = roux.NewOperation[PatchDishInput, DishOut](http.MethodPatch, "/dishes/{id}",
		slices.Concat(preconditions, []roux.Option{roux.OperationID("patchDish"), roux.Tags("menu"), roux.Summary("Change some fields of a dish"),
			roux.Description("Changes the members present in the body, a JSON merge patch (RFC 7396): absent members keep their value, " +
				"and `\"description\": null` removes the description. If-Match is required, as for PUT."),
			roux.MergePatch(),
			roux.ExternalDocs("https://www.rfc-editor.org/rfc/rfc7396", "JSON Merge Patch (RFC 7396)"),
			// A map, not a DishPatch: the example is the JSON a client sends.
			roux.RequestExample("price", "A new price", map[string]any{"price_cents": 800}),
			roux.RequestExample("sold-out", "Sold out for today", map[string]any{"available": false}),
			roux.RequestExample("no-description", "Remove the description", map[string]any{"description": nil}),
		})...)

	// DeleteDish removes a dish from the menu.
	DeleteDish = roux.NewOperation[DeleteDishInput, struct{}](http.MethodDelete, "/dishes/{id}",
		roux.OperationID("deleteDish"), roux.Tags("menu"), roux.Summary("Remove a dish"),
		roux.Description("Removes the dish from the menu; orders keep their copy. If-Match is optional here: when sent, the dish is removed only if it is unchanged."),
		roux.Response(http.StatusNotFound, "No such dish", nil))
)

// preconditions are the answers of a write on the condition of If-Match
// besides the 412 and 428 roux publishes.
var preconditions = []roux.Option{
	roux.Response(http.StatusNotFound, "No such dish", nil),
}

// Orders. Each needs a customer's bearer token, and a customer sees only
// their own orders.
var (
	// CreateOrder places an order; the kitchen cooks it afterwards.
	CreateOrder = roux.NewOperation[CreateOrderInput, OrderAccepted](http.MethodPost, "/orders",
		roux.OperationID("createOrder"), roux.Tags("orders"), roux.Summary("Place an order"),
		roux.Description("Accepts the order and answers 202 at once: the kitchen cooks every line at its station, "+
			"all at the same time. Follow it at Location (GET), or as server-sent events at /orders/{id}/events."),
		roux.Status(http.StatusAccepted),
		roux.Response(http.StatusUnprocessableEntity, "The body is invalid, or a dish does not exist or is not available", nil),
		roux.RequestExample("lunch", "Two soups and a main", OrderInput{Items: []OrderLine{{DishID: 1, Quantity: 2}, {DishID: 4, Quantity: 1}}}),
		roux.RequestExample("with-note", "One dish, with a note for the kitchen", OrderInput{Items: []OrderLine{{DishID: 2, Quantity: 1}}, Note: "No onions, please"}))

	// ListOrders pages through the caller's orders, newest first.
	ListOrders = roux.NewOperation[ListOrdersInput, OrderPage](http.MethodGet, "/orders",
		roux.OperationID("listOrders"), roux.Tags("orders"), roux.Summary("List your orders"),
		roux.Description("The orders of the customer whose token is sent, newest first."))

	// GetOrder reads one of the caller's orders.
	GetOrder = roux.NewOperation[GetOrderInput, OrderOut](http.MethodGet, "/orders/{id}",
		roux.OperationID("getOrder"), roux.Tags("orders"), roux.Summary("Get an order"),
		roux.Description("The order with the status of each line: queued, cooking, done (or cancelled)."),
		noOrder)

	// CancelOrder cancels one of the caller's orders that is not ready.
	CancelOrder = roux.NewOperation[CancelOrderInput, OrderOut](http.MethodPost, "/orders/{id}/cancel",
		roux.OperationID("cancelOrder"), roux.Tags("orders"), roux.Summary("Cancel an order"),
		roux.Description("Cancels an order that is received or cooking: the stations stop, the lines not done are cancelled."),
		noOrder, roux.Response(http.StatusConflict, "The order is ready or cancelled already", nil))

	// GetBill computes the bill of one of the caller's orders, split
	// between guests.
	GetBill = roux.NewOperation[BillInput, Bill](http.MethodGet, "/orders/{id}/bill",
		roux.OperationID("getBill"), roux.Tags("orders"), roux.Summary("Get the bill"),
		roux.Description("Computes the bill: lines, the VAT it includes, the tip, and — for several guests — a split of "+
			"the dishes between them that makes their shares as even as it can (a search: this operation is CPU-bound "+
			"and runs on roux's CPU pool, so that many bills at once cannot slow the rest of the API down)."),
		noOrder, roux.Response(http.StatusConflict, "The order is cancelled", nil),
		roux.ParamExample("guests", "couple", "Split between two guests", 2),
		roux.ParamExample("tip_percent", "tip", "A 10% tip", 10))

	// OrderEvents follows one of the caller's orders as server-sent
	// events.
	OrderEvents = roux.NewOperation[EventsInput, sse.Stream[OrderEvent]](http.MethodGet, "/orders/{id}/events",
		roux.OperationID("orderEvents"), roux.Tags("orders"), roux.Summary("Follow an order"),
		roux.Description("Streams the order's progress as server-sent events (text/event-stream): one event per change, "+
			"`event: order` (the data an OrderChange) or `event: item` (an ItemChange), the id the event's seq. The stream starts with "+
			"every event so far (or those after Last-Event-ID) and ends after the order is ready or cancelled."),
		roux.ExternalDocs("https://html.spec.whatwg.org/multipage/server-sent-events.html", "Server-sent events (HTML Living Standard)"),
		noOrder)
)

// noOrder is the answer for an order that does not exist or is another
// customer's: the two are not told apart.
var noOrder = roux.Response(http.StatusNotFound, "No such order", nil)

// SetWebhookInput is the input of [SetWebhook].
type SetWebhookInput struct {
	Body WebhookEndpoint
}

// DeleteWebhookInput is the input of [DeleteWebhook]: nothing but the
// customer's token.
type DeleteWebhookInput struct{}

// A customer's webhook: where the kitchen tells them their orders are
// ready. Each needs the customer's bearer token.
var (
	// SetWebhook registers the caller's webhook endpoint, or replaces
	// it, and answers with the secret its messages are signed with.
	SetWebhook = roux.NewOperation[SetWebhookInput, WebhookSet](http.MethodPut, "/customers/me/webhook",
		roux.OperationID("setWebhook"), roux.Tags("customers"), roux.Summary("Register your webhook"),
		roux.Description("Registers the URL the kitchen POSTs an `orderReady` message to whenever one of your orders is ready, "+
			"or replaces the one registered. The answer holds a new signing secret, shown only this once: verify each message's "+
			"`webhook-signature` with it (Standard Webhooks). 201 for a new endpoint, 200 for a replaced one, whose old secret "+
			"stops working at once."),
		roux.Status(http.StatusCreated),
		roux.Response(http.StatusOK, "The endpoint replaced the one registered; messages are signed with the new secret from now on", Webhook{}),
		roux.Response(http.StatusUnprocessableEntity, "The body is invalid, or the URL's host is an address the kitchen does not send to "+
			"(loopback, private or link-local, unless it allows them)", nil),
		roux.Callback("orderReady", "{$request.body#/url}", OrderReady),
		roux.RequestExample("https", "An https endpoint", WebhookEndpoint{URL: "https://example.com/kitchen-hooks"}))

	// DeleteWebhook removes the caller's webhook endpoint.
	DeleteWebhook = roux.NewOperation[DeleteWebhookInput, struct{}](http.MethodDelete, "/customers/me/webhook",
		roux.OperationID("deleteWebhook"), roux.Tags("customers"), roux.Summary("Remove your webhook"),
		roux.Description("Removes your webhook endpoint: no message is sent to it from now on, not even a retry of one that was."),
		roux.Response(http.StatusNotFound, "No webhook is registered", nil))
)

// OrderReady is the webhook the kitchen sends to a customer's endpoint
// ([SetWebhook]) when one of their orders is ready: a POST of an
// [OrderReadyEvent], signed as Standard Webhooks sign messages. A
// cancelled order has none.
var OrderReady = roux.NewWebhook[OrderReadyEvent]("orderReady",
	roux.Tags("orders"), roux.Summary("An order is ready"),
	roux.Description("Sent when one of your orders is ready, to the endpoint registered with PUT /customers/me/webhook, "+
		"signed with its secret: check `webhook-signature` (HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`) and the "+
		"timestamp's age before reading the body. A 2xx answer accepts the message. 408, 409, 425, 429 and 5xx answers, and no "+
		"answer, are retried: after the Retry-After the receiver sends (up to an hour), or with a growing delay, up to 10 "+
		"attempts by default over about 4 hours. Any other 4xx answer stops the message; other answers (a redirect, which is "+
		"not followed) are retried like a 5xx. Every attempt of a message carries the same `webhook-id`: ignore one you have handled."),
	roux.ExternalDocs("https://www.standardwebhooks.com", "Standard Webhooks"),
	roux.Response(http.StatusRequestTimeout, "Retried later", nil),
	roux.Response(http.StatusConflict, "Retried later", nil),
	roux.Response(http.StatusGone, "The message is not sent again", nil),
	roux.Response(http.StatusTooEarly, "Retried later", nil),
	roux.Response(http.StatusTooManyRequests, "Retried after the Retry-After delay, or later", nil))

// CreateCustomer registers a customer and returns their token; it needs
// the staff key.
var CreateCustomer = roux.NewOperation[CreateCustomerInput, Customer](http.MethodPost, "/customers",
	roux.OperationID("createCustomer"), roux.Tags("customers"), roux.Summary("Register a customer"),
	roux.Description("Creates a customer and answers with the bearer token to order with, shown only this once."),
	roux.Status(http.StatusCreated),
	roux.RequestExample("ann", "A customer called Ann", NewCustomer{Name: "Ann"}))
