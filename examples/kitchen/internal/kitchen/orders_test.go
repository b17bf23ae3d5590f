package kitchen_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/roux-go/roux/examples/kitchen/internal/kitchen"
)

// order places an order and returns it.
func (s *server) order(t *testing.T, tok, body string) kitchen.Order {
	t.Helper()
	var o kitchen.Order
	r := s.do("POST", "/orders", body, bearer(tok)...).want(t, http.StatusAccepted, &o)
	if r.header.Get("Location") != fmt.Sprint("/orders/", o.ID) {
		t.Fatalf("Location %q for order %d", r.header.Get("Location"), o.ID)
	}
	return o
}

func (s *server) getOrder(t *testing.T, tok string, id int64) kitchen.Order {
	t.Helper()
	var o kitchen.Order
	s.do("GET", fmt.Sprint("/orders/", id), "", bearer(tok)...).want(t, 200, &o)
	return o
}

// sse is one server-sent event.
type sse struct {
	id, event string
	data      kitchen.OrderEvent
}

// events reads an order's event stream until the server ends it.
func (s *server) events(t *testing.T, tok string, id int64, headers ...string) []sse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
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
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var out []sse
	var cur sse
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur.event != "" {
				out = append(out, cur)
			}
			cur = sse{}
		case strings.HasPrefix(line, "id: "):
			cur.id = line[4:]
		case strings.HasPrefix(line, "event: "):
			cur.event = line[7:]
		case strings.HasPrefix(line, "data: "):
			if err := json.Unmarshal([]byte(line[6:]), &cur.data); err != nil {
				t.Fatalf("event data %s: %v", line, err)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading the stream: %v", err)
	}
	return out
}

func TestOrderLifecycle(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b backend) {
		s := start(t, config(b.db(t)))
		body := `{"items":[{"dish_id":1,"quantity":2},{"dish_id":4,"quantity":1},{"dish_id":8,"quantity":3}],"note":"Window table"}`
		s.do("POST", "/orders", body).wantProblem(t, 401)
		s.do("POST", "/orders", body, bearer("nobody")...).wantProblem(t, 401)
		s.do("POST", "/orders", body, "Authorization", "Basic eDp5").wantProblem(t, 401)

		o := s.order(t, token, body)
		if o.Status != "received" || len(o.Items) != 3 || o.TotalCents != 2*650+2600+3*400 || o.Note != "Window table" ||
			o.Events != fmt.Sprint("/orders/", o.ID, "/events") {
			t.Fatalf("placed: %+v", o)
		}
		for _, it := range o.Items {
			if it.Status != "queued" {
				t.Fatalf("a new order's line is %s", it.Status)
			}
		}
		// Status progresses to ready, every line done, the version rising.
		statuses := []string{o.Status}
		waitFor(t, "the order to be ready", func() bool {
			cur := s.getOrder(t, token, o.ID)
			if cur.Status != statuses[len(statuses)-1] {
				statuses = append(statuses, cur.Status)
			}
			return cur.Status == "ready"
		})
		if statuses[len(statuses)-1] != "ready" || slices.Contains(statuses, "cancelled") {
			t.Fatalf("statuses seen: %v", statuses)
		}
		done := s.getOrder(t, token, o.ID)
		for _, it := range done.Items {
			if it.Status != "done" {
				t.Fatalf("line %d of a ready order is %s", it.Line, it.Status)
			}
		}
		if done.Version != o.Version+8 { // cooking, 3x cooking, 3x done, ready
			t.Fatalf("version %d, want %d", done.Version, o.Version+8)
		}
		r := s.do("GET", fmt.Sprint("/orders/", o.ID), "", append(bearer(token), "If-None-Match", fmt.Sprintf(`"%d"`, done.Version))...)
		if r.status != 304 {
			t.Fatalf("If-None-Match of the current order: %d", r.status)
		}

		// The stream replays every event and ends after ready.
		evs := s.events(t, token, o.ID)
		var kinds []string
		for i, e := range evs {
			if e.id != fmt.Sprint(i+1) || e.data.Seq != int64(i+1) || e.data.OrderID != o.ID || e.event != e.data.Kind {
				t.Fatalf("event %d: %+v", i, e)
			}
			if e.event == "item" {
				kinds = append(kinds, fmt.Sprint(e.data.Dish, " ", e.data.Status))
			} else {
				kinds = append(kinds, e.data.Status)
			}
		}
		if len(evs) != 9 || kinds[0] != "received" || kinds[1] != "cooking" || kinds[8] != "ready" ||
			!slices.Contains(kinds, "Ribeye steak done") || !slices.Contains(kinds, "Lemonade cooking") {
			t.Fatalf("events: %v", kinds)
		}
		// Resuming after an event sends only the later ones.
		if later := s.events(t, token, o.ID, "Last-Event-ID", "7"); len(later) != 2 || later[0].data.Seq != 8 {
			t.Fatalf("after Last-Event-ID 7: %+v", later)
		}
		s.do("GET", fmt.Sprint("/orders/", o.ID, "/events"), "", append(bearer(token), "Last-Event-ID", "x")...).wantProblem(t, 422)

		// Another customer sees none of it.
		var other kitchen.Customer
		s.do("POST", "/customers", `{"name":"Bob"}`, staff()...).want(t, 201, &other)
		for _, path := range []string{"", "/events", "/bill"} {
			s.do("GET", fmt.Sprint("/orders/", o.ID, path), "", bearer(other.Token)...).wantProblem(t, 403)
		}
		s.do("POST", fmt.Sprint("/orders/", o.ID, "/cancel"), "", bearer(other.Token)...).wantProblem(t, 403)
		s.do("GET", "/orders/999999", "", bearer(token)...).wantProblem(t, 404)

		var page kitchen.OrderPage
		s.do("GET", "/orders", "", bearer(token)...).want(t, 200, &page)
		if page.Total != 1 || page.Items[0].ID != o.ID {
			t.Fatalf("orders: %+v", page)
		}
		s.do("GET", "/orders", "", bearer(other.Token)...).want(t, 200, &page)
		if page.Total != 0 {
			t.Fatalf("Bob's orders: %+v", page)
		}
		// A ready order cannot be cancelled.
		s.do("POST", fmt.Sprint("/orders/", o.ID, "/cancel"), "", bearer(token)...).wantProblem(t, 409)
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
		var slow kitchen.Dish
		s.do("POST", "/dishes", `{"name":"Slow roast","price_cents":3000,"station":"oven","prep_seconds":3600}`, staff()...).want(t, 201, &slow)
		o := s.order(t, token, fmt.Sprintf(`{"items":[{"dish_id":8,"quantity":1},{"dish_id":%d,"quantity":1}]}`, slow.ID))
		waitFor(t, "the lemonade to be done while the roast cooks", func() bool {
			cur := s.getOrder(t, token, o.ID)
			return cur.Status == "cooking" && cur.Items[0].Status == "done" && cur.Items[1].Status == "cooking"
		})
		var c kitchen.Order
		s.do("POST", fmt.Sprint("/orders/", o.ID, "/cancel"), "", bearer(token)...).want(t, 200, &c)
		if c.Status != "cancelled" || c.Items[0].Status != "done" || c.Items[1].Status != "cancelled" {
			t.Fatalf("cancelled: %+v", c)
		}
		evs := s.events(t, token, o.ID)
		if last := evs[len(evs)-1]; last.event != "order" || last.data.Status != "cancelled" {
			t.Fatalf("last event %+v", last)
		}
		s.do("POST", fmt.Sprint("/orders/", o.ID, "/cancel"), "", bearer(token)...).wantProblem(t, 409)
		s.do("GET", fmt.Sprint("/orders/", o.ID, "/bill"), "", bearer(token)...).wantProblem(t, 409)
		time.Sleep(100 * time.Millisecond) // nothing moves it on
		if cur := s.getOrder(t, token, o.ID); cur.Version != c.Version || cur.Status != "cancelled" {
			t.Fatalf("after the cancellation: %+v", cur)
		}
	})
}

func TestBill(t *testing.T) {
	t.Parallel()
	s := start(t, config(backends[0].db(t)))
	o := s.order(t, token, `{"items":[{"dish_id":4,"quantity":1},{"dish_id":1,"quantity":2},{"dish_id":8,"quantity":3}]}`)
	for _, tt := range []struct {
		query      string
		total, tip int64
		guests     int
		largest    int64 // the largest share of the dishes
	}{
		{"", 5100, 0, 1, 5100},
		{"?tip_percent=10", 5610, 510, 1, 5100},
		{"?guests=2", 5100, 0, 2, 2600},
		{"?guests=3&tip_percent=15", 5865, 765, 3, 2600},
		{"?guests=12", 5100, 0, 12, 2600},
	} {
		var bill kitchen.Bill
		s.do("GET", fmt.Sprint("/orders/", o.ID, "/bill", tt.query), "", bearer(token)...).want(t, 200, &bill)
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
			len(shares) != tt.guests || shares[0] != tt.largest || sum != bill.TotalCents || tips != bill.TipCents || !bill.SplitOptimal {
			t.Errorf("%s: %+v", tt.query, bill)
		}
	}
	for _, q := range []string{"?guests=0", "?guests=13", "?tip_percent=31"} {
		s.do("GET", fmt.Sprint("/orders/", o.ID, "/bill", q), "", bearer(token)...).wantProblem(t, 422)
	}
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
	svc := kitchen.New(config(backends[0].db(t)))
	srv := &server{t: t, svc: svc}
	ts := newUnstarted(t, svc)
	srv.url = ts
	srv.do("GET", "/dishes", "").wantProblem(t, 503)
	srv.do("GET", "/readyz", "").wantProblem(t, 503)
}
