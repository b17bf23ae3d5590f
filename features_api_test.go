package roux_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/client"
)

// loopback serves api on 127.0.0.1 for the test's lifetime.
func loopback(t *testing.T, api http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return srv
}

// send makes one request to srv and returns the status and the body.
func send(t *testing.T, srv *httptest.Server, method, target, contentType, body string) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, srv.URL+target, r)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, b
}

// failure is what a test checks of one member of a problem's errors.
type failure struct{ Pointer, Parameter, In, Code string }

func failuresOf(t *testing.T, body []byte) []failure {
	t.Helper()
	var p roux.Error
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("not a problem: %s", body)
	}
	return problemFailures(&p)
}

func problemFailures(p *roux.Error) []failure {
	var out []failure
	for _, e := range p.Errors {
		f := failure{Parameter: e.Parameter, In: e.In, Code: e.Code}
		if e.Pointer != nil {
			f.Pointer = *e.Pointer
		}
		out = append(out, f)
	}
	return out
}

// exchange is one request to a test server and what it must answer.
type exchange struct {
	name, method, target, body string
	status                     int
	want                       []failure // for 422
}

// exchanges sends each request (in parallel subtests, with a JSON
// Content-Type) and checks the status and, for a 422, the failures.
func exchanges(t *testing.T, srv *httptest.Server, cases []exchange) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, body := send(t, srv, tt.method, tt.target, "application/json", tt.body)
			if status != tt.status {
				t.Fatalf("got %d %s, want %d", status, body, tt.status)
			}
			if tt.status == 422 {
				if diff := cmp.Diff(tt.want, failuresOf(t, body)); diff != "" {
					t.Errorf("failures (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestEnumMethodOverLoopback(t *testing.T) {
	t.Parallel()
	srv := loopback(t, newFeaturesAPI().api)
	exchanges(t, srv, []exchange{
		{"query value", "GET", "/tickets?station=fry&route=grill,cold", "", 200, nil},
		{"query not in the enum", "GET", "/tickets?station=oven", "", 422, []failure{{Parameter: "station", In: "query", Code: "enum"}}},
		{"slice item not in the enum", "GET", "/tickets?route=grill,oven", "", 422, []failure{{Parameter: "route", In: "query", Code: "enum"}}},
		{"body members", "POST", "/tickets", `{"dish":"x","station":"cold","backup":null,"route":["fry"],"window":{"from":1,"to":2}}`, 200, nil},
		{"body members not in the enum", "POST", "/tickets", `{"dish":"x","station":"Cold","backup":"oven","route":["fry","wok"],"window":{"from":1,"to":2}}`, 422, []failure{
			{Pointer: "/station", Code: "enum"}, {Pointer: "/backup", Code: "enum"}, {Pointer: "/route/1", Code: "enum"},
		}},
	})
}

// TestMergePatchOverLoopback sends merge patches to PATCH /dishes/{id}
// in turn and checks the stored dish after each.
func TestMergePatchOverLoopback(t *testing.T) {
	t.Parallel()
	srv := loopback(t, newFeaturesAPI().api)
	str := func(s string) *string { return &s }
	want := FeatDish{ID: 1, Name: "Fries", Description: str("Crisp, with herbs"), Price: 4.5, Station: Fry,
		Tags: []string{"side"}, Allergens: map[string]string{"gluten": "traces"}}
	for _, tt := range []struct {
		name, contentType, body string
		status                  int
		change                  func(*FeatDish)
		fails                   []failure
	}{
		{"empty patch changes nothing", roux.MergePatchType, `{}`, 200, func(*FeatDish) {}, nil},
		{"null clears the description", roux.MergePatchType, `{"description":null}`, 200,
			func(d *FeatDish) { d.Description = nil }, nil},
		{"values replace, arrays whole", roux.MergePatchType, `{"name":"Chips","description":"Thick","tags":["side","hot"]}`, 200,
			func(d *FeatDish) { d.Name, d.Description, d.Tags = "Chips", str("Thick"), []string{"side", "hot"} }, nil},
		{"objects merge, null deletes a key", "application/merge-patch+json; charset=utf-8", `{"allergens":{"gluten":null,"celery":"yes"}}`, 200,
			func(d *FeatDish) { d.Allergens = map[string]string{"celery": "yes"} }, nil},
		{"plain JSON is accepted too", "application/json", `{"price":5,"station":"grill"}`, 200,
			func(d *FeatDish) { d.Price, d.Station = 5, Grill }, nil},
		{"null where the target cannot be cleared", roux.MergePatchType, `{"name":null,"price":null,"tags":null}`, 422, nil, []failure{
			{Pointer: "/name", Code: "type"}, {Pointer: "/price", Code: "type"}, {Pointer: "/tags", Code: "type"},
		}},
		{"values are validated", roux.MergePatchType, `{"name":"","description":"` + strings.Repeat("x", 201) + `","station":"oven","bogus":1}`, 422, nil, []failure{
			{Pointer: "/bogus", Code: "additionalProperties"}, {Pointer: "/name", Code: "minLength"},
			{Pointer: "/description", Code: "maxLength"}, {Pointer: "/station", Code: "enum"},
		}},
		{"not JSON", "text/plain", `{}`, 415, nil, nil},
		{"a JSON Patch is not a merge patch", "application/json-patch+json", `[{"op":"remove","path":"/tags"}]`, 415, nil, nil},
	} {
		// Not parallel: each patch applies to what the previous left.
		t.Run(tt.name, func(t *testing.T) {
			status, body := send(t, srv, "PATCH", "/dishes/1", tt.contentType, tt.body)
			if status != tt.status {
				t.Fatalf("got %d %s, want %d", status, body, tt.status)
			}
			if tt.change != nil {
				tt.change(&want)
				var got FeatDish
				if err := json.Unmarshal(body, &got); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("dish (-want +got):\n%s", diff)
				}
			}
			if tt.fails != nil {
				if diff := cmp.Diff(tt.fails, failuresOf(t, body)); diff != "" {
					t.Errorf("failures (-want +got):\n%s", diff)
				}
			}
		})
	}
	if status, body := send(t, srv, "PATCH", "/dishes/2", roux.MergePatchType, `{}`); status != 404 {
		t.Errorf("unknown dish: got %d %s, want 404", status, body)
	}
}

func TestValidateMethodsOverLoopback(t *testing.T) {
	t.Parallel()
	f := newFeaturesAPI()
	srv := loopback(t, f.api)
	ok := `{"dish":"x","station":"cold","window":{"from":1,"to":2}}`
	exchanges(t, srv, []exchange{
		{"input rule passes", "GET", "/dishes?min_price=1&max_price=5", "", 200, nil},
		{"input rule fails", "GET", "/dishes?min_price=6&max_price=5", "", 422, []failure{{Parameter: "max_price", In: "query", Code: "priceRange"}}},
		{"input rule waits for the schema", "GET", "/dishes?min_price=6&max_price=5&station=oven", "", 422, []failure{{Parameter: "station", In: "query", Code: "enum"}}},
		{"body and nested rules", "POST", "/tickets?kitchen=north", `{"dish":"x","station":"cold","backup":"cold","window":{"from":9,"to":2}}`, 422, []failure{
			{Pointer: "/window/to", Code: "windowOrder"},
		}},
		{"outer rule runs once the inner value passes", "POST", "/tickets?kitchen=north", `{"dish":"x","station":"cold","backup":"cold","window":{"from":1,"to":2}}`, 422, []failure{
			{Pointer: "/backup", Code: "distinct"},
		}},
		{"body rules join parameter failures", "POST", "/tickets?kitchen=n", `{"dish":"x","station":"cold","window":{"from":9,"to":2}}`, 422, []failure{
			{Parameter: "kitchen", In: "query", Code: "minLength"}, {Pointer: "/window/to", Code: "windowOrder"},
		}},
		{"a rule does not see a value that failed its schema", "POST", "/tickets?kitchen=north", `{"dish":"x","station":"cold","window":{"from":9,"to":-1}}`, 422, []failure{
			{Pointer: "/window/to", Code: "minimum"},
		}},
		{"valid body", "POST", "/tickets?kitchen=north", ok, 200, nil},
	})
}

// TestValidateMethodsInClient checks that the typed client's validation
// runs the same Validate methods, and sends nothing when they fail.
func TestValidateMethodsInClient(t *testing.T) {
	t.Parallel()
	f := newFeaturesAPI()
	srv := loopback(t, f.api)
	c := client.New(srv.URL, client.HTTPClient(srv.Client()), client.Validation())
	ctx := context.Background()
	five, two := 5.0, 2.0

	dishes, err := client.Call(ctx, c, f.list, &ListDishesInput{MinPrice: 1, MaxPrice: &five})
	if err != nil || len(*dishes) != 1 {
		t.Fatalf("got %v, %v; want one dish", dishes, err)
	}
	for _, tt := range []struct {
		name string
		call func() error
		want []failure
	}{
		{"input rule", func() error {
			_, err := client.Call(ctx, c, f.list, &ListDishesInput{MinPrice: 3, MaxPrice: &two})
			return err
		}, []failure{{Parameter: "max_price", In: "query", Code: "priceRange"}}},
		{"body rules", func() error {
			_, err := client.Call(ctx, c, f.ticket, &TicketInput{Kitchen: "north", Body: Ticket{Dish: "x", Station: Fry, Window: Window{From: 5, To: 1}}})
			return err
		}, []failure{{Pointer: "/window/to", Code: "windowOrder"}}},
		{"Optional values", func() error {
			_, err := client.Call(ctx, c, f.patch, &PatchDishInput{ID: 1, Body: DishPatch{Name: roux.Some(""), Station: roux.Some(Station("oven"))}})
			return err
		}, []failure{{Pointer: "/name", Code: "minLength"}, {Pointer: "/station", Code: "enum"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var pe *roux.Error
			if !errors.Is(err, client.ErrInvalid) || !errors.As(err, &pe) || pe.Status != 422 {
				t.Fatalf("got %v, want a 422 *roux.Error wrapping client.ErrInvalid", err)
			}
			if diff := cmp.Diff(tt.want, problemFailures(pe)); diff != "" {
				t.Errorf("failures (-want +got):\n%s", diff)
			}
		})
	}
	f.mu.Lock()
	hits := f.listHit
	f.mu.Unlock()
	if hits != 1 {
		t.Errorf("the list handler ran %d times, want 1: an invalid input must not be sent", hits)
	}

	// The client sends Optional members as the server reads them.
	cleared, err := client.Call(ctx, c, f.patch, &PatchDishInput{ID: 1, Body: DishPatch{Description: roux.Some[*string](nil), Price: roux.Some(6.0)}})
	if err != nil || cleared.Description != nil || cleared.Price != 6 || cleared.Name != "Fries" {
		t.Errorf("got %+v, %v; want the description cleared, the price 6 and the name kept", cleared, err)
	}
}

// badCourse's Enum returns another type.
type badCourse string

func (badCourse) Enum() []string { return []string{"a"} }

func TestFeatureRegistrationErrors(t *testing.T) {
	t.Parallel()
	type msg struct {
		M string `json:"m"`
	}
	for _, tt := range []struct {
		name string
		reg  func(api *roux.API)
		want string
	}{
		{"MergePatch without a body", func(api *roux.API) {
			roux.Patch(api, "/a", func(ctx context.Context, in *struct{}) (*msg, error) { return nil, nil }, roux.MergePatch())
		}, "MergePatch() needs a JSON request body"},
		{"Optional without omitzero", func(api *roux.API) {
			roux.Patch(api, "/a", func(ctx context.Context, in *struct {
				Body struct {
					N roux.Optional[int] `json:"n"`
				}
			}) (*msg, error) {
				return nil, nil
			})
		}, "tag it omitzero"},
		{"Optional parameter", func(api *roux.API) {
			roux.Get(api, "/a", func(ctx context.Context, in *struct {
				N roux.Optional[int] `query:"n"`
			}) (*msg, error) {
				return nil, nil
			})
		}, `query parameter "n" has unsupported type`},
		{"Enum method of another type", func(api *roux.API) {
			roux.Get(api, "/a", func(ctx context.Context, in *struct {
				C badCourse `query:"c"`
			}) (*msg, error) {
				return nil, nil
			})
		}, "badCourse.Enum returns []string"},
		{"enum tag outside the type's", func(api *roux.API) {
			roux.Get(api, "/a", func(ctx context.Context, in *struct {
				C Station `query:"c" enum:"fry,wok"`
			}) (*msg, error) {
				return nil, nil
			})
		}, "wok is not one of the values roux_test.Station.Enum lists"},
		{"default outside the type's enum", func(api *roux.API) {
			roux.Get(api, "/a", func(ctx context.Context, in *struct {
				C Station `query:"c" default:"wok"`
			}) (*msg, error) {
				return nil, nil
			})
		}, `default "wok" fails its own enum keyword`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			re := registrationError(t, func() { tt.reg(quietAPI()) })
			if !strings.Contains(re.Error(), tt.want) || !strings.Contains(re.Error(), "features_api_test.go:") {
				t.Errorf("got %q, want it to contain %q and the caller's file:line", re, tt.want)
			}
		})
	}
}

// TestOptionalInOutput checks that roux encodes Optional members of an
// output as its schema says: absent left out, null and values written.
func TestOptionalInOutput(t *testing.T) {
	t.Parallel()
	type out struct {
		A roux.Optional[string]  `json:"a,omitzero"`
		B roux.Optional[*string] `json:"b,omitzero"`
		C roux.Optional[int]     `json:"c,omitzero"`
	}
	api := quietAPI()
	roux.Get(api, "/o", func(ctx context.Context, in *struct{}) (*out, error) {
		return &out{B: roux.Some[*string](nil), C: roux.Some(0)}, nil
	})
	srv := loopback(t, api)
	if status, body := send(t, srv, "GET", "/o", "", ""); status != 200 || string(body) != `{"b":null,"c":0}` {
		t.Errorf("got %d %s, want 200 {\"b\":null,\"c\":0}", status, body)
	}
}

// TestValidateMethodsInResponseCheck checks that, with responses checked,
// an output that breaks its type's Validate rule is a violation.
func TestValidateMethodsInResponseCheck(t *testing.T) {
	t.Parallel()
	api := roux.New(roux.Config{CheckResponses: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	roux.Get(api, "/window", func(ctx context.Context, in *struct {
		From int `query:"from"`
	}) (*Window, error) {
		return &Window{From: in.From, To: 10}, nil
	})
	srv := loopback(t, api)
	if status, body := send(t, srv, "GET", "/window?from=1", "", ""); status != 200 {
		t.Errorf("got %d %s, want 200", status, body)
	}
	status, body := send(t, srv, "GET", "/window?from=20", "", "")
	if status != 500 || !strings.Contains(string(body), roux.ResponseViolationType) {
		t.Fatalf("got %d %s, want a 500 response violation", status, body)
	}
	if diff := cmp.Diff([]failure{{Pointer: "/to", Code: "windowOrder"}}, failuresOf(t, body)); diff != "" {
		t.Errorf("failures (-want +got):\n%s", diff)
	}
}

// TestFeaturesWithDeclarations declares the operations apart from their
// handlers: MergePatch is part of the declaration, and the typed client
// validates with the declaration alone.
func TestFeaturesWithDeclarations(t *testing.T) {
	t.Parallel()
	patchDish := roux.NewOperation[PatchDishInput, FeatDish]("PATCH", "/dishes/{id}", roux.MergePatch())
	listDishes := roux.NewOperation[ListDishesInput, []FeatDish]("GET", "/dishes")
	api := quietAPI()
	stored := FeatDish{ID: 1, Name: "Soup", Price: 3, Station: Cold}
	roux.Handle(api, patchDish, func(ctx context.Context, in *PatchDishInput) (*FeatDish, error) {
		d := stored
		if err := roux.ApplyMergePatch(&d, &in.Body); err != nil {
			return nil, err
		}
		return &d, nil
	})
	roux.Handle(api, listDishes, func(ctx context.Context, in *ListDishesInput) (*[]FeatDish, error) {
		return &[]FeatDish{stored}, nil
	})
	if _, ok := api.OpenAPI().Paths["/dishes/{id}"].Patch.RequestBody.Content[roux.MergePatchType]; !ok {
		t.Errorf("the declared operation's body is not published as %s", roux.MergePatchType)
	}
	srv := loopback(t, api)
	if status, body := send(t, srv, "GET", "/dishes?min_price=3&max_price=2", "", ""); status != 422 || !strings.Contains(string(body), "priceRange") {
		t.Errorf("got %d %s, want the input's rule to answer 422", status, body)
	}
	c := client.New(srv.URL, client.HTTPClient(srv.Client()), client.Validation())
	one := 1.0
	if _, err := client.Call(context.Background(), c, listDishes, &ListDishesInput{MinPrice: 2, MaxPrice: &one}); !errors.Is(err, client.ErrInvalid) {
		t.Errorf("got %v, want client.ErrInvalid from the input's rule", err)
	}
	sendTicket := roux.NewOperation[TicketInput, Ticket]("POST", "/tickets") // not served: the client refuses first
	bad := &TicketInput{Kitchen: "north", Body: Ticket{Dish: "x", Station: Fry, Window: Window{From: 3, To: 1}}}
	if _, err := client.Call(context.Background(), c, sendTicket, bad); !errors.Is(err, client.ErrInvalid) || !strings.Contains(err.Error(), "must not be before from") {
		t.Errorf("got %v, want client.ErrInvalid from the body's nested rule", err)
	}
	got, err := client.Call(context.Background(), c, patchDish, &PatchDishInput{ID: 1, Body: DishPatch{Name: roux.Some("Broth")}})
	if err != nil || got.Name != "Broth" || got.Price != 3 {
		t.Errorf("got %+v, %v; want the name changed and the price kept", got, err)
	}
}
