// Command kitchen-client places an order with the kitchen and follows it
// until it is ready, printing each event of its stream:
//
//	go run ./examples/kitchen/cmd/kitchen-client -dish "Pad thai" -quantity 2
//
// It calls the kitchen through package client with the declarations of
// package kitchenapi, and nothing of the service: it compiles without the
// store, its database drivers or the OpenTelemetry SDK. It places the
// order with an Idempotency-Key and retries it, with the same key, when
// the answer does not come (a connection lost, a 502, 503 or 504): the
// kitchen answers a retry of an order it placed with that order, so the
// customer never pays twice.
//
// Flags:
//
//	-url URL        the kitchen (default http://127.0.0.1:8080)
//	-token TOKEN    a customer's bearer token (default: the demo customer's)
//	-dish DISH      the dish to order: its ID or its name (default Tomato soup)
//	-quantity N     how many (default 1)
//
// It exits with status 0 once the order is ready, 1 when it fails or the
// order is cancelled, 2 on a bad command line.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/client"

	"github.com/roux-go/roux/examples/kitchen/kitchenapi"
)

// demoToken is the token of the demo customer that the kitchen seeds
// (its DemoCustomerToken).
const demoToken = "demo-customer-token"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run runs the command line and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kitchen-client", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "http://127.0.0.1:8080", "the kitchen's `URL`")
	token := fs.String("token", demoToken, "a customer's bearer `token`")
	dish := fs.String("dish", "Tomato soup", "the `dish` to order: its ID or its name")
	quantity := fs.Int("quantity", 1, "how many of it")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "kitchen-client: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	c := client.New(*url,
		client.Header("Authorization", "Bearer "+*token),
		client.Validation(),                // a bad -quantity fails here, as the kitchen would refuse it
		client.Retry(3),                    // while the kitchen starts or sheds load, or an answer is lost
		client.IdempotencyKeys(),           // so the POST of the order is retried too, with its key
		client.IdleTimeout(45*time.Second), // 3 keep-alives missed
	)
	if err := order(ctx, c, *dish, *quantity, stdout); err != nil {
		fmt.Fprintln(stderr, "kitchen-client:", describe(err))
		return 1
	}
	return 0
}

// order places the order and follows it until it is ready.
func order(ctx context.Context, c *client.Client, dish string, quantity int, w io.Writer) error {
	d, err := findDish(ctx, c, dish)
	if err != nil {
		return err
	}
	in := &kitchenapi.CreateOrderInput{Body: kitchenapi.OrderInput{Items: []kitchenapi.OrderLine{{DishID: d.ID, Quantity: quantity}}}}
	acc, err := client.Call(ctx, c, kitchenapi.CreateOrder, in)
	if err != nil {
		return fmt.Errorf("placing the order: %w", err)
	}
	o := acc.Body
	fmt.Fprintf(w, "order %d accepted: %d × %s, %s (%s)\n", o.ID, quantity, d.Name, euros(o.TotalCents), o.Status)
	for m, err := range client.Events(ctx, c, kitchenapi.OrderEvents, &kitchenapi.EventsInput{ID: o.ID}) {
		if err != nil {
			return fmt.Errorf("following order %d: %w", o.ID, err)
		}
		switch e := m.Event; {
		case e.Item != nil:
			fmt.Fprintf(w, "#%s line %d (%s): %s\n", m.ID, e.Item.Line, e.Item.Dish, e.Item.Status)
		case e.Order != nil:
			fmt.Fprintf(w, "#%s order %d: %s\n", m.ID, e.Order.OrderID, e.Order.Status)
			switch e.Order.Status {
			case "ready":
				fmt.Fprintf(w, "order %d is ready\n", o.ID)
				return nil
			case "cancelled":
				return fmt.Errorf("order %d was cancelled", o.ID)
			}
		}
	}
	return fmt.Errorf("the stream of order %d ended before the order was ready", o.ID)
}

// findDish finds the dish named by s: its ID, or its name in the menu.
func findDish(ctx context.Context, c *client.Client, s string) (*kitchenapi.Dish, error) {
	if id, err := strconv.ParseInt(s, 10, 64); err == nil {
		out, err := client.Call(ctx, c, kitchenapi.GetDish, &kitchenapi.GetDishInput{ID: id})
		if err != nil {
			return nil, fmt.Errorf("dish %d: %w", id, err)
		}
		return &out.Body, nil
	}
	in := &kitchenapi.ListDishesInput{Limit: 100}
	for {
		page, err := client.Call(ctx, c, kitchenapi.ListDishes, in)
		if err != nil {
			return nil, fmt.Errorf("reading the menu: %w", err)
		}
		for i, d := range page.Items {
			if strings.EqualFold(d.Name, s) {
				return &page.Items[i], nil
			}
		}
		if page.Next == "" {
			return nil, fmt.Errorf("no dish %q on the menu", s)
		}
		in.Offset += len(page.Items)
	}
}

func euros(cents int64) string {
	return fmt.Sprintf("%d.%02d EUR", cents/100, cents%100)
}

// describe adds a problem's per-field failures to its message.
func describe(err error) string {
	msg := err.Error()
	var pe *roux.Error
	if errors.As(err, &pe) {
		for _, e := range pe.Errors {
			where := e.Parameter
			if e.Pointer != nil {
				where = *e.Pointer
			}
			msg += fmt.Sprintf("\n  %s: %s", where, e.Detail)
		}
	}
	return msg
}
