package idemsql_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/idemsql"
)

// A service keeps its idempotency keys in its own SQLite database: a
// retry of POST /orders with the same key gets the first answer.
func Example() {
	dir, err := os.MkdirTemp("", "idemsql")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "kitchen.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	store := idemsql.New(db, idemsql.SQLite)
	if err := store.CreateTable(context.Background()); err != nil {
		fmt.Println(err)
		return
	}

	api := roux.New(roux.Config{Title: "Kitchen", Version: "1.0.0"})
	taken := 0
	roux.Post(api, "/orders", func(ctx context.Context, in *struct{ Body []string }) (*struct {
		Number int `json:"number"`
	}, error) {
		taken++
		return &struct {
			Number int `json:"number"`
		}{taken}, nil
	}, roux.Status(http.StatusCreated), roux.Idempotent(store, 24*time.Hour))
	srv := httptest.NewServer(api)
	defer srv.Close()

	for range 2 {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/orders", strings.NewReader(`["soup"]`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", `"3f1c9a0e-order"`)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		res.Body.Close()
		fmt.Println(res.StatusCode, "replayed:", res.Header.Get("Idempotent-Replayed") == "true")
	}
	fmt.Println("orders taken:", taken)
	// Output:
	// 201 replayed: false
	// 201 replayed: true
	// orders taken: 1
}
