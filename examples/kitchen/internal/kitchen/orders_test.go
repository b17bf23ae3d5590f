package kitchen_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/roux-go/roux/client"
	"github.com/roux-go/roux/sse"

	"github.com/roux-go/roux/examples/kitchen/internal/kitchen"
	"github.com/roux-go/roux/examples/kitchen/kitchenapi"
)

// order places an order of the demo customer and returns it.
func (s *server) order(t *testing.T, lines ...kitchenapi.OrderLine) kitchenapi.Order {
	t.Helper()
	o := call(t, s.demo, kitchenapi.CreateOrder, &kitchenapi.CreateOrderInput{Body: kitchenapi.OrderInput{Items: lines}}).ok()
	if o.Status != http.StatusAccepted || o.Location != fmt.Sprint("/orders/", o.Body.ID) || o.ETag != fmt.Sprintf(`"%d"`, o.Body.Version) {
		t.Fatalf("placed: %+v", o)
	}
	return o.Body
}

// getOrder reads an order of the demo customer.
func (s *server) getOrder(t *testing.T, id int64) kitchenapi.Order {
	t.Helper()
	return call(t, s.demo, kitchenapi.GetOrder, &kitchenapi.GetOrderInput{ID: id}).ok().Body
}

// event is one event of an order's stream, flattened.
type event struct {
	id, kind  string // the SSE id and event name
	seq, oid  int64
	dish, sta string // the line's dish (item events) and the new status
}

// events reads an order's event stream with sse.Read until the server
// ends it. The typed client cannot call a stream: it is a raw request.
func (s *server) events(t *testing.T, tok string, id int64, headers ...string) []event {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprint(s.url, "/orders/", id, "/events"), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" || res.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("events: %d %v", res.StatusCode, res.Header)
	}
	var out []event
	for m, err := range sse.Read[kitchenapi.OrderEvent](res.Body) {
		if err != nil {
			t.Fatalf("after %d events: %v", len(out), err)
		}
		switch e := m.Event; {
		case e.Order != nil:
			out = append(out, event{id: m.ID, kind: "order", seq: e.Order.Seq, oid: e.Order.OrderID, sta: e.Order.Status})
		case e.Item != nil:
			out = append(out, event{id: m.ID, kind: "item", seq: e.Item.Seq, oid: e.Item.OrderID, dish: e.Item.Dish, sta: e.Item.Status})
		}
	}
	return out
}

// lines are the order lines the tests place: 2 tomato soups, a ribeye
// steak and 3 lemonades.
var lines = []kitchenapi.OrderLine{{DishID: 1, Quantity: 2}, {DishID: 4, Quantity: 1}, {DishID: 8, Quantity: 3}}

func TestOrderLifecycle(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b backend) {
		s := start(t, config(b.db(t)))
		in := &kitchenapi.CreateOrderInput{Body: kitchenapi.OrderInput{Items: lines, Note: "Window table"}}
		call(t, s.anon, kitchenapi.CreateOrder, in).fails(401)
		call(t, s.as("nobody"), kitchenapi.CreateOrder, in).fails(401)
		call(t, client.New(s.url, client.Header("Authorization", "Basic eDp5")), kitchenapi.CreateOrder, in).fails(401)

		placed := call(t, s.demo, kitchenapi.CreateOrder, in).ok()
		o := placed.Body
		if placed.Status != 202 || placed.Location != fmt.Sprint("/orders/", o.ID) || o.Status != "received" || len(o.Items) != 3 ||
			o.TotalCents != 2*650+2600+3*400 || o.Note != "Window table" || o.Events != fmt.Sprint("/orders/", o.ID, "/events") {
			t.Fatalf("placed: %+v", placed)
		}
		for _, it := range o.Items {
			if it.Status != "queued" {
				t.Fatalf("a new order's line is %s", it.Status)
			}
		}
		// Status progresses to ready, every line done, the version rising.
		statuses := []string{o.Status}
		waitFor(t, "the order to be ready", func() bool {
			cur := s.getOrder(t, o.ID)
			if cur.Status != statuses[len(statuses)-1] {
				statuses = append(statuses, cur.Status)
			}
			return cur.Status == "ready"
		})
		if statuses[len(statuses)-1] != "ready" || slices.Contains(statuses, "cancelled") {
			t.Fatalf("statuses seen: %v", statuses)
		}
		done := call(t, s.demo, kitchenapi.GetOrder, &kitchenapi.GetOrderInput{ID: o.ID}).ok()
		for _, it := range done.Body.Items {
			if it.Status != "done" {
				t.Fatalf("line %d of a ready order is %s", it.Line, it.Status)
			}
		}
		if done.Body.Version != o.Version+8 || done.ETag != fmt.Sprintf(`"%d"`, o.Version+8) { // cooking, 3x cooking, 3x done, ready
			t.Fatalf("version %d (ETag %s), want %d", done.Body.Version, done.ETag, o.Version+8)
		}
		r := s.do("GET", fmt.Sprint("/orders/", o.ID), "", append(bearer(token), "If-None-Match", done.ETag)...)
		if r.status != 304 {
			t.Fatalf("If-None-Match of the current order: %d", r.status)
		}

		// The stream replays every event and ends after ready.
		evs := s.events(t, token, o.ID)
		var kinds []string
		for i, e := range evs {
			if e.id != fmt.Sprint(i+1) || e.seq != int64(i+1) || e.oid != o.ID {
				t.Fatalf("event %d: %+v", i, e)
			}
			if e.kind == "item" {
				kinds = append(kinds, fmt.Sprint(e.dish, " ", e.sta))
			} else {
				kinds = append(kinds, e.sta)
			}
		}
		if len(evs) != 9 || kinds[0] != "received" || kinds[1] != "cooking" || kinds[8] != "ready" ||
			!slices.Contains(kinds, "Ribeye steak done") || !slices.Contains(kinds, "Lemonade cooking") {
			t.Fatalf("events: %v", kinds)
		}
		// Resuming after an event sends only the later ones.
		if later := s.events(t, token, o.ID, "Last-Event-ID", "7"); len(later) != 2 || later[0].seq != 8 || later[0].id != "8" {
			t.Fatalf("after Last-Event-ID 7: %+v", later)
		}
		// Reconnecting after the last event of a finished order gets 204
		// No Content, which stops a browser's EventSource.
		if r := s.do("GET", fmt.Sprint("/orders/", o.ID, "/events"), "", append(bearer(token), "Last-Event-ID", "9")...); r.status != http.StatusNoContent || len(r.body) != 0 {
			t.Fatalf("after the last event: %d %q", r.status, r.body)
		}
		s.do("GET", fmt.Sprint("/orders/", o.ID, "/events"), "", append(bearer(token), "Last-Event-ID", "x")...).wantProblem(t, 422)
		// The typed client knows it cannot call a stream.
		if _, err := client.Call(t.Context(), s.demo, kitchenapi.OrderEvents, &kitchenapi.EventsInput{ID: o.ID}); !errors.Is(err, client.ErrUnsupported) {
			t.Errorf("calling the stream: %v, want ErrUnsupported", err)
		}

		// Another customer sees none of it, and cannot tell it from an
		// order that does not exist (404 for both, not 403).
		other := call(t, s.staff, kitchenapi.CreateCustomer, &kitchenapi.CreateCustomerInput{Body: kitchenapi.NewCustomer{Name: "Bob"}}).ok()
		bob := s.as(other.Token)
		theirs := call(t, bob, kitchenapi.GetOrder, &kitchenapi.GetOrderInput{ID: o.ID}).fails(404)
		if want := fmt.Sprintf("order %d does not exist", o.ID); theirs.Detail != want {
			t.Errorf("another customer's order: detail %q, want %q", theirs.Detail, want)
		}
		call(t, bob, kitchenapi.GetBill, &kitchenapi.BillInput{ID: o.ID}).fails(404)
		call(t, bob, kitchenapi.CancelOrder, &kitchenapi.CancelOrderInput{ID: o.ID}).fails(404)
		s.do("GET", fmt.Sprint("/orders/", o.ID, "/events"), "", bearer(other.Token)...).wantProblem(t, 404)
		call(t, s.demo, kitchenapi.GetOrder, &kitchenapi.GetOrderInput{ID: 999999}).fails(404)

		page := call(t, s.demo, kitchenapi.ListOrders, &kitchenapi.ListOrdersInput{}).ok()
		if page.Total != 1 || page.Items[0].ID != o.ID {
			t.Fatalf("orders: %+v", page)
		}
		if page := call(t, bob, kitchenapi.ListOrders, &kitchenapi.ListOrdersInput{}).ok(); page.Total != 0 {
			t.Fatalf("Bob's orders: %+v", page)
		}
		// A ready order cannot be cancelled.
		call(t, s.demo, kitchenapi.CancelOrder, &kitchenapi.CancelOrderInput{ID: o.ID}).fails(409)
	})
}

func TestOrderValidation(t *testing.T) {
	t.Parallel()
	s := start(t, config(backends[0].db(t)))
	for _, tt := range []struct {
		name, body string
		pointers   []string
	}{
		{"no items", `{"items":[]}`, []string{"/items"}},
		{"bad lines", `{"items":[{"dish_id":0,"quantity":21}]}`, []string{"/items/0/dish_id", "/items/0/quantity"}},
		{"missing quantity", `{"items":[{"dish_id":1}]}`, []string{"/items/0/quantity"}},
		{"unknown dish", `{"items":[{"dish_id":1,"quantity":1},{"dish_id":99,"quantity":1}]}`, []string{"/items/1/dish_id"}},
		{"unavailable dish", `{"items":[{"dish_id":9,"quantity":1}]}`, []string{"/items/0/dish_id"}},
		{"long note", `{"items":[{"dish_id":1,"quantity":1}],"note":"` + strings.Repeat("x", 201) + `"}`, []string{"/note"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := s.do("POST", "/orders", tt.body, bearer(token)...).wantProblem(t, 422)
			var got []string
			for _, e := range p.Errors {
				got = append(got, e.Pointer)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.pointers) {
				t.Errorf("errors at %v, want %v (%+v)", got, tt.pointers, p)
			}
		})
	}
	s.do("POST", "/orders", `{"items":`, bearer(token)...).wantProblem(t, 400)
}

// TestCancelWhileCooking: cancelling stops the stations; the lines not
// done are cancelled, the stream ends with the cancellation, and there is
// no bill.
func TestCancelWhileCooking(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b backend) {
		s := start(t, config(b.db(t)))
		slow := call(t, s.staff, kitchenapi.CreateDish, &kitchenapi.CreateDishInput{Body: kitchenapi.DishInput{Name: "Slow roast",
			PriceCents: 3000, Station: "oven", PrepSeconds: 3600}}).ok().Body
		o := s.order(t, kitchenapi.OrderLine{DishID: 8, Quantity: 1}, kitchenapi.OrderLine{DishID: slow.ID, Quantity: 1})
		waitFor(t, "the lemonade to be done while the roast cooks", func() bool {
			cur := s.getOrder(t, o.ID)
			return cur.Status == "cooking" && cur.Items[0].Status == "done" && cur.Items[1].Status == "cooking"
		})
		c := call(t, s.demo, kitchenapi.CancelOrder, &kitchenapi.CancelOrderInput{ID: o.ID}).ok().Body
		if c.Status != "cancelled" || c.Items[0].Status != "done" || c.Items[1].Status != "cancelled" {
			t.Fatalf("cancelled: %+v", c)
		}
		evs := s.events(t, token, o.ID)
		if last := evs[len(evs)-1]; last.kind != "order" || last.sta != "cancelled" {
			t.Fatalf("last event %+v", last)
		}
		call(t, s.demo, kitchenapi.CancelOrder, &kitchenapi.CancelOrderInput{ID: o.ID}).fails(409)
		call(t, s.demo, kitchenapi.GetBill, &kitchenapi.BillInput{ID: o.ID}).fails(409)
		time.Sleep(100 * time.Millisecond) // nothing moves it on
		if cur := s.getOrder(t, o.ID); cur.Version != c.Version || cur.Status != "cancelled" {
			t.Fatalf("after the cancellation: %+v", cur)
		}
	})
}

func TestBill(t *testing.T) {
	t.Parallel()
	s := start(t, config(backends[0].db(t)))
	o := s.order(t, kitchenapi.OrderLine{DishID: 4, Quantity: 1}, kitchenapi.OrderLine{DishID: 1, Quantity: 2}, kitchenapi.OrderLine{DishID: 8, Quantity: 3})
	for _, tt := range []struct {
		guests, tipPercent int
		total, tip         int64
		wantGuests         int
		largest            int64 // the largest share of the dishes
	}{
		{0, 0, 5100, 0, 1, 5100}, // the defaults: one guest, no tip
		{0, 10, 5610, 510, 1, 5100},
		{2, 0, 5100, 0, 2, 2600},
		{3, 15, 5865, 765, 3, 2600},
		{12, 0, 5100, 0, 12, 2600},
	} {
		bill := call(t, s.demo, kitchenapi.GetBill, &kitchenapi.BillInput{ID: o.ID, Guests: tt.guests, TipPercent: tt.tipPercent}).ok()
		var shares []int64
		var sum, tips int64
		for _, sh := range bill.Split {
			shares = append(shares, sh.DishCents)
			sum += sh.TotalCents
			tips += sh.TipCents
		}
		slices.Sort(shares)
		slices.Reverse(shares)
		if bill.TotalCents != tt.total || bill.TipCents != tt.tip || bill.SubtotalCents != 5100 || bill.VATCents != 464 ||
			len(shares) != tt.wantGuests || shares[0] != tt.largest || sum != bill.TotalCents || tips != bill.TipCents || !bill.SplitOptimal {
			t.Errorf("%d guests, tip %d%%: %+v", tt.guests, tt.tipPercent, bill)
		}
	}
	call(t, s.demo, kitchenapi.GetBill, &kitchenapi.BillInput{ID: o.ID, Guests: 13}).fails(422)
	call(t, s.demo, kitchenapi.GetBill, &kitchenapi.BillInput{ID: o.ID, TipPercent: 31}).fails(422)
	s.do("GET", fmt.Sprint("/orders/", o.ID, "/bill?guests=0"), "", bearer(token)...).wantProblem(t, 422) // a zero the client would not send
}

func TestHealth(t *testing.T) {
	t.Parallel()
	s := start(t, config(backends[0].db(t)))
	s.do("GET", "/livez", "").want(t, 200, nil)
	var h struct {
		Status string
		Checks map[string]string
	}
	s.do("GET", "/readyz", "").want(t, 200, &h)
	if h.Status != "ok" || h.Checks["database"] != "ok" {
		t.Fatalf("readiness: %+v", h)
	}
	s.svc.API().Drain()
	s.do("GET", "/readyz", "").wantProblem(t, 503)
	s.do("GET", "/livez", "").want(t, 200, nil)
}

func TestNotStarted(t *testing.T) {
	t.Parallel()
	s := newUnstarted(t, kitchen.New(config(backends[0].db(t))))
	p := call(t, s.anon, kitchenapi.ListDishes, &kitchenapi.ListDishesInput{}).fails(503)
	if p.Detail != "the kitchen is starting" {
		t.Errorf("got %+v", p)
	}
	s.do("GET", "/readyz", "").wantProblem(t, 503)
}
