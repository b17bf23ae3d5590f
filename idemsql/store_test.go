package idemsql_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
	_ "modernc.org/sqlite"             // the "sqlite" driver

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/idemsql"
)

// databases opens a fresh database of each dialect: a SQLite file, and a
// schema of its own in the PostgreSQL of ROUX_POSTGRES_URL (or
// KITCHEN_POSTGRES_URL, which CI sets: see .ci/postgres.sh). Without
// either, PostgreSQL is skipped, unless CI is set: CI must run it. Each
// dialect comes twice: a store that writes on the *sql.DB, and one
// ("/tx") whose writes run in transactions of their own through
// idemsql.Writer, as a service's writer runs them.
func databases(t testing.TB) map[string]*idemsql.Store {
	t.Helper()
	ctx := context.Background()
	stores := map[string]*idemsql.Store{}
	base := os.Getenv("ROUX_POSTGRES_URL")
	if base == "" {
		base = os.Getenv("KITCHEN_POSTGRES_URL")
	}
	if base == "" && os.Getenv("CI") != "" {
		t.Fatal("neither ROUX_POSTGRES_URL nor KITCHEN_POSTGRES_URL is set: CI must start PostgreSQL (.ci/postgres.sh)")
	}
	if base == "" {
		t.Log("PostgreSQL skipped: set ROUX_POSTGRES_URL=$(bash .ci/postgres.sh)")
	}
	for _, inTx := range []bool{false, true} {
		open := func(name string, db *sql.DB, d idemsql.Dialect) {
			if inTx {
				stores[name+"/tx"] = idemsql.New(db, d, idemsql.Writer(inTransaction(db)))
			} else {
				stores[name] = idemsql.New(db, d)
			}
		}
		open("sqlite", sqlite(t), idemsql.SQLite)
		if base != "" {
			open("postgres", postgres(t, base), idemsql.PostgreSQL)
		}
	}
	for name, s := range stores {
		if err := s.CreateTable(ctx); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := s.CreateTable(ctx); err != nil {
			t.Fatalf("%s: CreateTable again: %v", name, err)
		}
	}
	return stores
}

// inTransaction returns a WriteFunc that runs each write in a
// transaction of its own on db.
func inTransaction(db *sql.DB) idemsql.WriteFunc {
	return func(ctx context.Context, write func(idemsql.Conn) error) error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err := write(tx); err != nil {
			return errors.Join(err, tx.Rollback())
		}
		return tx.Commit()
	}
}

// sqlite opens a fresh SQLite file, in WAL mode, whose transactions take
// the write lock as they begin.
func sqlite(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "idem.db")+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// postgres opens a schema of its own in the database at base, dropped
// when the test ends.
func postgres(t testing.TB, base string) *sql.DB {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "idemsql_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("postgres: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("postgres: dropping %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	// A few connections each: the tests run in parallel, two stores each,
	// beside other tests on the same server (100 connections by default).
	db.SetMaxOpenConns(5)
	t.Cleanup(func() { db.Close() })
	return db
}

func TestStore(t *testing.T) {
	t.Parallel()
	for name, s := range databases(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			live, lapsed := time.Now().Add(time.Hour), time.Now().Add(-time.Second)
			claim := func(key, token string, expires time.Time) *roux.IdempotencyEntry {
				t.Helper()
				prev, err := s.Claim(ctx, key, &roux.IdempotencyEntry{Fingerprint: "fp-" + key, Token: token, Expires: expires})
				if err != nil {
					t.Fatal(err)
				}
				return prev
			}
			if claim("a", "t1", live) != nil || claim("b", "t2", lapsed) != nil {
				t.Fatal("a first claim found an entry")
			}
			prev := claim("a", "t3", live)
			if diff := cmp.Diff(&roux.IdempotencyEntry{Fingerprint: "fp-a", Token: "t1", Expires: time.UnixMilli(live.UnixMilli())}, prev); diff != "" {
				t.Errorf("a claimed: (-want +got)\n%s", diff)
			}
			if prev := claim("b", "t4", live); prev != nil {
				t.Errorf("the lapsed b: got %+v, want it claimed", prev)
			}
			// Update and Release act for the claim's token only.
			done := &roux.IdempotencyEntry{Fingerprint: "fp-a", Token: "t1", Expires: live, Done: true, Status: 201,
				Header: http.Header{"Content-Type": {"application/json"}, "Location": {"/orders/1"}}, Body: []byte(`{"id":1}`)}
			other := *done
			other.Token, other.Status = "t9", 500
			for _, err := range []error{s.Update(ctx, "a", &other), s.Update(ctx, "a", done), s.Release(ctx, "a", "t9"), s.Release(ctx, "b", "t9")} {
				if err != nil {
					t.Fatal(err)
				}
			}
			want := *done
			want.Expires = time.UnixMilli(live.UnixMilli())
			if diff := cmp.Diff(&want, claim("a", "t5", live)); diff != "" {
				t.Errorf("a completed: (-want +got)\n%s", diff)
			}
			if err := s.Release(ctx, "b", "t4"); err != nil {
				t.Fatal(err)
			}
			if prev := claim("b", "t6", live); prev != nil {
				t.Errorf("b after its release: got %+v, want it free", prev)
			}
			// A renewal keeps the claim running.
			if err := s.Update(ctx, "b", &roux.IdempotencyEntry{Fingerprint: "fp-b", Token: "t6", Expires: live.Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			if prev := claim("b", "t7", live); prev == nil || prev.Done || !prev.Expires.Equal(time.UnixMilli(live.Add(time.Hour).UnixMilli())) {
				t.Errorf("b renewed: got %+v", prev)
			}
			// DeleteExpired removes the lapsed entries only.
			if claim("c", "t8", time.Now().Add(-time.Minute)) != nil {
				t.Fatal("c claimed")
			}
			if n, err := s.DeleteExpired(ctx); err != nil || n != 1 {
				t.Errorf("DeleteExpired: %d, %v; want 1 (c)", n, err)
			}
		})
	}
}

func TestStoreConcurrentClaims(t *testing.T) {
	t.Parallel()
	for name, s := range databases(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var wg sync.WaitGroup
			var won, lost atomic.Int64
			for i := range 20 {
				wg.Go(func() {
					prev, err := s.Claim(context.Background(), "race", &roux.IdempotencyEntry{Fingerprint: "f", Token: string(rune('a' + i)), Expires: time.Now().Add(time.Hour)})
					switch {
					case err != nil:
						t.Error(err)
					case prev == nil:
						won.Add(1)
					default:
						lost.Add(1)
					}
				})
			}
			wg.Wait()
			if won.Load() != 1 || lost.Load() != 19 {
				t.Errorf("%d claims won and %d lost, want 1 and 19", won.Load(), lost.Load())
			}
		})
	}
}

type orderIn struct {
	Body struct {
		Dish string `json:"dish"`
	}
}

type orderOut struct {
	Location string `header:"Location"`
	Body     struct {
		ID       int64  `json:"id"`
		Instance string `json:"instance"`
	}
}

// TestTwoInstances runs two instances of a service on one database: a
// retry that reaches the other instance gets the first answer.
func TestTwoInstances(t *testing.T) {
	t.Parallel()
	for name, s := range databases(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var orders atomic.Int64
			instance := func(id string) string {
				api := roux.New(roux.Config{CheckResponses: true, Logger: slog.New(slog.DiscardHandler)})
				roux.Post(api, "/orders", func(ctx context.Context, in *orderIn) (*orderOut, error) {
					out := &orderOut{}
					out.Body.ID, out.Body.Instance = orders.Add(1), id
					out.Location = "/orders/" + in.Body.Dish
					return out, nil
				}, roux.Status(http.StatusCreated), roux.Idempotent(s, time.Hour))
				srv := httptest.NewServer(api)
				t.Cleanup(srv.Close)
				return srv.URL
			}
			a, b := instance("a"), instance("b")
			send := func(base string) (int, string, string) {
				status, h, body := postKeyed(t, base+"/orders", `"order-1"`, `{"dish":"soup"}`)
				return status, h.Get(roux.IdempotentReplayedHeader) + " " + h.Get("Location"), string(body)
			}
			st1, h1, b1 := send(a)
			st2, h2, b2 := send(b)
			if st1 != http.StatusCreated || st2 != st1 || b2 != b1 || h1 != " /orders/soup" || h2 != "true /orders/soup" {
				t.Errorf("got %d %q %s from a, then %d %q %s from b; want b to replay a's answer", st1, h1, b1, st2, h2, b2)
			}
			if n := orders.Load(); n != 1 {
				t.Errorf("%d orders taken, want 1", n)
			}
		})
	}
}

// TestWriterFails: a call whose write its Writer could not commit fails,
// and leaves nothing behind when the Writer rolls the write back.
func TestWriterFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := sqlite(t)
	plain := idemsql.New(db, idemsql.SQLite)
	if err := plain.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	down := errors.New("the commit failed")
	var writes atomic.Int64
	failing := idemsql.New(db, idemsql.SQLite, idemsql.Writer(func(ctx context.Context, write func(idemsql.Conn) error) error {
		writes.Add(1)
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		return errors.Join(down, write(tx), tx.Rollback())
	}))
	entry := func(token string) *roux.IdempotencyEntry {
		return &roux.IdempotencyEntry{Fingerprint: "f", Token: token, Expires: time.Now().Add(time.Hour)}
	}
	for _, tt := range []struct {
		name string
		call func() error
	}{
		{"Claim", func() error { _, err := failing.Claim(ctx, "k", entry("t1")); return err }},
		{"Update", func() error { return failing.Update(ctx, "k", entry("t1")) }},
		{"Release", func() error { return failing.Release(ctx, "k", "t1") }},
		{"DeleteExpired", func() error { _, err := failing.DeleteExpired(ctx); return err }},
	} {
		before := writes.Load()
		if err := tt.call(); !errors.Is(err, down) {
			t.Errorf("%s: got %v, want %v", tt.name, err, down)
		}
		if n := writes.Load() - before; n != 1 {
			t.Errorf("%s: %d writes, want 1", tt.name, n)
		}
	}
	if prev, err := plain.Claim(ctx, "k", entry("t2")); prev != nil || err != nil {
		t.Errorf("the key after a failed claim: got %+v, %v; want it free", prev, err)
	}
}
