package kitchen_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/client"

	"github.com/roux-go/roux/examples/kitchen/kitchenapi"
)

func names(p kitchenapi.DishPage) []string {
	var ns []string
	for _, d := range p.Items {
		ns = append(ns, d.Name)
	}
	return ns
}

func TestMenuListing(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b backend) {
		s := start(t, config(b.db(t)))
		yes, no := true, false
		for _, tt := range []struct {
			in    kitchenapi.ListDishesInput
			want  []string
			total int
			next  string
		}{
			{kitchenapi.ListDishesInput{Limit: 3}, []string{"Tomato soup", "Gazpacho", "Grilled halloumi"}, 9, "/dishes?limit=3&offset=3"},
			{kitchenapi.ListDishesInput{Limit: 3, Offset: 6}, []string{"Tarte tatin", "Lemonade", "Truffle risotto"}, 9, ""},
			{kitchenapi.ListDishesInput{Tag: []string{"vegan", "main"}}, []string{"Pad thai"}, 1, ""},
			{kitchenapi.ListDishesInput{Tag: []string{"vegan"}, Sort: "-price", Limit: 2}, []string{"Pad thai", "Gazpacho"}, 4, "/dishes?limit=2&offset=2&sort=-price&tag=vegan"},
			{kitchenapi.ListDishesInput{MinPrice: 700, MaxPrice: 850, Sort: "price"}, []string{"Gazpacho", "Tarte tatin", "Grilled halloumi"}, 3, ""},
			{kitchenapi.ListDishesInput{Available: &no}, []string{"Truffle risotto"}, 1, ""},
			{kitchenapi.ListDishesInput{Available: &yes, Limit: 1, Offset: 7}, []string{"Lemonade"}, 8, ""},
			{kitchenapi.ListDishesInput{Sort: "-id", Limit: 1}, []string{"Truffle risotto"}, 9, "/dishes?limit=1&offset=1&sort=-id"},
			{kitchenapi.ListDishesInput{Tag: []string{"none"}}, nil, 0, ""},
		} {
			p := call(t, s.anon, kitchenapi.ListDishes, &tt.in).ok()
			if !slices.Equal(names(*p), tt.want) || p.Total != tt.total || p.Next != tt.next {
				t.Errorf("%+v: got %v total %d next %q, want %v total %d next %q", tt.in, names(*p), p.Total, p.Next, tt.want, tt.total, tt.next)
			}
		}
		// Following next pages (links, so raw requests) through the whole
		// menu once.
		var seen []string
		for next := "/dishes?limit=4&sort=name"; next != ""; {
			var p kitchenapi.DishPage
			s.do("GET", next, "").want(t, 200, &p)
			seen, next = append(seen, names(p)...), p.Next
		}
		if len(seen) != 9 || !slices.IsSorted(seen) {
			t.Errorf("pages by name: %v", seen)
		}
		// Malformed queries, as raw requests: the typed client sends no
		// zero value (limit=0) and encodes what it sends well.
		for _, tt := range []struct{ query, param string }{
			{"?limit=0", "limit"},
			{"?limit=101", "limit"},
			{"?sort=cost", "sort"},
			{"?min_price=0", "min_price"},
			{"?min_price=900&max_price=800", "max_price"},
			{"?offset=-1", "offset"},
		} {
			p := s.do("GET", "/dishes"+tt.query, "").wantProblem(t, 422)
			if len(p.Errors) != 1 || p.Errors[0].Parameter != tt.param {
				t.Errorf("%s: got %+v, want one error on %s", tt.query, p.Errors, tt.param)
			}
		}
	})
}

func TestDishETags(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b backend) {
		s := start(t, config(b.db(t)))
		d := call(t, s.anon, kitchenapi.GetDish, &kitchenapi.GetDishInput{ID: 1}).ok()
		if d.Status != 200 || d.ETag != `"1"` || d.Body.Name != "Tomato soup" || d.Body.Version != 1 {
			t.Fatalf("got %+v", d)
		}
		// The conditional GETs on the wire: a 304 has no body.
		for _, tt := range []struct {
			inm    string
			status int
		}{
			{`"1"`, 304},
			{`W/"1"`, 304},
			{`"7", "1"`, 304},
			{`*`, 304},
			{`"2"`, 200},
			{`W/"2"`, 200},
			{`1`, 200}, // a malformed If-None-Match matches nothing
			{`"1`, 200},
		} {
			r := s.do("GET", "/dishes/1", "", "If-None-Match", tt.inm)
			if r.status != tt.status {
				t.Errorf("If-None-Match %s: got %d, want %d", tt.inm, r.status, tt.status)
			}
			if tt.status == 304 && (len(r.body) != 0 || r.header.Get("ETag") != `"1"`) {
				t.Errorf("If-None-Match %s: 304 with body %q, ETag %q", tt.inm, r.body, r.header.Get("ETag"))
			}
		}
		call(t, s.anon, kitchenapi.GetDish, &kitchenapi.GetDishInput{ID: 999}).fails(404)
		call(t, s.anon, kitchenapi.GetDish, &kitchenapi.GetDishInput{ID: 0}).fails(422)
		s.do("GET", "/dishes/x", "").wantProblem(t, 422)
	})
}

func TestDishWrites(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b backend) {
		s := start(t, config(b.db(t)))
		soup := kitchenapi.DishInput{Name: "Soup of the day", PriceCents: 550, Tags: []string{"starter"}, Station: "cold", PrepSeconds: 2}
		create := &kitchenapi.CreateDishInput{Body: soup}

		p := call(t, s.anon, kitchenapi.CreateDish, create).fails(401)
		if p.Detail == "" {
			t.Errorf("401 without a detail: %+v", p)
		}
		r := s.do("POST", "/dishes", `{"name":"x","price_cents":1,"station":"cold","prep_seconds":0}`)
		if r.wantProblem(t, 401); r.header.Get("WWW-Authenticate") == "" {
			t.Error("401 without WWW-Authenticate")
		}
		call(t, client.New(s.url, client.Header("X-Staff-Key", "guess")), kitchenapi.CreateDish, create).fails(401)
		call(t, s.demo, kitchenapi.CreateDish, create).fails(401) // a customer is not staff

		created := call(t, s.staff, kitchenapi.CreateDish, create).ok()
		if created.Status != 201 || created.Location != fmt.Sprint("/dishes/", created.Body.ID) || created.ETag != `"1"` || !created.Body.Available || created.Body.ID != 10 {
			t.Fatalf("created: %+v", created)
		}
		d := &kitchenapi.DishOut{ETag: created.ETag, Body: created.Body}
		// Every failure of an invalid body, an unknown member included:
		// raw, for the typed client sends only what DishInput has.
		pr := s.do("POST", "/dishes", `{"name":" ","price_cents":0,"tags":["Bad Tag"],"station":"moon","prep_seconds":-1,"extra":1}`, staff()...).wantProblem(t, 422)
		var pointers []string
		for _, e := range pr.Errors {
			pointers = append(pointers, e.Pointer)
		}
		slices.Sort(pointers)
		if want := []string{"/extra", "/name", "/prep_seconds", "/price_cents", "/station", "/tags/0"}; !slices.Equal(pointers, want) {
			t.Errorf("invalid dish: errors at %v, want %v", pointers, want)
		}

		id := d.Body.ID
		put := kitchenapi.DishInput{Name: "Soup of the day", PriceCents: 600, Station: "cold", PrepSeconds: 2}
		replace := func(ifMatch string) result[kitchenapi.DishOut] {
			return call(t, s.staff, kitchenapi.ReplaceDish, &kitchenapi.ReplaceDishInput{ID: id, IfMatch: roux.ParseETags(ifMatch), Body: put})
		}
		replace("").fails(428)
		replace(`"1`).fails(412) // a malformed If-Match matches nothing
		d = replace(`"1"`).ok()
		if d.ETag != `"2"` || d.Body.PriceCents != 600 || len(d.Body.Tags) != 0 {
			t.Fatalf("replaced: %+v", d)
		}
		// A stale If-Match: 412, with the current ETag in a header.
		r = s.do("PUT", fmt.Sprint("/dishes/", id), `{"name":"Soup of the day","price_cents":600,"station":"cold","prep_seconds":2}`,
			append(staff(), "If-Match", `"1"`)...)
		r.wantProblem(t, 412)
		if r.header.Get("ETag") != `"2"` {
			t.Errorf("412 with ETag %q, want the current one", r.header.Get("ETag"))
		}
		replace(`W/"2"`).fails(412) // weak tags never match If-Match
		replace(`"1", "2"`).ok()
		call(t, s.staff, kitchenapi.ReplaceDish, &kitchenapi.ReplaceDishInput{ID: 999, IfMatch: roux.ParseETags(`"1"`), Body: put}).fails(404)

		price, off, name := int64(650), false, "Soup"
		d = call(t, s.staff, kitchenapi.PatchDish, &kitchenapi.PatchDishInput{ID: id, IfMatch: roux.ParseETags(`"3"`),
			Body: kitchenapi.DishPatch{PriceCents: roux.Some(price), Available: roux.Some(off)}}).ok()
		if d.Body.PriceCents != 650 || d.Body.Available || d.Body.Name != "Soup of the day" || d.Body.Version != 4 {
			t.Fatalf("patched: %+v", d)
		}
		negative := int64(-5)
		p = call(t, s.staff, kitchenapi.PatchDish, &kitchenapi.PatchDishInput{ID: id, IfMatch: roux.ParseETags(`"4"`), Body: kitchenapi.DishPatch{PriceCents: roux.Some(negative)}}).fails(422)
		if len(p.Errors) != 1 || p.Errors[0].Pointer == nil || *p.Errors[0].Pointer != "/price_cents" {
			t.Errorf("negative price: %+v", p.Errors)
		}
		call(t, s.staff, kitchenapi.PatchDish, &kitchenapi.PatchDishInput{ID: id, Body: kitchenapi.DishPatch{Name: roux.Some(name)}}).fails(428)
		d = call(t, s.staff, kitchenapi.PatchDish, &kitchenapi.PatchDishInput{ID: id, IfMatch: roux.ParseETags(`*`), Body: kitchenapi.DishPatch{Name: roux.Some(name)}}).ok()
		if d.Body.Name != "Soup" || d.Body.PriceCents != 650 {
			t.Fatalf("patched: %+v", d)
		}

		call(t, s.staff, kitchenapi.DeleteDish, &kitchenapi.DeleteDishInput{ID: id, IfMatch: roux.ParseETags(`"1"`)}).fails(412)
		call(t, s.demo, kitchenapi.DeleteDish, &kitchenapi.DeleteDishInput{ID: id}).fails(401)
		r = s.do("DELETE", fmt.Sprint("/dishes/", id), "", staff()...)
		if r.status != 204 || len(r.body) != 0 {
			t.Fatalf("delete: %d %s", r.status, r.body)
		}
		call(t, s.anon, kitchenapi.GetDish, &kitchenapi.GetDishInput{ID: id}).fails(404)
		call(t, s.staff, kitchenapi.DeleteDish, &kitchenapi.DeleteDishInput{ID: id}).fails(404)
	})
}

// TestConcurrentWriters: clients racing with the same ETag — exactly one
// wins, the others get 412; clients that re-read and retry on 412 all
// get through, and no update is lost; clients racing with If-Match: *
// all get through.
func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b backend) {
		s := start(t, config(b.db(t)))
		ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
		defer cancel()
		status := func(err error) int {
			var p *roux.Error
			if errors.As(err, &p) {
				return p.Status
			}
			if err != nil {
				t.Errorf("not a problem: %v", err)
			}
			return 200
		}
		const n = 10
		var ok, failed atomic.Int32
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				desc := fmt.Sprint("writer ", i)
				_, err := client.Call(ctx, s.staff, kitchenapi.PatchDish, &kitchenapi.PatchDishInput{ID: 2, IfMatch: roux.ParseETags(`"1"`),
					Body: kitchenapi.DishPatch{Description: roux.Some(&desc)}})
				switch st := status(err); st {
				case 200:
					ok.Add(1)
				case 412:
					failed.Add(1)
				default:
					t.Errorf("got %d: %v", st, err)
				}
			})
		}
		wg.Wait()
		if ok.Load() != 1 || failed.Load() != n-1 {
			t.Fatalf("%d succeeded and %d got 412, want 1 and %d", ok.Load(), failed.Load(), n-1)
		}
		for range n {
			wg.Go(func() {
				for range 200 {
					d, err := client.Call(ctx, s.anon, kitchenapi.GetDish, &kitchenapi.GetDishInput{ID: 2})
					if err != nil {
						t.Errorf("get: %v", err)
						return
					}
					price := d.Body.PriceCents + 1
					_, err = client.Call(ctx, s.staff, kitchenapi.PatchDish, &kitchenapi.PatchDishInput{ID: 2, IfMatch: roux.ParseETags(d.ETag),
						Body: kitchenapi.DishPatch{PriceCents: roux.Some(price)}})
					switch st := status(err); st {
					case 200:
						return
					case 412:
					default:
						t.Errorf("patch: %d %v", st, err)
						return
					}
				}
				t.Error("no update got through")
			})
		}
		wg.Wait()
		d := call(t, s.anon, kitchenapi.GetDish, &kitchenapi.GetDishInput{ID: 2}).ok()
		if d.Body.PriceCents != 700+n || d.Body.Version != 2+n {
			t.Fatalf("after %d increments: price %d, version %d; want %d and %d", n, d.Body.PriceCents, d.Body.Version, 700+n, 2+n)
		}
		// If-Match: * holds while the dish exists (RFC 9110 §13.1.1):
		// patches racing with it all get through, none with a 412.
		for i := range n {
			wg.Go(func() {
				desc := fmt.Sprint("any ", i)
				_, err := client.Call(ctx, s.staff, kitchenapi.PatchDish, &kitchenapi.PatchDishInput{ID: 2, IfMatch: roux.ParseETags("*"),
					Body: kitchenapi.DishPatch{Description: roux.Some(&desc)}})
				if st := status(err); st != 200 {
					t.Errorf("If-Match: * got %d: %v", st, err)
				}
			})
		}
		wg.Wait()
		if d := call(t, s.anon, kitchenapi.GetDish, &kitchenapi.GetDishInput{ID: 2}).ok(); d.Body.Version != 2+2*n {
			t.Errorf("after %d patches with If-Match: *, version %d, want %d", n, d.Body.Version, 2+2*n)
		}
	})
}

func TestCustomers(t *testing.T) {
	t.Parallel()
	s := start(t, config(backends[0].db(t)))
	ann := &kitchenapi.CreateCustomerInput{Body: kitchenapi.NewCustomer{Name: "Ann"}}
	call(t, s.anon, kitchenapi.CreateCustomer, ann).fails(401)
	c := call(t, s.staff, kitchenapi.CreateCustomer, ann).ok()
	if c.Name != "Ann" || len(c.Token) != 48 {
		t.Fatalf("customer %+v", c)
	}
	page := call(t, s.as(c.Token), kitchenapi.ListOrders, &kitchenapi.ListOrdersInput{}).ok()
	if page.Total != 0 || len(page.Items) != 0 || page.Limit != 20 {
		t.Fatalf("a new customer's orders: %+v", page)
	}
	call(t, s.staff, kitchenapi.CreateCustomer, &kitchenapi.CreateCustomerInput{}).fails(422)
}
