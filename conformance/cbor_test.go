package conformance

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/fxamacker/cbor/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux"
)

// cborFormat offers CBOR (RFC 8949) beside JSON, with the encoder of
// github.com/fxamacker/cbor/v2.
var cborFormat = roux.Format{MediaType: "application/cbor", Marshal: func(w io.Writer, v any) error {
	return cbor.NewEncoder(w).Encode(v)
}}

type cborDish struct {
	ID    int64    `json:"id" cbor:"id"`
	Name  string   `json:"name" cbor:"name"`
	Price float64  `json:"price" cbor:"price"`
	Tags  []string `json:"tags" cbor:"tags"`
}

// TestCBORNegotiated serves one operation over loopback in JSON and in
// CBOR, chosen by Accept, and checks both decode to the same value.
func TestCBORNegotiated(t *testing.T) {
	api := roux.New(roux.Config{Formats: []roux.Format{cborFormat}})
	roux.Get(api, "/dishes/{id}", func(ctx context.Context, in *struct {
		ID int64 `path:"id" minimum:"1"`
	}) (*cborDish, error) {
		return &cborDish{ID: in.ID, Name: "Soupe à l'oignon", Price: 8.5, Tags: []string{"hot", "vegetarian"}}, nil
	})
	srv := httptest.NewServer(api)
	defer srv.Close()

	get := func(accept string) (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", srv.URL+"/dishes/7", nil)
		req.Header.Set("Accept", accept)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, b
	}
	want := cborDish{ID: 7, Name: "Soupe à l'oignon", Price: 8.5, Tags: []string{"hot", "vegetarian"}}

	res, body := get("application/cbor")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/cbor" {
		t.Fatalf("got %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var fromCBOR cborDish
	if err := cbor.Unmarshal(body, &fromCBOR); err != nil {
		t.Fatalf("the body is not CBOR: %v", err)
	}
	if diff := cmp.Diff(want, fromCBOR); diff != "" {
		t.Errorf("CBOR body (-want +got):\n%s", diff)
	}

	res, body = get("application/json, application/cbor;q=0.5")
	var fromJSON cborDish
	if err := json.Unmarshal(body, &fromJSON); err != nil || res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("got %s %s: %v", res.Header.Get("Content-Type"), body, err)
	}
	if diff := cmp.Diff(want, fromJSON); diff != "" {
		t.Errorf("JSON body (-want +got):\n%s", diff)
	}

	if res, body := get("application/xml"); res.StatusCode != http.StatusNotAcceptable {
		t.Errorf("Accept: application/xml got %d %s, want 406", res.StatusCode, body)
	}
	doc := api.OpenAPI()
	if doc.Paths["/dishes/{id}"].Get.Responses["200"].Content["application/cbor"] == nil {
		t.Error("the document does not offer application/cbor")
	}
}
