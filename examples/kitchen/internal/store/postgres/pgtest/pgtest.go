// Package pgtest gives tests a PostgreSQL schema of their own in the
// database named by KITCHEN_POSTGRES_URL, and skips them when it is not
// set (CI sets it: see .ci/postgres.sh).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env names the environment variable holding the test database's URL.
const Env = "KITCHEN_POSTGRES_URL"

// Database creates a new database in the test database's server, owned
// by its user (who needs CREATEDB, which .ci/postgres.sh grants), drops
// it when the test ends, and returns its URL and name. It is for what a
// schema cannot isolate, such as a database's CONNECTION LIMIT. It skips
// the test when Env is not set.
func Database(t testing.TB) (url, name string) {
	t.Helper()
	base := os.Getenv(Env)
	if base == "" {
		t.Skipf("PostgreSQL tests skipped: set %s (for example by running .ci/postgres.sh)", Env)
	}
	name = "test_" + randomName()
	Exec(t, "CREATE DATABASE "+name)
	t.Cleanup(func() { Exec(t, "DROP DATABASE "+name+" WITH (FORCE)") })
	return withPath(t, base, name, ""), name
}

// Exec runs statement on the test database (not on one that Database
// made), failing the test if it fails.
func Exec(t testing.TB, statement string, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, os.Getenv(Env))
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, statement, args...); err != nil {
		t.Fatalf("pgtest: %s: %v", statement, err)
	}
}

// randomName returns 12 random hexadecimal digits.
func randomName() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// withPath returns the URL base with its database replaced by database,
// if not empty, and with search_path set to schema, if not empty.
func withPath(t testing.TB, base, database, schema string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("pgtest: %s: %v", Env, err)
	}
	if database != "" {
		u.Path = "/" + database
	}
	if schema != "" {
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// URL creates a new schema in the test database, drops it when the test
// ends, and returns the database URL with search_path set to it. It skips
// the test when Env is not set.
func URL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(Env)
	if base == "" {
		t.Skipf("PostgreSQL tests skipped: set %s (for example by running .ci/postgres.sh)", Env)
	}
	schema := "test_" + randomName()
	Exec(t, "CREATE SCHEMA "+schema)
	t.Cleanup(func() { Exec(t, "DROP SCHEMA "+schema+" CASCADE") })
	return withPath(t, base, "", schema)
}
