package main

// This file holds the write floors: the order transaction of the
// kitchen, written straight to the database with the same durability —
// an order row, its two lines and its job row for the queue, in one
// transaction — by pgbench on PostgreSQL and by a minimal Go program on
// SQLite, with the same batching (orders per transaction) as the
// kitchen's store.

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The floor's order: the seeded menu's dishes 1 and 4 as the kitchen
// copies them into the lines, for the demo customer (1).
const (
	floorInsertOrder = `INSERT INTO orders (customer_id, status, note, created_at, updated_at) VALUES (1, 'received', '', $1, $1) RETURNING id`
	floorInsertLine  = `INSERT INTO order_items (order_id, line, dish_id, name, unit_price_cents, quantity, station, prep_seconds, status)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued')`
	// The job row River inserts for the order (its defaults for a job of
	// kind cook_order in the default queue).
	floorInsertJobSQLite = `INSERT INTO river_job (args, kind, max_attempts, metadata, priority, queue, state, tags, created_at, scheduled_at)
		VALUES (jsonb($1), 'cook_order', 25, jsonb('{}'), 1, 'default', 'available', jsonb('[]'), $2, $2)`
)

// sqliteFloor places orders in the SQLite file at path from conns
// goroutines for d: a writer goroutine takes up to batch waiting orders
// into each transaction (batch 1: a transaction each), as the kitchen's
// store does, with the kitchen's pragmas (WAL, synchronous=FULL).
func sqliteWriteFloor(path string, conns, batch int, d time.Duration) (loadResult, error) {
	params := url.Values{}
	params.Add("_pragma", "busy_timeout(10000)")
	params.Add("_pragma", "journal_mode(WAL)")
	params.Add("_pragma", "synchronous(FULL)")
	params.Add("_pragma", "foreign_keys(1)")
	params.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+params.Encode())
	if err != nil {
		return loadResult{}, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	var stmts [3]*sql.Stmt
	for i, q := range []string{floorInsertOrder, floorInsertLine, floorInsertJobSQLite} {
		if stmts[i], err = db.PrepareContext(ctx, q); err != nil {
			return loadResult{}, err
		}
	}
	type req struct{ done chan error }
	queue := make(chan req, conns)
	writeOne := func(tx *sql.Tx) error {
		now := time.Now().UnixMilli()
		var id int64
		if err := tx.Stmt(stmts[0]).QueryRowContext(ctx, now).Scan(&id); err != nil {
			return err
		}
		line := tx.Stmt(stmts[1])
		if _, err := line.ExecContext(ctx, id, 1, 1, "Tomato soup", 650, 2, "cold", 2); err != nil {
			return err
		}
		if _, err := line.ExecContext(ctx, id, 2, 4, "Ribeye steak", 2600, 1, "grill", 6); err != nil {
			return err
		}
		_, err := tx.Stmt(stmts[2]).ExecContext(ctx, `{"order_id":`+strconv.FormatInt(id, 10)+`}`, time.Now().UTC().Format("2006-01-02 15:04:05.000"))
		return err
	}
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		for first := range queue {
			group := []req{first}
		more:
			for len(group) < batch {
				select {
				case r := <-queue:
					group = append(group, r)
				default:
					break more
				}
			}
			tx, err := db.BeginTx(ctx, nil)
			for i := 0; err == nil && i < len(group); i++ {
				err = writeOne(tx)
			}
			if err == nil {
				err = tx.Commit()
			} else if tx != nil {
				tx.Rollback() //nolint:errcheck // err is what counts
			}
			for _, r := range group {
				r.done <- err
			}
		}
	}()
	res := loadResult{byStatus: map[int]int{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	start := time.Now()
	for range conns {
		wg.Go(func() {
			var lat []time.Duration
			errs := 0
			done := make(chan error, 1)
			for time.Now().Before(deadline) {
				t := time.Now()
				queue <- req{done}
				if err := <-done; err != nil {
					errs++
					continue
				}
				lat = append(lat, time.Since(t))
			}
			mu.Lock()
			defer mu.Unlock()
			res.latency = append(res.latency, lat...)
			res.errors += errs
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	close(queue)
	<-writerDone
	slices.Sort(res.latency)
	if res.errors > 0 {
		return res, fmt.Errorf("sqlite floor: %d orders failed", res.errors)
	}
	return res, nil
}

// pgbenchScript is the order transaction for pgbench: the same rows as
// the SQLite floor's, the job's as River's PostgreSQL driver writes it.
const pgbenchScript = `BEGIN;
INSERT INTO orders (customer_id, status, note, created_at, updated_at) VALUES (1, 'received', '', 1, 1) RETURNING id \gset
INSERT INTO order_items (order_id, line, dish_id, name, unit_price_cents, quantity, station, prep_seconds, status) VALUES (:id, 1, 1, 'Tomato soup', 650, 2, 'cold', 2, 'queued');
INSERT INTO order_items (order_id, line, dish_id, name, unit_price_cents, quantity, station, prep_seconds, status) VALUES (:id, 2, 4, 'Ribeye steak', 2600, 1, 'grill', 6, 'queued');
INSERT INTO river_job (args, kind, max_attempts, metadata, priority, queue, state, tags) VALUES (('{"order_id":' || :id || '}')::jsonb, 'cook_order', 25, '{}', 1, 'default', 'available', '{}');
COMMIT;
`

// pgbenchFloor runs pgbench with conns clients for d on the database at
// dsn (whose search_path names the schema), prepared statements, and
// reads each transaction's latency from its log.
func pgbenchFloor(dsn string, conns int, d time.Duration) (loadResult, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return loadResult{}, err
	}
	dir, err := os.MkdirTemp("", "kitchen-load-pgbench-")
	if err != nil {
		return loadResult{}, err
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "order.sql")
	if err := os.WriteFile(script, []byte(pgbenchScript), 0o600); err != nil {
		return loadResult{}, err
	}
	pass, _ := u.User.Password()
	cmd := exec.Command("pgbench", "-n", "-M", "prepared", "-c", strconv.Itoa(conns), "-j", "2", "-T", strconv.Itoa(int(d.Seconds())),
		"-f", script, "-l", "--log-prefix", filepath.Join(dir, "log"),
		"-h", u.Hostname(), "-p", orDefault(u.Port(), "5432"), "-U", u.User.Username(), strings.TrimPrefix(u.Path, "/"))
	cmd.Env = append(os.Environ(), "PGPASSWORD="+pass, "PGOPTIONS=-c search_path="+u.Query().Get("search_path"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		return loadResult{}, fmt.Errorf("pgbench: %v\n%s", err, out)
	}
	res := loadResult{byStatus: map[int]int{}, elapsed: d}
	logs, _ := filepath.Glob(filepath.Join(dir, "log.*"))
	for _, l := range logs {
		f, err := os.Open(l)
		if err != nil {
			return res, err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			// client_id transaction_no time script_no time_epoch time_us
			fs := strings.Fields(sc.Text())
			if len(fs) < 3 {
				continue
			}
			us, err := strconv.ParseInt(fs[2], 10, 64)
			if err != nil {
				continue
			}
			res.latency = append(res.latency, time.Duration(us)*time.Microsecond)
		}
		f.Close()
	}
	slices.Sort(res.latency)
	if len(res.latency) == 0 {
		return res, fmt.Errorf("pgbench: no transactions logged:\n%s", out)
	}
	return res, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
