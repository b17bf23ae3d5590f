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
	"sync"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/idemsql"
)

// A service that runs its writes through one writer of its own (here,
// one transaction at a time on SQLite's one writer connection; in the
// kitchen, its group commit) hands it to the store, so that the keys'
// claims and answers are committed with the service's own writes.
func ExampleWriter() {
	dir, err := os.MkdirTemp("", "idemsql")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "kitchen.db")+"?_pragma=busy_timeout(5000)&_txlock=immediate")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	// The service's writer: each write in a transaction of its own.
	var (
		mu      sync.Mutex
		commits int
	)
	write := func(ctx context.Context, fn func(tx *sql.Tx) error) error {
		mu.Lock()
		defer mu.Unlock()
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			tx.Rollback()
			return err
		}
		commits++
		return tx.Commit()
	}
	store := idemsql.New(db, idemsql.SQLite, idemsql.Writer(func(ctx context.Context, w func(idemsql.Conn) error) error {
		return write(ctx, func(tx *sql.Tx) error { return w(tx) })
	}))
	if err := store.CreateTable(context.Background()); err != nil {
		fmt.Println(err)
		return
	}

	api := roux.New(roux.Config{Title: "Kitchen", Version: "1.0.0"})
	roux.Post(api, "/orders", func(ctx context.Context, in *struct{ Body []string }) (*struct{}, error) {
		return &struct{}{}, nil
	}, roux.Status(http.StatusCreated), roux.Idempotent(store, 24*time.Hour))
	srv := httptest.NewServer(api)
	defer srv.Close()

	for range 2 {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/orders", strings.NewReader(`["soup"]`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", `"5d2e8b1a-order"`)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		res.Body.Close()
		fmt.Println(res.StatusCode, "replayed:", res.Header.Get("Idempotent-Replayed") == "true")
	}
	mu.Lock()
	defer mu.Unlock()
	fmt.Println("commits of the service's writer:", commits)
	// Output:
	// 201 replayed: false
	// 201 replayed: true
	// commits of the service's writer: 3
}
