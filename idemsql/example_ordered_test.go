package idemsql_test

import (
	"context"
	"database/sql"
	"errors"
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

// A service whose one writer keeps a transaction open and commits it
// when a write must be durable (a group commit does the same with the
// writes that wait together) hands the store an OrderedWriter. Its
// orders record their key, and a retry of a recorded key gets its order,
// so the operation takes the store's OrderedAnswers: an order then waits
// for one commit, its own, which commits its claim with it; its answer is
// committed by the next durable write (here, the replay's).
func ExampleOrderedWriter() {
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
	if _, err := db.Exec(`CREATE TABLE orders (id INTEGER PRIMARY KEY, idem_key TEXT UNIQUE)`); err != nil {
		fmt.Println(err)
		return
	}

	// The one writer: every write runs in its open transaction, in
	// order; a durable write commits it. (A real one also stops writing
	// after a failed commit: see OrderedWriteFunc.)
	var (
		mu      sync.Mutex
		tx      *sql.Tx
		commits int
	)
	write := func(ctx context.Context, durable bool, fn func(idemsql.Conn) error) error {
		mu.Lock()
		defer mu.Unlock()
		if tx == nil {
			if tx, err = db.Begin(); err != nil {
				return err
			}
		}
		tx.Exec("SAVEPOINT w")
		if err := fn(tx); err != nil {
			_, rerr := tx.Exec("ROLLBACK TO SAVEPOINT w")
			return errors.Join(err, rerr)
		}
		tx.Exec("RELEASE SAVEPOINT w")
		if !durable {
			return nil
		}
		commits++
		err := tx.Commit()
		tx = nil
		return err
	}
	store := idemsql.New(db, idemsql.SQLite, idemsql.OrderedWriter(write))
	if err := store.CreateTable(context.Background()); err != nil {
		fmt.Println(err)
		return
	}

	type order struct {
		Body struct {
			ID int64 `json:"id"`
		}
	}
	api := roux.New(roux.Config{Title: "Kitchen", Version: "1.0.0"})
	roux.Post(api, "/orders", func(ctx context.Context, in *struct{ Body []string }) (*order, error) {
		key, _ := roux.IdempotencyKeyFrom(ctx)
		out := &order{}
		// The order and its key, durable before the answer is sent; the
		// order of the key, if it has one already.
		err := write(ctx, true, func(c idemsql.Conn) error {
			return c.QueryRowContext(ctx, `INSERT INTO orders (idem_key) VALUES ($1)
				ON CONFLICT (idem_key) DO UPDATE SET idem_key = excluded.idem_key RETURNING id`, key).Scan(&out.Body.ID)
		})
		return out, err
	}, roux.Status(http.StatusCreated), roux.Idempotent(store.OrderedAnswers(), 24*time.Hour))
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
		mu.Lock()
		fmt.Println(res.StatusCode, "replayed:", res.Header.Get("Idempotent-Replayed") == "true", "commits:", commits)
		mu.Unlock()
	}
	// Output:
	// 201 replayed: false commits: 1
	// 201 replayed: true commits: 2
}
