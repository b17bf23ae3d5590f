package kitchen_test

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/client"

	"github.com/roux-go/roux/examples/kitchen/kitchenapi"
)

// TestDishMergePatch: PATCH /dishes/{id} is a JSON Merge Patch: absent
// members stay, null clears the description (and nothing else), and the
// document says so.
func TestDishMergePatch(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b backend) {
		s := start(t, config(b.db(t)))
		patch := func(etag, body string) response {
			t.Helper()
			return s.doType("PATCH", "/dishes/1", roux.MergePatchType, body, append(staff(), "If-Match", etag)...)
		}
		var d kitchenapi.Dish
		patch(`"1"`, `{"description":null,"price_cents":675}`).want(t, 200, &d)
		if d.Description != "" || d.PriceCents != 675 || d.Name != "Tomato soup" || d.Station != kitchenapi.Cold || d.Version != 2 {
			t.Fatalf("after clearing the description: %+v", d)
		}
		got := call(t, s.anon, kitchenapi.GetDish, &kitchenapi.GetDishInput{ID: 1}).ok()
		if raw := s.do("GET", "/dishes/1", ""); strings.Contains(string(raw.body), `"description"`) || got.Body.Description != "" {
			t.Errorf("the description is still there: %s", raw.body)
		}
		// Setting it again, and the other members, through the typed
		// client; tags [] removes every tag.
		desc := "Roasted, with basil oil"
		out := call(t, s.staff, kitchenapi.PatchDish, &kitchenapi.PatchDishInput{ID: 1, IfMatch: roux.ParseETags(`"2"`),
			Body: kitchenapi.DishPatch{Description: roux.Some(&desc), Station: roux.Some(kitchenapi.Grill), Tags: roux.Some([]string{})}}).ok()
		if out.Body.Description != desc || out.Body.Station != kitchenapi.Grill || len(out.Body.Tags) != 0 || out.Body.PriceCents != 675 {
			t.Fatalf("patched: %+v", out.Body)
		}
		// Clearing it through the typed client: Some(nil) is null.
		out = call(t, s.staff, kitchenapi.PatchDish, &kitchenapi.PatchDishInput{ID: 1, IfMatch: roux.ParseETags(`"3"`),
			Body: kitchenapi.DishPatch{Description: roux.Some[*string](nil)}}).ok()
		if out.Body.Description != "" || out.Body.Station != kitchenapi.Grill || out.ETag != `"4"` {
			t.Fatalf("cleared by the client: %+v", out)
		}
		// What cannot be null or is not a station is refused, every
		// member in one 422; plain JSON is accepted too.
		for _, tt := range []struct {
			body     string
			pointers []string
		}{
			{`{"name":null}`, []string{"/name"}},
			{`{"price_cents":null,"available":null}`, []string{"/available", "/price_cents"}},
			{`{"station":"moon","tags":null}`, []string{"/station", "/tags"}},
			{`{"station":"Grill"}`, []string{"/station"}},
			{`{"name":"  "}`, []string{"/name"}},
		} {
			p := s.doType("PATCH", "/dishes/1", "application/json", tt.body, append(staff(), "If-Match", `"4"`)...).wantProblem(t, 422)
			var pointers []string
			for _, e := range p.Errors {
				pointers = append(pointers, e.Pointer)
			}
			slices.Sort(pointers)
			if diff := cmp.Diff(tt.pointers, pointers); diff != "" {
				t.Errorf("%s: errors (-want +got):\n%s", tt.body, diff)
			}
		}
		patch(`"4"`, `{}`).want(t, 200, &d) // an empty patch is a change of nothing but the version
		if d.Version != 5 || d.Station != kitchenapi.Grill {
			t.Errorf("after an empty patch: %+v", d)
		}

		doc := s.svc.API().OpenAPI()
		media := slices.Sorted(func(yield func(string) bool) {
			for k := range doc.Paths["/dishes/{id}"].Patch.RequestBody.Content {
				if !yield(k) {
					return
				}
			}
		})
		if want := []string{"application/json", roux.MergePatchType}; !slices.Equal(media, want) {
			t.Errorf("PATCH media types %v, want %v", media, want)
		}
	})
}

// TestStationEnum: Station's Enum method is the enum of every station in
// the document, in requests and in responses alike, with no enum tag.
func TestStationEnum(t *testing.T) {
	t.Parallel()
	s := start(t, config(backends[0].db(t)))
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct{ Enum []string }
			}
		}
	}
	s.do("GET", "/openapi.json", "").want(t, 200, &doc)
	want := []string{"cold", "grill", "wok", "oven", "pastry", "bar"}
	for _, name := range []string{"Dish", "DishInput", "DishPatch", "OrderItem"} {
		if got := doc.Components.Schemas[name].Properties["station"].Enum; !slices.Equal(got, want) {
			t.Errorf("%s.station's enum is %v, want %v", name, got, want)
		}
	}
	body := `{"name":"Ice","price_cents":100,"station":"freezer","prep_seconds":0}`
	p := s.do("POST", "/dishes", body, staff()...).wantProblem(t, 422)
	if len(p.Errors) != 1 || p.Errors[0].Pointer != "/station" || p.Errors[0].Code != "enum" {
		t.Errorf("an unknown station: %+v", p.Errors)
	}
}

// TestPriceRangeValidate: min_price above max_price is refused by
// ListDishesInput's Validate method, in the server's 422 and in the typed
// client's own validation, before any request.
func TestPriceRangeValidate(t *testing.T) {
	t.Parallel()
	s := start(t, config(backends[0].db(t)))
	var requests atomic.Int32
	counting := client.New(s.url, client.Validation(), client.HTTPClient(&http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		requests.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})}))
	for _, tt := range []struct {
		min, max int64
		fails    bool
	}{
		{900, 800, true},
		{800, 800, false},
		{800, 0, false},
		{0, 800, false},
	} {
		in := &kitchenapi.ListDishesInput{MinPrice: tt.min, MaxPrice: tt.max}
		server := s.do("GET", "/dishes?"+query(tt.min, tt.max), "")
		before := requests.Load()
		_, err := client.Call(t.Context(), counting, kitchenapi.ListDishes, in)
		if !tt.fails {
			server.want(t, 200, nil)
			if err != nil {
				t.Errorf("%d..%d: %v", tt.min, tt.max, err)
			}
			continue
		}
		p := server.wantProblem(t, 422)
		if len(p.Errors) != 1 || p.Errors[0].Parameter != "max_price" || p.Errors[0].Code != "minimum" {
			t.Errorf("%d..%d: server's errors %+v", tt.min, tt.max, p.Errors)
		}
		var e *roux.Error
		if !errors.As(err, &e) || e.Status != 422 || len(e.Errors) != 1 || e.Errors[0].Parameter != "max_price" {
			t.Errorf("%d..%d: client's error %v", tt.min, tt.max, err)
		}
		if requests.Load() != before {
			t.Errorf("%d..%d: the client sent a request it knew to be invalid", tt.min, tt.max)
		}
	}
}

func query(min, max int64) string {
	var q []string
	if min > 0 {
		q = append(q, "min_price="+strconv.FormatInt(min, 10))
	}
	if max > 0 {
		q = append(q, "max_price="+strconv.FormatInt(max, 10))
	}
	return strings.Join(q, "&")
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
