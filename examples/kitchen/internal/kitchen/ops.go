package kitchen

import (
	"github.com/roux-go/roux"
	"github.com/roux-go/roux/sse"
)

// Ops are the service's operations as registration returned them. They
// identify the operations to the typed client (package
// github.com/roux-go/roux/client), which encodes each input and decodes
// each output by the very tags the service binds them with:
//
//	c := client.New(url, client.WithHeader("X-Staff-Key", key))
//	dish, err := client.Call(ctx, c, svc.Ops.GetDish, &kitchen.GetDishInput{ID: 1})
//
// The staff key and the customers' bearer tokens are not fields of the
// inputs (the Staff and Customer fields are filled by the service's
// security dependencies): send them with client.WithHeader. OrderEvents
// streams server-sent events, which the typed client cannot call; read
// it with an http.Client and sse.Read.
type Ops struct {
	ListDishes     *roux.Operation[ListDishesInput, DishPage]
	GetDish        *roux.Operation[GetDishInput, DishOut]
	CreateDish     *roux.Operation[CreateDishInput, DishOut]
	ReplaceDish    *roux.Operation[ReplaceDishInput, DishOut]
	PatchDish      *roux.Operation[PatchDishInput, DishOut]
	DeleteDish     *roux.Operation[DeleteDishInput, struct{}]
	CreateOrder    *roux.Operation[CreateOrderInput, OrderOut]
	ListOrders     *roux.Operation[ListOrdersInput, OrderPage]
	GetOrder       *roux.Operation[GetOrderInput, OrderOut]
	CancelOrder    *roux.Operation[CancelOrderInput, OrderOut]
	GetBill        *roux.Operation[BillInput, Bill]
	OrderEvents    *roux.Operation[EventsInput, sse.Stream[OrderEvent]]
	CreateCustomer *roux.Operation[CreateCustomerInput, Customer]
}
