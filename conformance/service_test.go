package conformance

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// The example service runs as its own process, built from
// examples/hello, on a free loopback port: the tests here see only what
// a client sees — HTTP and the document the service publishes.
var hello struct {
	once sync.Once
	err  error
	base string                 // http://127.0.0.1:PORT
	docs map[string]*openapi3.T // by the path it is served at
	cmd  *exec.Cmd
	dir  string
}

func TestMain(m *testing.M) {
	code := m.Run()
	stopHello()
	os.Exit(code)
}

// documentPaths are where the example service publishes its document:
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
	hello.once.Do(func() { hello.err = startHello() })
	if hello.err != nil {
		t.Fatalf("starting examples/hello: %v", hello.err)
	}
	return hello.base, hello.docs[path]
}

func startHello() error {
	dir, err := os.MkdirTemp("", "roux-hello-")
	if err != nil {
		return err
	}
	hello.dir = dir
	bin := filepath.Join(dir, "hello")
	build := exec.Command("go", "build", "-o", bin, "../examples/hello")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "serve", "-addr", "127.0.0.1:0")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	hello.cmd = cmd
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
	case hello.base = <-found:
	case <-time.After(30 * time.Second):
		return fmt.Errorf("the service did not report its address within 30s")
	}
	hello.docs = map[string]*openapi3.T{}
	for _, path := range documentPaths {
		doc, err := fetchDocument(hello.base + path)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		hello.docs[path] = doc
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

// stopHello stops the service gracefully, as SIGINT would from a
// terminal, and removes its binary.
func stopHello() {
	if hello.cmd != nil && hello.cmd.Process != nil {
		hello.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { hello.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			hello.cmd.Process.Kill()
			<-done
		}
	}
	if hello.dir != "" {
		os.RemoveAll(hello.dir)
	}
}
