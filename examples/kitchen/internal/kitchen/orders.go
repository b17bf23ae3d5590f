package kitchen

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/middleware"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
)

// OrderOut is an order with its ETag, the output of the order operations;
// Status is 304 for a client's current copy.
type OrderOut struct {
	Status   int
	ETag     string `header:"ETag" doc:"The order's version; it changes with every step of the kitchen"`
	Location string `header:"Location" doc:"Where to follow the order (POST only)"`
	Body     Order
}

// CreateOrderInput is the input of createOrder (POST /orders); it needs a
// customer's token.
type CreateOrderInput struct {
	Customer store.Customer `dep:""`
	Body     OrderInput
}

// ListOrdersInput is the input of listOrders (GET /orders); it needs a
// customer's token.
type ListOrdersInput struct {
	Limit    int            `query:"limit" minimum:"1" maximum:"100" default:"20" doc:"Orders per page"`
	Offset   int            `query:"offset" minimum:"0" maximum:"1000000" default:"0" doc:"Orders to skip"`
	Customer store.Customer `dep:""`
}

// CancelOrderInput is the input of cancelOrder (POST
// /orders/{id}/cancel); it needs the token of the order's customer.
type CancelOrderInput struct {
	ID       int64          `path:"id" minimum:"1" example:"1" doc:"Order identifier"`
	Customer store.Customer `dep:""`
}

// CreateCustomerInput is the input of createCustomer (POST /customers);
// it needs the staff key.
type CreateCustomerInput struct {
	Staff Staff `dep:""`
	Body  NewCustomer
}

// GetOrderInput is the input of getOrder (GET /orders/{id}); it needs the
// token of the order's customer.
type GetOrderInput struct {
	ID          int64          `path:"id" minimum:"1" example:"1" doc:"Order identifier"`
	IfNoneMatch string         `header:"If-None-Match" example:"\"3\"" doc:"The ETag of the copy you have: 304 Not Modified while it is current"`
	Customer    store.Customer `dep:""`
}

// registerOrders registers the order, customer and bill operations.
func (s *Service) registerOrders() {
	customer, staff := s.customer, s.staff
	orders := s.api.Group("/orders", roux.Tags("orders"), roux.Secure(customer),
		roux.Response(http.StatusUnauthorized, "The customer token is missing or unknown", nil))
	mine := []roux.Option{
		roux.Response(http.StatusForbidden, "The order is another customer's", nil),
		roux.Response(http.StatusNotFound, "No such order", nil),
	}

	s.Ops.CreateOrder = roux.Post(orders, "", s.createOrder, roux.OperationID("createOrder"), roux.Summary("Place an order"),
		roux.Description("Accepts the order and answers 202 at once: the kitchen cooks every line at its station, "+
			"all at the same time. Follow it at Location (GET), or as server-sent events at /orders/{id}/events."),
		roux.Status(http.StatusAccepted),
		roux.Response(http.StatusUnprocessableEntity, "The body is invalid, or a dish does not exist or is not available", nil))

	s.Ops.ListOrders = roux.Get(orders, "", s.listOrders, roux.OperationID("listOrders"), roux.Summary("List your orders"),
		roux.Description("The orders of the customer whose token is sent, newest first."),
		roux.Middleware(middleware.Compress(middleware.CompressConfig{})))

	s.Ops.GetOrder = roux.Get(orders, "/{id}", s.getOrder, append(mine, roux.OperationID("getOrder"), roux.Summary("Get an order"),
		roux.Description("The order with the status of each line: queued, cooking, done (or cancelled)."),
		roux.Response(http.StatusNotModified, "The copy named by If-None-Match is current", nil))...)

	s.Ops.CancelOrder = roux.Post(orders, "/{id}/cancel", s.cancelOrder, append(mine, roux.OperationID("cancelOrder"), roux.Summary("Cancel an order"),
		roux.Description("Cancels an order that is received or cooking: the stations stop, the lines not done are cancelled."),
		roux.Response(http.StatusConflict, "The order is ready or cancelled already", nil))...)

	s.Ops.GetBill = roux.Get(orders, "/{id}/bill", s.bill, append(mine, roux.OperationID("getBill"), roux.Summary("Get the bill"),
		roux.Description("Computes the bill: lines, the VAT it includes, the tip, and — for several guests — a split of "+
			"the dishes between them that makes their shares as even as it can (a search: this operation is CPU-bound "+
			"and runs on roux's CPU pool, so that many bills at once cannot slow the rest of the API down)."),
		roux.CPUBound(),
		roux.Response(http.StatusConflict, "The order is cancelled", nil),
		roux.Response(http.StatusServiceUnavailable, "Too many bills are being computed; retry after Retry-After", nil))...)

	s.Ops.OrderEvents = roux.Get(orders, "/{id}/events", s.orderEvents, append(mine, roux.OperationID("orderEvents"), roux.Summary("Follow an order"),
		roux.Description("Streams the order's progress as server-sent events (text/event-stream): one event per change, "+
			"`event: order` (the data an OrderChange) or `event: item` (an ItemChange), the id the event's seq. The stream starts with "+
			"every event so far (or those after Last-Event-ID) and ends after the order is ready or cancelled."))...)

	s.Ops.CreateCustomer = roux.Post(s.api, "/customers", s.createCustomer, roux.OperationID("createCustomer"), roux.Tags("customers"),
		roux.Summary("Register a customer"),
		roux.Description("Creates a customer and answers with the bearer token to order with, shown only this once."),
		roux.Secure(staff), roux.Status(http.StatusCreated),
		roux.Response(http.StatusUnauthorized, "The staff key is missing or wrong", nil))
}

// ownOrder reads an order of the customer: 404 when it does not exist,
// 403 when it is someone else's.
func ownOrder(ctx context.Context, db store.Store, id int64, c store.Customer) (store.Order, error) {
	o, err := db.Order(ctx, id)
	if err != nil {
		return o, storeError(err, "order "+itoa(id))
	}
	if o.CustomerID != c.ID {
		return o, roux.Errorf(http.StatusForbidden, "order %d is another customer's", id)
	}
	return o, nil
}

func (s *Service) createOrder(ctx context.Context, in *CreateOrderInput) (*OrderOut, error) {
	db, err := s.db()
	if err != nil {
		return nil, err
	}
	no := store.NewOrder{CustomerID: in.Customer.ID, Note: in.Body.Note}
	for _, l := range in.Body.Items {
		no.Lines = append(no.Lines, store.Line{DishID: l.DishID, Quantity: l.Quantity})
	}
	o, err := db.CreateOrder(ctx, no)
	var de *store.DishError
	if errors.As(err, &de) {
		e := roux.Errorf(http.StatusUnprocessableEntity, "dish %d %s", de.DishID, de.Reason)
		ptr := "/items/" + strconv.Itoa(de.Line) + "/dish_id"
		e.Errors = []roux.ErrorDetail{{Detail: "dish " + itoa(de.DishID) + " " + de.Reason, Pointer: &ptr, Code: "dish", Value: de.DishID}}
		return nil, e
	}
	if err != nil {
		return nil, err
	}
	return &OrderOut{ETag: etag(o.Version), Location: "/orders/" + itoa(o.ID), Body: orderView(o)}, nil
}

func (s *Service) listOrders(ctx context.Context, in *ListOrdersInput) (*OrderPage, error) {
	db, err := s.db()
	if err != nil {
		return nil, err
	}
	os, total, err := db.Orders(ctx, in.Customer.ID, in.Limit, in.Offset)
	if err != nil {
		return nil, err
	}
	page := &OrderPage{Items: make([]Order, len(os)), Total: total, Limit: in.Limit, Offset: in.Offset}
	for i, o := range os {
		page.Items[i] = orderView(o)
	}
	return page, nil
}

func (s *Service) getOrder(ctx context.Context, in *GetOrderInput) (*OrderOut, error) {
	db, err := s.db()
	if err != nil {
		return nil, err
	}
	o, err := ownOrder(ctx, db, in.ID, in.Customer)
	if err != nil {
		return nil, err
	}
	out := &OrderOut{ETag: etag(o.Version), Body: orderView(o)}
	if out.Status, err = notModified(in.IfNoneMatch, out.ETag); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) cancelOrder(ctx context.Context, in *CancelOrderInput) (*OrderOut, error) {
	db, err := s.db()
	if err != nil {
		return nil, err
	}
	if _, err := ownOrder(ctx, db, in.ID, in.Customer); err != nil {
		return nil, err
	}
	o, err := db.CancelOrder(ctx, in.ID, in.Customer.ID)
	if err != nil {
		return nil, storeError(err, "order "+itoa(in.ID))
	}
	return &OrderOut{ETag: etag(o.Version), Body: orderView(o)}, nil
}

func (s *Service) createCustomer(ctx context.Context, in *CreateCustomerInput) (*Customer, error) {
	db, err := s.db()
	if err != nil {
		return nil, err
	}
	token := newToken()
	c, err := db.CreateCustomer(ctx, strings.TrimSpace(in.Body.Name), hashToken(token))
	if err != nil {
		return nil, err
	}
	return &Customer{ID: c.ID, Name: c.Name, Token: token}, nil
}
