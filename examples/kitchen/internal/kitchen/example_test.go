package kitchen_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/roux-go/roux/examples/kitchen/internal/kitchen"
	"github.com/roux-go/roux/examples/kitchen/internal/store"
	"github.com/roux-go/roux/examples/kitchen/internal/store/sqlite"
)

// A kitchen on an SQLite file: started, it migrates and seeds the
// database, then serves the menu and takes orders.
func ExampleNew() {
	dir, _ := os.MkdirTemp("", "kitchen-example-")
	defer os.RemoveAll(dir)
	svc := kitchen.New(kitchen.Config{
		Open: func(ctx context.Context) (store.Store, error) {
			return sqlite.Open(filepath.Join(dir, "kitchen.db"))
		},
		Seed:     true,
		StaffKey: "s3cret",
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	api := svc.API()
	if err := api.Start(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	defer api.Shutdown(context.Background())

	res := httptest.NewRecorder()
	api.ServeHTTP(res, httptest.NewRequest("GET", "/dishes/1", nil))
	fmt.Println(res.Code, res.Header().Get("ETag"))

	req := httptest.NewRequest("GET", "/dishes/1", nil)
	req.Header.Set("If-None-Match", `"1"`)
	res = httptest.NewRecorder()
	api.ServeHTTP(res, req)
	fmt.Println(res.Code, http.StatusText(res.Code))
	// Output:
	// 200 "1"
	// 304 Not Modified
}
