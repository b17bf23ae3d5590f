package kitchen_test

import (
	"strconv"
	"testing"

	"github.com/roux-go/roux/examples/kitchen/internal/kitchen"
	"github.com/roux-go/roux/examples/kitchen/kitchenapi"
)

// TestOrderLimit: a customer may place Config.OrderLimit orders a minute;
// the next one is refused with 429 and Retry-After, while another
// customer still orders.
func TestOrderLimit(t *testing.T) {
	t.Parallel()
	cfg := config(backends[0].db(t))
	cfg.OrderLimit = 3
	s := start(t, cfg)
	body := `{"items":[{"dish_id":1,"quantity":1}]}`
	for i := range 3 {
		r := s.do("POST", "/orders", body, bearer(token)...).want(t, 202, nil)
		if got, want := r.header.Get("RateLimit"), `"orders";r=`+strconv.Itoa(2-i); len(got) < len(want) || got[:len(want)] != want {
			t.Errorf("order %d: RateLimit %q, want it to start with %q", i+1, got, want)
		}
	}
	r := s.do("POST", "/orders", body, bearer(token)...)
	r.wantProblem(t, 429)
	if r.header.Get("Retry-After") == "" || r.header.Get("RateLimit-Policy") != `"orders";q=3;w=60` {
		t.Errorf("429 headers: %v", r.header)
	}
	// Reading is not placing: GET /orders is not limited.
	s.do("GET", "/orders", "", bearer(token)...).want(t, 200, nil)
	ann := call(t, s.staff, kitchenapi.CreateCustomer, &kitchenapi.CreateCustomerInput{Body: kitchenapi.NewCustomer{Name: "Ann"}}).ok()
	s.do("POST", "/orders", body, bearer(ann.Token)...).want(t, 202, nil)

	// The document publishes the 429 where the limit applies.
	doc := s.svc.API().OpenAPI()
	if _, ok := doc.Paths["/orders"].Post.Responses["429"]; !ok {
		t.Error("createOrder does not publish its 429")
	}
}

// TestAuthFailureLimit: a client address that sent Config.AuthFailureLimit
// wrong credentials is refused 429 on every operation that needs one,
// even with a right one, while public operations answer as before.
func TestAuthFailureLimit(t *testing.T) {
	t.Parallel()
	cfg := config(backends[0].db(t))
	cfg.AuthFailureLimit = 3
	s := start(t, cfg)
	// Right credentials spend nothing.
	for range 5 {
		s.do("GET", "/orders", "", bearer(token)...).want(t, 200, nil)
	}
	s.do("GET", "/orders", "", bearer("guess-1")...).wantProblem(t, 401)
	s.do("POST", "/dishes", `{"name":"x","price_cents":1,"station":"cold","prep_seconds":0}`, "X-Staff-Key", "guess-2").wantProblem(t, 401)
	s.do("GET", "/orders/1", "").wantProblem(t, 401) // no token at all
	for _, tt := range []struct {
		method, path, body string
		headers            []string
	}{
		{"GET", "/orders", "", bearer("guess-3")},
		{"GET", "/orders", "", bearer(token)},
		{"POST", "/customers", `{"name":"Eve"}`, staff()},
	} {
		r := s.do(tt.method, tt.path, tt.body, tt.headers...)
		r.wantProblem(t, 429)
		if r.header.Get("Retry-After") == "" || r.header.Get("RateLimit-Policy") != `"credentials";q=3;w=60` {
			t.Errorf("%s %s: 429 headers %v", tt.method, tt.path, r.header)
		}
	}
	call(t, s.anon, kitchenapi.ListDishes, &kitchenapi.ListDishesInput{}).ok()
	call(t, s.anon, kitchenapi.GetDish, &kitchenapi.GetDishInput{ID: 1}).ok()

	doc := s.svc.API().OpenAPI()
	for _, op := range []struct {
		path string
		has  bool
	}{{"/orders", true}, {"/customers", true}, {"/dishes", true}} {
		if _, ok := doc.Paths[op.path].Post.Responses["429"]; ok != op.has {
			t.Errorf("POST %s publishes 429: %v", op.path, ok)
		}
	}
	if _, ok := doc.Paths["/dishes"].Get.Responses["429"]; ok {
		t.Error("listDishes publishes a 429 it never sends")
	}
}

// TestLimitsOff: negative limits turn them off.
func TestLimitsOff(t *testing.T) {
	t.Parallel()
	cfg := config(backends[0].db(t))
	cfg.OrderLimit, cfg.AuthFailureLimit = -1, -1
	s := start(t, cfg)
	for range kitchen.DefaultAuthFailureLimit + 1 {
		s.do("GET", "/orders", "", bearer("guess")...).wantProblem(t, 401)
	}
	if _, ok := s.svc.API().OpenAPI().Paths["/orders"].Post.Responses["429"]; ok {
		t.Error("429 published with the limits off")
	}
}
