package roux

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"
)

type shareStartIn struct {
	ID int64 `path:"id" minimum:"1"`
}

type shareStartOut struct {
	A string `json:"a"`
}

// Start drops the lookup tables of shared descriptions, which serving
// never reads; operations registered afterwards start new ones, serve and
// are described as before.
func TestStartDropsShareTables(t *testing.T) {
	t.Parallel()
	api := New(Config{Logger: slog.New(slog.DiscardHandler)})
	h := func(ctx context.Context, in *shareStartIn) (*shareStartOut, error) {
		return &shareStartOut{A: "x"}, nil
	}
	Get(api, "/a/{id}", h)
	Get(api, "/b/{id}", h)
	if api.shared.responses == nil || api.shared.validators == nil {
		t.Fatal("no share tables after registration")
	}
	if err := api.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := &api.shared
	if s.responses != nil || s.headers != nil || s.params != nil || s.schemas != nil || s.validators != nil {
		t.Errorf("share tables after Start: %d responses, %d header sets, %d params, %d schemas, %d validators",
			len(s.responses), len(s.headers), len(s.params), len(s.schemas), len(s.validators))
	}
	Get(api, "/c/{id}", h)
	Get(api, "/d/{id}", h)
	for _, c := range []struct {
		path string
		want int
	}{{"/a/1", 200}, {"/c/1", 200}, {"/c/0", 422}, {"/d/0", 422}} {
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, httptest.NewRequest("GET", c.path, nil))
		if rec.Code != c.want {
			t.Errorf("GET %s: got %d %s, want %d", c.path, rec.Code, rec.Body, c.want)
		}
	}
	doc := api.OpenAPI()
	for _, pair := range [][2]string{{"/a/{id}", "/b/{id}"}, {"/c/{id}", "/d/{id}"}} {
		ra, rb := doc.Paths[pair[0]].Get.Responses["422"], doc.Paths[pair[1]].Get.Responses["422"]
		if ra == nil || ra != rb {
			t.Errorf("the 422s of %s and %s are not shared: %p, %p", pair[0], pair[1], ra, rb)
		}
	}
}
