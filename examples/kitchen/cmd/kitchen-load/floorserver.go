package main

// This file holds the read floor: a minimal net/http server answering
// the two reads the command measures with the same queries the kitchen
// runs on the same database, and encoding/json — no framework, no
// middleware, no validation, no metrics. It is what the kitchen's reads
// are compared with.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "modernc.org/sqlite" // the database/sql driver "sqlite"

	"github.com/roux-go/roux/examples/kitchen/internal/store/postgres"
)

// floorDB runs a query returning rows; both backends' rows scan alike.
type floorDB interface {
	query(ctx context.Context, sql string, args ...any) (scanner, error)
}

type scanner interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// pgFloor runs queries on a pgx pool (which prepares each once per
// connection).
type pgFloor struct{ p *pgxpool.Pool }

func (f pgFloor) query(ctx context.Context, sql string, args ...any) (scanner, error) {
	return f.p.Query(ctx, sql, args...)
}

// sqliteFloor runs queries on database/sql, each prepared once.
type sqliteFloor struct {
	db    *sql.DB
	stmts map[string]*sql.Stmt // prepared at start; read-only after
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { r.Rows.Close() }

func (f sqliteFloor) query(ctx context.Context, q string, args ...any) (scanner, error) {
	var rows *sql.Rows
	var err error
	if st, ok := f.stmts[q]; ok {
		rows, err = st.QueryContext(ctx, args...)
	} else {
		rows, err = f.db.QueryContext(ctx, q, args...)
	}
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

// The floor's queries: the kitchen's, for a page of dishes with a tag
// sorted by price, and for an order of the customer whose token is sent.
const (
	floorCount = `SELECT count(*) FROM dishes d WHERE EXISTS (SELECT 1 FROM dish_tags t WHERE t.dish_id = d.id AND t.tag = $1)`
	floorPage  = `SELECT d.id, d.name, d.description, d.price_cents, d.station, d.prep_seconds, d.available, d.version,
		d.created_at, d.updated_at, coalesce((SELECT string_agg(t.tag, ',') FROM dish_tags t WHERE t.dish_id = d.id), '')
		FROM dishes d WHERE EXISTS (SELECT 1 FROM dish_tags t WHERE t.dish_id = d.id AND t.tag = $1)
		ORDER BY d.price_cents, d.id LIMIT $2 OFFSET $3`
	floorCustomer = `SELECT id FROM customers WHERE token_hash = $1`
	floorOrder    = `SELECT id, customer_id, status, note, version, created_at, updated_at FROM orders WHERE id = $1`
	floorItems    = `SELECT line, coalesce(dish_id, 0), name, unit_price_cents, quantity, station, status FROM order_items
		WHERE order_id = $1 ORDER BY line`
)

// openFloor opens the floor's connections to the database.
func openFloor(ctx context.Context, backend, dsn string) (floorDB, func(), error) {
	if backend == "postgres" {
		cfg, err := pgxpool.ParseConfig(dsn)
		if err != nil {
			return nil, nil, err
		}
		cfg.MaxConns = postgres.DefaultMaxConns // as the kitchen's pool
		p, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			return nil, nil, err
		}
		return pgFloor{p}, p.Close, nil
	}
	db, err := sql.Open("sqlite", "file:"+dsn+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		return nil, nil, err
	}
	db.SetMaxOpenConns(4) // as the kitchen's readers
	db.SetMaxIdleConns(4)
	f := sqliteFloor{db: db, stmts: map[string]*sql.Stmt{}}
	for _, q := range []string{floorCount, floorPage, floorCustomer, floorOrder, floorItems} {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			db.Close()
			return nil, nil, err
		}
		f.stmts[q] = st
	}
	return f, func() { db.Close() }, nil
}

type floorDish struct {
	ID          int64    `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	PriceCents  int64    `json:"price_cents"`
	Tags        []string `json:"tags"`
	Station     string   `json:"station"`
	PrepSeconds int      `json:"prep_seconds"`
	Available   bool     `json:"available"`
	Version     int64    `json:"version"`
	CreatedAt   int64    `json:"created_at"`
	UpdatedAt   int64    `json:"updated_at"`
}

type floorItem struct {
	Line           int    `json:"line"`
	DishID         int64  `json:"dish_id,omitempty"`
	Name           string `json:"name"`
	UnitPriceCents int64  `json:"unit_price_cents"`
	Quantity       int    `json:"quantity"`
	Station        string `json:"station"`
	Status         string `json:"status"`
}

type floorOrderOut struct {
	ID        int64       `json:"id"`
	Status    string      `json:"status"`
	Note      string      `json:"note,omitempty"`
	Items     []floorItem `json:"items"`
	Version   int64       `json:"version"`
	CreatedAt int64       `json:"created_at"`
	UpdatedAt int64       `json:"updated_at"`
}

// floorHandler answers GET /dishes?tag=T&limit=N (sorted by price) and
// GET /orders/{id} with a bearer token.
func floorHandler(db floorDB) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /dishes", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		tag := q.Get("tag")
		limit, err := strconv.Atoi(q.Get("limit"))
		if err != nil || limit < 1 || limit > 100 {
			http.Error(w, "bad limit", http.StatusUnprocessableEntity)
			return
		}
		var page struct {
			Items  []floorDish `json:"items"`
			Total  int         `json:"total"`
			Limit  int         `json:"limit"`
			Offset int         `json:"offset"`
		}
		page.Items, page.Limit = []floorDish{}, limit
		err = scanRows(r.Context(), db, floorCount, []any{tag}, func(s scanner) error { return s.Scan(&page.Total) })
		if err == nil {
			err = scanRows(r.Context(), db, floorPage, []any{tag, limit, 0}, func(s scanner) error {
				var d floorDish
				var tags string
				err := s.Scan(&d.ID, &d.Name, &d.Description, &d.PriceCents, &d.Station, &d.PrepSeconds, &d.Available, &d.Version,
					&d.CreatedAt, &d.UpdatedAt, &tags)
				d.Tags = strings.Split(tags, ",")
				page.Items = append(page.Items, d)
				return err
			})
		}
		writeJSON(w, page, err)
	})
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if err != nil || !ok {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		sum := sha256.Sum256([]byte(token))
		var customer, owner int64 = -1, -2
		var o floorOrderOut
		err = scanRows(r.Context(), db, floorCustomer, []any{hex.EncodeToString(sum[:])}, func(s scanner) error { return s.Scan(&customer) })
		if err == nil {
			err = scanRows(r.Context(), db, floorOrder, []any{id}, func(s scanner) error {
				return s.Scan(&o.ID, &owner, &o.Status, &o.Note, &o.Version, &o.CreatedAt, &o.UpdatedAt)
			})
		}
		if err == nil && owner != customer {
			http.Error(w, "no such order", http.StatusNotFound)
			return
		}
		o.Items = []floorItem{}
		if err == nil {
			err = scanRows(r.Context(), db, floorItems, []any{id}, func(s scanner) error {
				var it floorItem
				err := s.Scan(&it.Line, &it.DishID, &it.Name, &it.UnitPriceCents, &it.Quantity, &it.Station, &it.Status)
				o.Items = append(o.Items, it)
				return err
			})
		}
		w.Header().Set("ETag", `"`+strconv.FormatInt(o.Version, 10)+`"`)
		writeJSON(w, o, err)
	})
	return mux
}

// scanRows runs a query and calls scan for each row.
func scanRows(ctx context.Context, db floorDB, q string, args []any, scan func(scanner) error) error {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func writeJSON(w http.ResponseWriter, v any, err error) {
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b) //nolint:errcheck // the client went away
}

// serveFloor runs the read floor on the database until stopped.
func serveFloor(backend, dsn string) error {
	db, closeDB, err := openFloor(context.Background(), backend, dsn)
	if err != nil {
		return err
	}
	defer closeDB()
	return serve(floorHandler(db), func() string { return "" })
}

// withSearchPath returns a PostgreSQL URL with search_path set to schema.
func withSearchPath(base, schema string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}
