package conformance

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/roux-go/roux/conformance/helloclient"
)

// TestGeneratedClient calls every operation of the example service
// through the client oapi-codegen generated from its document, over
// loopback, and checks that the client understands every answer: the
// typed success bodies and headers, and the problems as its Problem type.
func TestGeneratedClient(t *testing.T) {
	base, doc := helloService(t)
	c, err := helloclient.NewClientWithResponses(base)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	called := map[string]bool{}
	check := func(opID string, got, want int, body []byte) {
		t.Helper()
		called[opID] = true
		if got != want {
			t.Fatalf("%s: got %d, want %d: %s", opID, got, want, body)
		}
	}

	created, err := c.PostDishesWithResponse(ctx, helloclient.DishInput{Name: "Gazpacho", Price: 7.5, Tags: &[]string{"vegan", "cold"}})
	if err != nil {
		t.Fatal(err)
	}
	check("post-dishes", created.StatusCode(), 201, created.Body)
	dish := created.JSON201
	if dish == nil || dish.Id == nil || dish.Name != "Gazpacho" {
		t.Fatalf("post-dishes: got %+v", dish)
	}
	if h := created.Headers201; h == nil || h.Location == nil || *h.Location != fmt.Sprintf("/dishes/%d", *dish.Id) {
		t.Errorf("post-dishes: got Location headers %+v, want /dishes/%d", h, *dish.Id)
	}
	id := *dish.Id

	limit, tag := int64(100), "cold"
	list, err := c.GetDishesWithResponse(ctx, &helloclient.GetDishesParams{Tag: &tag, Limit: &limit})
	if err != nil {
		t.Fatal(err)
	}
	check("get-dishes", list.StatusCode(), 200, list.Body)
	if list.JSON200 == nil || !slices.ContainsFunc(*list.JSON200, func(d helloclient.Dish) bool { return *d.Id == id }) {
		t.Errorf("get-dishes: got %s, want dish %d among them", list.Body, id)
	}

	got, err := c.GetDishesIdWithResponse(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	check("get-dishes-id", got.StatusCode(), 200, got.Body)
	if got.JSON200 == nil || got.JSON200.Price != 7.5 {
		t.Errorf("get-dishes-id: got %s", got.Body)
	}

	put, err := c.PutDishesIdWithResponse(ctx, id, helloclient.DishInput{Name: "Cold soup", Price: 8})
	if err != nil {
		t.Fatal(err)
	}
	check("put-dishes-id", put.StatusCode(), 200, put.Body)
	if put.JSON200 == nil || put.JSON200.Name != "Cold soup" || put.JSON200.Tags != nil {
		t.Errorf("put-dishes-id: got %s", put.Body)
	}

	del, err := c.DeleteDishesIdWithResponse(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	check("delete-dishes-id", del.StatusCode(), 204, del.Body)

	// The documented problems decode into the generated Problem type.
	gone, err := c.GetDishesIdWithResponse(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if p := gone.ApplicationproblemJSON404; gone.StatusCode() != 404 || p == nil || p.Status != 404 {
		t.Errorf("get-dishes-id after delete: got %d %s", gone.StatusCode(), gone.Body)
	}
	bad, err := c.PostDishesWithResponse(ctx, helloclient.DishInput{Name: "x", Price: -1})
	if err != nil {
		t.Fatal(err)
	}
	p := bad.ApplicationproblemJSON422
	if bad.StatusCode() != 422 || p == nil || p.Errors == nil || len(*p.Errors) != 1 {
		t.Fatalf("invalid post-dishes: got %d %s, want 422 listing the one failure", bad.StatusCode(), bad.Body)
	}
	for _, e := range *p.Errors {
		if e.Pointer == nil || e.Code == "" {
			t.Errorf("invalid post-dishes: got failure %+v, want a pointer and a code", e)
		}
	}

	for _, e := range endpoints(doc) {
		if !called[e.op.OperationID] {
			t.Errorf("operation %s (%s %s) was not called through the generated client", e.op.OperationID, e.method, e.path)
		}
	}
}
