// Command gogen follows an order of a live kitchen through the two Go
// clients generated from the kitchen's document by
// .ci/steps/35-generators.sh: gen/oapiclient (oapi-codegen) and
// gen/ogenclient (ogen, its default configuration: client and server).
// Neither generator reads event streams into types — oapi-codegen hands
// over the raw response, and ogen generates typed streams for clients
// only, so the document asks it for the raw response too
// (x-ogen-raw-response) — so each places an order through its typed
// calls, then reads the stream with ogen's event parser and decodes
// each event's data as the document's schema says: oapi-codegen's
// generated OrderChange or ItemChange; ogen generates no type for a raw
// response's schema, so its data is decoded into the fields the schema
// names here.
//
// The generated packages are not committed (see .gitignore); the step
// generates them, then runs
//
//	go run . -base http://127.0.0.1:PORT -staff-key KEY -token TOKEN
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	ogensse "github.com/ogen-go/ogen/sse"

	"github.com/roux-go/roux/conformance/gogen/gen/oapiclient"
	"github.com/roux-go/roux/conformance/gogen/gen/ogenclient"
)

func main() {
	base := flag.String("base", "", "the kitchen's base `URL`")
	staffKey := flag.String("staff-key", "", "the staff `key`")
	token := flag.String("token", "", "a customer's bearer `token`")
	flag.Parse()
	if *base == "" || *staffKey == "" || *token == "" {
		flag.Usage()
		os.Exit(2)
	}
	ctx := context.Background()
	for _, c := range []struct {
		name   string
		follow func(context.Context, string, string, string) ([]string, error)
	}{
		{"oapi-codegen", oapiCodegen},
		{"ogen", ogen},
	} {
		seen, err := c.follow(ctx, *base, *staffKey, *token)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", c.name, err)
			os.Exit(1)
		}
		fmt.Printf("%s: %d events: %s\n", c.name, len(seen), strings.Join(seen, "; "))
	}
}

// oapiCodegen places an order and follows it through the oapi-codegen
// client.
func oapiCodegen(ctx context.Context, base, staffKey, token string) ([]string, error) {
	header := func(name, value string) oapiclient.RequestEditorFn {
		return func(ctx context.Context, req *http.Request) error { req.Header.Set(name, value); return nil }
	}
	c, err := oapiclient.NewClientWithResponses(base)
	if err != nil {
		return nil, err
	}
	dish, err := c.CreateDishWithResponse(ctx, oapiclient.DishInput{Name: "Pisto", PriceCents: 900, Station: "oven", PrepSeconds: 1},
		header("X-Staff-Key", staffKey))
	if err != nil {
		return nil, fmt.Errorf("createDish: %w", err)
	}
	if dish.JSON201 == nil || dish.JSON201.Id == nil {
		return nil, fmt.Errorf("createDish: %d %s", dish.StatusCode(), dish.Body)
	}
	order, err := c.CreateOrderWithResponse(ctx, &oapiclient.CreateOrderParams{},
		oapiclient.OrderInput{Items: []oapiclient.OrderLine{{DishId: *dish.JSON201.Id, Quantity: 1}}},
		header("Authorization", "Bearer "+token))
	if err != nil {
		return nil, fmt.Errorf("createOrder: %w", err)
	}
	if order.JSON202 == nil {
		return nil, fmt.Errorf("createOrder: %d %s", order.StatusCode(), order.Body)
	}
	// The typed OrderEventsWithResponse would read the whole stream into
	// Body; the plain call hands over the response to read as it comes.
	res, err := c.OrderEvents(ctx, order.JSON202.Id, nil, header("Authorization", "Bearer "+token))
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		return nil, fmt.Errorf("orderEvents: %s %s", res.Status, res.Header.Get("Content-Type"))
	}
	return follow(res.Body, func(ev ogensse.Event) (seq int64, status string, err error) {
		switch ev.Type {
		case "order":
			var d oapiclient.OrderChange
			err = json.Unmarshal([]byte(ev.Data), &d)
			return d.Seq, string(d.Status), err
		case "item":
			var d oapiclient.ItemChange
			err = json.Unmarshal([]byte(ev.Data), &d)
			return d.Seq, string(d.Status), err
		}
		return 0, "", fmt.Errorf("unknown event %q", ev.Type)
	})
}

// staffAndCustomer is the ogen client's source of credentials.
type staffAndCustomer struct{ staffKey, token string }

func (s staffAndCustomer) CustomerToken(context.Context, ogenclient.OperationName) (ogenclient.CustomerToken, error) {
	return ogenclient.CustomerToken{Token: s.token}, nil
}

func (s staffAndCustomer) StaffKey(context.Context, ogenclient.OperationName) (ogenclient.StaffKey, error) {
	return ogenclient.StaffKey{APIKey: s.staffKey}, nil
}

// ogen places an order and follows it through the ogen client.
func ogen(ctx context.Context, base, staffKey, token string) ([]string, error) {
	c, err := ogenclient.NewClient(base, staffAndCustomer{staffKey, token})
	if err != nil {
		return nil, err
	}
	created, err := c.CreateDish(ctx, &ogenclient.DishInput{Name: "Tortilla", PriceCents: 850, Station: ogenclient.DishInputStationGrill, PrepSeconds: 1})
	if err != nil {
		return nil, fmt.Errorf("createDish: %w", err)
	}
	dish, ok := created.(*ogenclient.DishHeaders)
	if !ok {
		return nil, fmt.Errorf("createDish: got %T", created)
	}
	// With an idempotency key, a Structured Field string as the kitchen's
	// document describes it.
	key := ogenclient.NewOptString(fmt.Sprintf(`"ogen-%d"`, time.Now().UnixNano()))
	placed, err := c.CreateOrder(ctx, &ogenclient.OrderInput{Items: []ogenclient.OrderLine{{DishID: dish.Response.ID, Quantity: 2}}},
		ogenclient.CreateOrderParams{IdempotencyKey: key})
	if err != nil {
		return nil, fmt.Errorf("createOrder: %w", err)
	}
	order, ok := placed.(*ogenclient.OrderHeaders)
	if !ok {
		return nil, fmt.Errorf("createOrder: got %T", placed)
	}
	got, err := c.OrderEvents(ctx, ogenclient.OrderEventsParams{ID: order.Response.ID})
	if err != nil {
		return nil, fmt.Errorf("orderEvents: %w", err)
	}
	raw, ok := got.(*ogenclient.OrderEventsOKRawTextEventStream)
	if !ok {
		return nil, fmt.Errorf("orderEvents: got %T", got)
	}
	defer raw.Response.Body.Close()
	return follow(raw.Response.Body, func(ev ogensse.Event) (int64, string, error) {
		// The fields both events' data schemas have.
		var d struct {
			Seq    int64  `json:"seq"`
			Status string `json:"status"`
		}
		err := json.Unmarshal([]byte(ev.Data), &d)
		return d.Seq, d.Status, err
	})
}

// follow reads a stream with ogen's event parser, decoding each event
// with decode, and checks that each event's id is its seq and that the
// last is the order's, ready. It returns the events, described.
func follow(r io.Reader, decode func(ogensse.Event) (seq int64, status string, err error)) ([]string, error) {
	dec := ogensse.NewDecoder(r, 0, 1<<20, "", nil)
	var seen []string
	last := ""
	for {
		ev, err := dec.Decode()
		if err == io.EOF {
			break
		}
		if err != nil {
			return seen, err
		}
		seq, status, err := decode(ev)
		if err != nil {
			return seen, fmt.Errorf("event %q %s: %w", ev.Type, ev.Data, err)
		}
		if ev.ID != strconv.FormatInt(seq, 10) {
			return seen, fmt.Errorf("event %q: id %q, seq %d", ev.Type, ev.ID, seq)
		}
		last = ev.Type + " " + status
		seen = append(seen, fmt.Sprintf("%s %d: %s", ev.Type, seq, status))
	}
	if last != "order ready" {
		return seen, fmt.Errorf("the stream ends with %q, want the order ready: %s", last, strings.Join(seen, "; "))
	}
	return seen, nil
}
