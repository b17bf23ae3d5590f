package kitchen

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/roux-go/roux"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
	"github.com/roux-go/roux/examples/kitchen/kitchenapi"
)

// customerOnly is the server side of the operations that need a
// customer's token: the customer it belongs to.
type customerOnly struct {
	Customer store.Customer `dep:""`
}

// registerOrders registers the order, customer and bill operations.
func (s *Service) registerOrders() {
	orders := s.api.Group("/orders", s.customerOptions()...)
	roux.HandleWith(orders, kitchenapi.CreateOrder, storeErrorsWith(s, s.createOrder),
		append(wrap(s.limits.orders), roux.Idempotent(idempotencyKeys{s}, s.cfg.IdempotencyTTL))...)
	roux.HandleWith(orders, kitchenapi.ListOrders, storeErrorsWith(s, s.listOrders), compress)
	roux.HandleWith(orders, kitchenapi.GetOrder, storeErrorsWith(s, s.getOrder))
	roux.HandleWith(orders, kitchenapi.CancelOrder, storeErrorsWith(s, s.cancelOrder))
	roux.HandleWith(orders, kitchenapi.GetBill, storeErrorsWith(s, s.bill), roux.CPUBound(),
		roux.Response(http.StatusServiceUnavailable,
			"Too many bills are being computed, the kitchen is starting, or its database cannot take the request now; retry after Retry-After", nil))
	roux.HandleWith(orders, kitchenapi.OrderEvents, storeErrorsWith(s, s.orderEvents))
	roux.Handle(s.api, kitchenapi.CreateCustomer, storeErrors(s, s.createCustomer), append(wrap(s.limits.authFailures), roux.Secure(s.staff), unavailable,
		roux.Response(http.StatusUnauthorized, "The staff key is missing or wrong", nil))...)
}

// customerOptions are the options of the operations that need a
// customer's token.
func (s *Service) customerOptions() []roux.Option {
	return append(wrap(s.limits.authFailures), roux.Secure(s.customer), unavailable,
		roux.Response(http.StatusUnauthorized, "The customer token is missing or unknown", nil))
}

// ownOrder reads an order of the customer: 404 when it does not exist
// and when it is someone else's, so that nobody learns which orders
// exist by asking for them.
func ownOrder(ctx context.Context, db store.Store, id int64, c store.Customer) (store.Order, error) {
	o, err := db.Order(ctx, id)
	if err != nil {
		return o, storeError(err, "order "+itoa(id))
	}
	if o.CustomerID != c.ID {
		return o, storeError(store.ErrNotFound, "order "+itoa(id))
	}
	return o, nil
}

func (s *Service) createOrder(ctx context.Context, in *kitchenapi.CreateOrderInput, c *customerOnly) (*kitchenapi.OrderAccepted, error) {
	db, err := s.db()
	if err != nil {
		return nil, err
	}
	no := store.NewOrder{CustomerID: c.Customer.ID, Note: in.Body.Note, KeyLifetime: max(s.cfg.IdempotencyTTL, IdempotencyTTL)}
	no.IdempotencyKey, _ = roux.IdempotencyKeyFrom(ctx)
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
	return &kitchenapi.OrderAccepted{ETag: etag(o.Version), Location: "/orders/" + itoa(o.ID), Body: orderView(o)}, nil
}

func (s *Service) listOrders(ctx context.Context, in *kitchenapi.ListOrdersInput, c *customerOnly) (*kitchenapi.OrderPage, error) {
	db, err := s.db()
	if err != nil {
		return nil, err
	}
	os, total, err := db.Orders(ctx, c.Customer.ID, in.Limit, in.Offset)
	if err != nil {
		return nil, err
	}
	page := &kitchenapi.OrderPage{Items: make([]kitchenapi.Order, len(os)), Total: total, Limit: in.Limit, Offset: in.Offset}
	for i, o := range os {
		page.Items[i] = orderView(o)
	}
	return page, nil
}

func (s *Service) getOrder(ctx context.Context, in *kitchenapi.GetOrderInput, c *customerOnly) (*kitchenapi.OrderOut, error) {
	db, err := s.db()
	if err != nil {
		return nil, err
	}
	o, err := ownOrder(ctx, db, in.ID, c.Customer)
	if err != nil {
		return nil, err
	}
	return &kitchenapi.OrderOut{ETag: etag(o.Version), Body: orderView(o)}, nil
}

func (s *Service) cancelOrder(ctx context.Context, in *kitchenapi.CancelOrderInput, c *customerOnly) (*kitchenapi.OrderOut, error) {
	db, err := s.db()
	if err != nil {
		return nil, err
	}
	if _, err := ownOrder(ctx, db, in.ID, c.Customer); err != nil {
		return nil, err
	}
	o, err := db.CancelOrder(ctx, in.ID, c.Customer.ID)
	if err != nil {
		return nil, storeError(err, "order "+itoa(in.ID))
	}
	return &kitchenapi.OrderOut{ETag: etag(o.Version), Body: orderView(o)}, nil
}

func (s *Service) createCustomer(ctx context.Context, in *kitchenapi.CreateCustomerInput) (*kitchenapi.Customer, error) {
	db, err := s.db()
	if err != nil {
		return nil, err
	}
	token := newToken()
	c, err := db.CreateCustomer(ctx, strings.TrimSpace(in.Body.Name), hashToken(token))
	if err != nil {
		return nil, err
	}
	return &kitchenapi.Customer{ID: c.ID, Name: c.Name, Token: token}, nil
}
