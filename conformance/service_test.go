package conformance

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/jackc/pgx/v5"
)

// The example services run as their own processes, built from
// examples/hello and examples/kitchen, on free loopback ports: the tests
// here see only what a client sees — HTTP and the document the service
// publishes.
type service struct {
	name string   // the example's directory under examples/
	args []string // after "serve -addr 127.0.0.1:0"
	// postgres runs the kitchen on PostgreSQL, in a schema of its own
	// in the database KITCHEN_POSTGRES_URL names, instead of SQLite.
	postgres bool

	once sync.Once
	err  error
	base string                 // http://127.0.0.1:PORT
	docs map[string]*openapi3.T // by the path it is served at
	cmd  *exec.Cmd
	dir  string
	drop func() // drops the PostgreSQL schema
}

var (
	hello = &service{name: "hello"}
	// kitchen runs on SQLite in a temporary directory, with a staff key
	// of the test's and dishes cooked in milliseconds.
	// The contract sends thousands of requests as one customer from one
	// address, among them many without credentials: the rate limits are
	// off (they are tested in the kitchen's own tests). It registers the
	// URLs it draws as the customer's webhook: the kitchen takes loopback
	// ones only, so that no message leaves the machine (nor a DNS query).
	kitchen = &service{name: "kitchen", args: kitchenArgs}
	// kitchenPG is the same kitchen on PostgreSQL: its tests skip unless
	// KITCHEN_POSTGRES_URL is set (CI sets it: .ci/postgres.sh).
	kitchenPG = &service{name: "kitchen", args: kitchenArgs, postgres: true}
)

var kitchenArgs = []string{"-staff-key", kitchenStaffKey, "-cook-unit", "1ms",
	"-order-limit", "-1", "-auth-failure-limit", "-1", "-webhook-to", "loopback"}

// postgresEnv names the variable holding the URL of the PostgreSQL
// database kitchenPG runs on.
const postgresEnv = "KITCHEN_POSTGRES_URL"

// kitchenStaffKey is the staff key the kitchen runs with here.
const kitchenStaffKey = "contract-staff-key"

func TestMain(m *testing.M) {
	code := m.Run()
	hello.stop()
	kitchen.stop()
	kitchenPG.stop()
	os.Exit(code)
}

// documentPaths are where the example services publish their document:
// OpenAPI 3.1 and the 3.0.3 downgrade.
var documentPaths = []string{"/openapi.json", "/openapi-3.0.json"}

// helloService returns the base URL of the running example service and
// its published 3.1 document, starting the service on first use.
func helloService(t *testing.T) (string, *openapi3.T) {
	return helloDocument(t, "/openapi.json")
}

// helloDocument is helloService for the document served at path.
func helloDocument(t *testing.T, path string) (string, *openapi3.T) {
	t.Helper()
	return hello.document(t, path)
}

// document returns the base URL of the service and its document served
// at path, starting the service on first use.
func (s *service) document(t *testing.T, path string) (string, *openapi3.T) {
	t.Helper()
	if s.postgres && os.Getenv(postgresEnv) == "" {
		t.Skipf("the kitchen on PostgreSQL is skipped: set %s (.ci/postgres.sh prints it)", postgresEnv)
	}
	s.once.Do(func() { s.err = s.start() })
	if s.err != nil {
		t.Fatalf("starting examples/%s: %v", s.name, s.err)
	}
	return s.base, s.docs[path]
}

func (s *service) start() error {
	dir, err := os.MkdirTemp("", "roux-"+s.name+"-")
	if err != nil {
		return err
	}
	s.dir = dir
	bin := filepath.Join(dir, s.name)
	build := exec.Command("go", "build", "-o", bin, "../examples/"+s.name)
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	args := append([]string{"serve", "-addr", "127.0.0.1:0"}, s.args...)
	switch {
	case s.postgres:
		url, drop, err := newSchema(os.Getenv(postgresEnv))
		if err != nil {
			return err
		}
		s.drop = drop
		args = append(args, "-db", url)
	case s.name == "kitchen":
		args = append(args, "-data", filepath.Join(dir, "data"))
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	s.cmd = cmd
	// The service logs "serving addr=http://127.0.0.1:PORT" once bound.
	found := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`addr=(http://127\.0\.0\.1:\d+)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
				break
			}
		}
		io.Copy(io.Discard, stderr) // keep the pipe drained
	}()
	select {
	case s.base = <-found:
	case <-time.After(60 * time.Second):
		return fmt.Errorf("the service did not report its address within 60s")
	}
	s.docs = map[string]*openapi3.T{}
	for _, path := range documentPaths {
		doc, err := fetchDocument(s.base + path)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		s.docs[path] = doc
	}
	return nil
}

// fetchDocument loads and validates the document at url with kin-openapi.
func fetchDocument(url string) (*openapi3.T, error) {
	res, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != 200 {
		return nil, fmt.Errorf("GET: %s", res.Status)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		return nil, fmt.Errorf("kin-openapi cannot load the served document: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("kin-openapi rejects the served document: %w", err)
	}
	return doc, nil
}

// stop stops the service gracefully, as SIGINT would from a terminal,
// and removes its binary and data.
func (s *service) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
			<-done
		}
	}
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
	if s.drop != nil {
		s.drop()
	}
}

// newSchema creates a schema of its own in the PostgreSQL database at
// base, and returns base with search_path set to it and a function that
// drops it.
func newSchema(base string) (string, func(), error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", postgresEnv, err)
	}
	schema := fmt.Sprintf("contract_%d", time.Now().UnixNano())
	if err := execPostgres(base, "CREATE SCHEMA "+schema); err != nil {
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), func() { execPostgres(base, "DROP SCHEMA "+schema+" CASCADE") }, nil
}

// execPostgres runs one statement on the database at url.
func execPostgres(url, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}
