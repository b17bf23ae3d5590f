package kitchen_test

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/roux-go/roux/examples/kitchen/internal/kitchen"
)

func names(p kitchen.DishPage) []string {
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
		for _, tt := range []struct {
			query string
			want  []string
			total int
			next  string
		}{
			{"?limit=3", []string{"Tomato soup", "Gazpacho", "Grilled halloumi"}, 9, "/dishes?limit=3&offset=3"},
			{"?limit=3&offset=6", []string{"Tarte tatin", "Lemonade", "Truffle risotto"}, 9, ""},
			{"?tag=vegan&tag=main", []string{"Pad thai"}, 1, ""},
			{"?tag=vegan&sort=-price&limit=2", []string{"Pad thai", "Gazpacho"}, 4, "/dishes?limit=2&offset=2&sort=-price&tag=vegan"},
			{"?min_price=700&max_price=850&sort=price", []string{"Gazpacho", "Tarte tatin", "Grilled halloumi"}, 3, ""},
			{"?available=false", []string{"Truffle risotto"}, 1, ""},
			{"?sort=-id&limit=1", []string{"Truffle risotto"}, 9, "/dishes?limit=1&offset=1&sort=-id"},
			{"?tag=none", nil, 0, ""},
		} {
			var p kitchen.DishPage
			s.do("GET", "/dishes"+tt.query, "").want(t, 200, &p)
			if !slices.Equal(names(p), tt.want) || p.Total != tt.total || p.Next != tt.next {
				t.Errorf("%s: got %v total %d next %q, want %v total %d next %q", tt.query, names(p), p.Total, p.Next, tt.want, tt.total, tt.next)
			}
		}
		// Following next pages through the whole menu once.
		var seen []string
		for next := "/dishes?limit=4&sort=name"; next != ""; {
			var p kitchen.DishPage
			s.do("GET", next, "").want(t, 200, &p)
			seen, next = append(seen, names(p)...), p.Next
		}
		if len(seen) != 9 || !slices.IsSorted(seen) {
			t.Errorf("pages by name: %v", seen)
		}
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
		var d kitchen.Dish
		r := s.do("GET", "/dishes/1", "").want(t, 200, &d)
		if r.header.Get("ETag") != `"1"` || d.Name != "Tomato soup" || d.Version != 1 {
			t.Fatalf("got ETag %q, %+v", r.header.Get("ETag"), d)
		}
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
			{`1`, 400},
			{`"1`, 400},
		} {
			r := s.do("GET", "/dishes/1", "", "If-None-Match", tt.inm)
			if r.status != tt.status {
				t.Errorf("If-None-Match %s: got %d, want %d", tt.inm, r.status, tt.status)
			}
			if tt.status == 304 && (len(r.body) != 0 || r.header.Get("ETag") != `"1"`) {
				t.Errorf("If-None-Match %s: 304 with body %q, ETag %q", tt.inm, r.body, r.header.Get("ETag"))
			}
		}
		s.do("GET", "/dishes/999", "").wantProblem(t, 404)
		s.do("GET", "/dishes/0", "").wantProblem(t, 422)
		s.do("GET", "/dishes/x", "").wantProblem(t, 422)
	})
}

func TestDishWrites(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b backend) {
		s := start(t, config(b.db(t)))
		body := `{"name":"Soup of the day","price_cents":550,"tags":["starter"],"station":"cold","prep_seconds":2}`

		r := s.do("POST", "/dishes", body)
		r.wantProblem(t, 401)
		if r.header.Get("WWW-Authenticate") == "" {
			t.Error("401 without WWW-Authenticate")
		}
		s.do("POST", "/dishes", body, "X-Staff-Key", "guess").wantProblem(t, 401)
		s.do("POST", "/dishes", body, bearer(token)...).wantProblem(t, 401) // a customer is not staff

		var d kitchen.Dish
		r = s.do("POST", "/dishes", body, staff()...).want(t, 201, &d)
		if r.header.Get("Location") != fmt.Sprint("/dishes/", d.ID) || r.header.Get("ETag") != `"1"` || !d.Available || d.ID != 10 {
			t.Fatalf("created: %+v, headers %v", d, r.header)
		}
		p := s.do("POST", "/dishes", `{"name":" ","price_cents":0,"tags":["Bad Tag"],"station":"moon","prep_seconds":-1,"extra":1}`, staff()...).wantProblem(t, 422)
		var pointers []string
		for _, e := range p.Errors {
			pointers = append(pointers, e.Pointer)
		}
		slices.Sort(pointers)
		if want := []string{"/extra", "/name", "/prep_seconds", "/price_cents", "/station", "/tags/0"}; !slices.Equal(pointers, want) {
			t.Errorf("invalid dish: errors at %v, want %v", pointers, want)
		}

		path := fmt.Sprint("/dishes/", d.ID)
		put := `{"name":"Soup of the day","price_cents":600,"station":"cold","prep_seconds":2}`
		s.do("PUT", path, put, staff()...).wantProblem(t, 428)
		s.do("PUT", path, put, append(staff(), "If-Match", `"1`)...).wantProblem(t, 400)
		r = s.do("PUT", path, put, append(staff(), "If-Match", `"1"`)...).want(t, 200, &d)
		if r.header.Get("ETag") != `"2"` || d.PriceCents != 600 || len(d.Tags) != 0 {
			t.Fatalf("replaced: %+v, ETag %s", d, r.header.Get("ETag"))
		}
		r = s.do("PUT", path, put, append(staff(), "If-Match", `"1"`)...)
		r.wantProblem(t, 412)
		if r.header.Get("ETag") != `"2"` {
			t.Errorf("412 with ETag %q, want the current one", r.header.Get("ETag"))
		}
		s.do("PUT", path, put, append(staff(), "If-Match", `W/"2"`)...).wantProblem(t, 412) // weak tags never match If-Match
		s.do("PUT", path, put, append(staff(), "If-Match", `"1", "2"`)...).want(t, 200, nil)
		s.do("PUT", "/dishes/999", put, append(staff(), "If-Match", `"1"`)...).wantProblem(t, 404)

		r = s.do("PATCH", path, `{"price_cents":650,"available":false}`, append(staff(), "If-Match", `"3"`)...).want(t, 200, &d)
		if d.PriceCents != 650 || d.Available || d.Name != "Soup of the day" || d.Version != 4 {
			t.Fatalf("patched: %+v", d)
		}
		s.do("PATCH", path, `{"price_cents":-5}`, append(staff(), "If-Match", `"4"`)...).wantProblem(t, 422)
		s.do("PATCH", path, `{"name":"x"}`, staff()...).wantProblem(t, 428)
		s.do("PATCH", path, `{"name":"Soup"}`, append(staff(), "If-Match", `*`)...).want(t, 200, &d)

		s.do("DELETE", path, "", append(staff(), "If-Match", `"1"`)...).wantProblem(t, 412)
		s.do("DELETE", path, "", bearer(token)...).wantProblem(t, 401)
		r = s.do("DELETE", path, "", staff()...)
		if r.status != 204 || len(r.body) != 0 {
			t.Fatalf("delete: %d %s", r.status, r.body)
		}
		s.do("GET", path, "").wantProblem(t, 404)
		s.do("DELETE", path, "", staff()...).wantProblem(t, 404)
	})
}

// TestConcurrentWriters: clients racing with the same ETag — exactly one
// wins, the others get 412; clients that re-read and retry on 412 all
// get through, and no update is lost.
func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b backend) {
		s := start(t, config(b.db(t)))
		const n = 10
		var ok, failed atomic.Int32
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				r := s.do("PATCH", "/dishes/2", fmt.Sprintf(`{"description":"writer %d"}`, i), append(staff(), "If-Match", `"1"`)...)
				switch r.status {
				case 200:
					ok.Add(1)
				case 412:
					failed.Add(1)
				default:
					t.Errorf("got %d: %s", r.status, r.body)
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
					var d kitchen.Dish
					r := s.do("GET", "/dishes/2", "")
					if r.status != 200 {
						t.Errorf("get: %d", r.status)
						return
					}
					r.want(t, 200, &d)
					r = s.do("PATCH", "/dishes/2", fmt.Sprintf(`{"price_cents":%d}`, d.PriceCents+1), append(staff(), "If-Match", r.header.Get("ETag"))...)
					if r.status == 200 {
						return
					}
					if r.status != 412 {
						t.Errorf("patch: %d %s", r.status, r.body)
						return
					}
				}
				t.Error("no update got through")
			})
		}
		wg.Wait()
		var d kitchen.Dish
		s.do("GET", "/dishes/2", "").want(t, 200, &d)
		if d.PriceCents != 700+n || d.Version != 2+n {
			t.Fatalf("after %d increments: price %d, version %d; want %d and %d", n, d.PriceCents, d.Version, 700+n, 2+n)
		}
	})
}

func TestCustomers(t *testing.T) {
	t.Parallel()
	s := start(t, config(backends[0].db(t)))
	s.do("POST", "/customers", `{"name":"Ann"}`).wantProblem(t, 401)
	var c kitchen.Customer
	s.do("POST", "/customers", `{"name":"Ann"}`, staff()...).want(t, http.StatusCreated, &c)
	if c.Name != "Ann" || len(c.Token) != 48 {
		t.Fatalf("customer %+v", c)
	}
	var page kitchen.OrderPage
	s.do("GET", "/orders", "", bearer(c.Token)...).want(t, 200, &page)
	if page.Total != 0 || len(page.Items) != 0 {
		t.Fatalf("a new customer's orders: %+v", page)
	}
	s.do("POST", "/customers", `{"name":""}`, staff()...).wantProblem(t, 422)
}
