package roux_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"time"

	"github.com/roux-go/roux"
)

// OrderReadyEvent is the payload of the kitchen's order-ready webhook.
type OrderReadyEvent struct {
	OrderID int64 `json:"orderId" minimum:"1"`
}

// A webhook is declared from its payload type, published in the document,
// sent signed, and verified by the receiver; the sender's result says
// whether a job queue should try again.
func ExampleNewWebhook() {
	orderReady := roux.NewWebhook[OrderReadyEvent]("orderReady", roux.Summary("An order is ready"))
	api := roux.New(roux.Config{Title: "Kitchen", Version: "1.0.0"})
	api.Webhook(orderReady)
	fmt.Println("webhooks:", slices.Sorted(maps.Keys(api.OpenAPI().Webhooks)))

	// The customer's receiver, with the secret it was given when it
	// registered its URL.
	secret := roux.NewWebhookSecret()
	busy := true
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := roux.VerifyWebhook(secret, r.Header, body, 5*time.Minute); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if busy { // the first time, the receiver asks for a retry in 30 seconds
			busy = false
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		var ev OrderReadyEvent
		if err := json.Unmarshal(body, &ev); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Println("received order", ev.OrderID, "as message", r.Header.Get(roux.WebhookIDHeader))
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()

	to := roux.WebhookEndpoint{URL: receiver.URL, Secret: secret}
	for range 2 { // a job queue's attempts, with the message's own id
		res, err := orderReady.Send(context.Background(), nil, to, "msg_order_42_ready", &OrderReadyEvent{OrderID: 42})
		var we *roux.WebhookError
		switch {
		case errors.As(err, &we) && we.Retryable:
			fmt.Println("retry after", we.RetryAfter)
		case err != nil:
			fmt.Println("give up:", err)
		default:
			fmt.Println("delivered:", res.Status)
		}
	}
	// Output:
	// webhooks: [orderReady]
	// retry after 30s
	// received order 42 as message msg_order_42_ready
	// delivered: 204
}

type SubscribeInput struct {
	Body struct {
		CallbackURL string `json:"callbackUrl" format:"uri"`
	}
}

// A callback is published on the operation whose request names its URL.
func ExampleCallback() {
	orderReady := roux.NewWebhook[OrderReadyEvent]("orderReady")
	api := roux.New(roux.Config{Title: "Kitchen", Version: "1.0.0"})
	roux.Post(api, "/subscriptions", func(ctx context.Context, in *SubscribeInput) (*struct{}, error) {
		return &struct{}{}, nil
	}, roux.Callback("orderReady", "{$request.body#/callbackUrl}", orderReady))
	for name, cb := range api.OpenAPI().Paths["/subscriptions"].Post.Callbacks {
		for expr, item := range cb {
			fmt.Println(name, expr, item.Post.OperationID)
		}
	}
	// Output:
	// orderReady {$request.body#/callbackUrl} post-subscriptions-orderReady
}
