package cli_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/cli"
	"github.com/roux-go/roux/internal/testutil"
)

// started runs cli.Run for api with opts in the background (its log
// discarded unless opts say otherwise) and returns the bound address and
// a stop function that cancels it and returns its result.
func started(t *testing.T, api *roux.API, opts ...cli.Option) (string, func() error) {
	t.Helper()
	return startedWith(t, fixed(api), opts...)
}

// startedWith is started for the API build returns.
func startedWith(t *testing.T, build func(context.Context, cli.Setup) (*roux.API, error), opts ...cli.Option) (string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan string, 1)
	done := make(chan error, 1)
	opts = append([]cli.Option{cli.Stderr(io.Discard)}, opts...)
	opts = append(opts, cli.OnServe(func(addr string) { addrs <- addr }))
	go func() { done <- cli.Run(ctx, build, opts...) }()
	select {
	case addr := <-addrs:
		return addr, func() error {
			cancel()
			select {
			case err := <-done:
				return err
			case <-time.After(20 * time.Second):
				t.Fatal("the server did not shut down")
				return nil
			}
		}
	case err := <-done:
		cancel()
		t.Fatalf("Run returned early: %v", err)
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("the server did not start")
	}
	return "", nil
}

func TestServeConfigFromEnvironment(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	env := map[string]string{"APP_LOG_FORMAT": "json", "APP_LOG_LEVEL": "debug", "APP_DOCS": "false", "APP_ADDR": "127.0.0.1:0"}
	addr, stop := startedWith(t, greeter, cli.Args(), cli.Stderr(&logs), cli.EnvPrefix("APP_"),
		cli.Getenv(func(name string) string { return env[name] }))
	res, err := http.Get("http://" + addr + "/docs")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 404 {
		t.Errorf("docs with APP_DOCS=false: got %d, want 404", res.StatusCode)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(logs.String(), "\n")
	var line map[string]any
	if err := json.Unmarshal([]byte(first), &line); err != nil || line["msg"] != "serving" {
		t.Errorf("APP_LOG_FORMAT=json: first log line %q", first)
	}
}

func TestServeFlagErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"bad level", []string{"-log-level", "loud"}, nil},
		{"bad format", []string{"-log-format", "xml"}, nil},
		{"cert without key", []string{"-tls-cert", "c.pem"}, nil},
		{"bad env bool", nil, map[string]string{"ROUX_DOCS": "maybe"}},
		{"bad env duration", nil, map[string]string{"ROUX_SHUTDOWN_TIMEOUT": "soon"}},
		{"bad env count", nil, map[string]string{"ROUX_MAX_CONNS": "many"}},
		{"negative env count", nil, map[string]string{"ROUX_MAX_CONNS": "-1"}},
		{"negative count", []string{"-max-conns", "-1"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := cli.Run(context.Background(), greeter, cli.Args(append([]string{"serve", "-addr", "127.0.0.1:0"}, tt.args...)...),
				cli.Stderr(io.Discard), cli.Getenv(func(name string) string { return tt.env[name] }))
			if !errors.Is(err, cli.ErrUsage) {
				t.Errorf("got %v, want a usage error", err)
			}
		})
	}
}

func TestServeHooks(t *testing.T) {
	t.Parallel()
	api := testAPI()
	var mu sync.Mutex
	var order []string
	note := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
	api.OnStart(func(ctx context.Context) error { note("open db"); return nil })
	api.OnStart(func(ctx context.Context) error { note("warm cache"); return nil })
	api.OnShutdown(func(ctx context.Context) error { note("close db"); return nil })
	api.OnShutdown(func(ctx context.Context) error { note("flush cache"); return nil })
	api.Health("", "")
	addr, stop := started(t, api, cli.Args("-addr", "127.0.0.1:0"))
	res, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("readiness while serving: got %d", res.StatusCode)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"open db", "warm cache", "flush cache", "close db"}; !slices.Equal(order, want) {
		t.Errorf("got %v, want %v", order, want)
	}

	failing := testAPI()
	failing.OnStart(func(ctx context.Context) error { return errors.New("no database") })
	err = cli.Run(context.Background(), fixed(failing), cli.Args("-addr", "127.0.0.1:0"), cli.Stderr(io.Discard))
	if err == nil || !strings.Contains(err.Error(), "no database") {
		t.Errorf("got %v, want the start hook's error", err)
	}
}

// selfSigned writes a certificate and key for 127.0.0.1 into dir.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "roux test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestServeTLSAndHTTP2(t *testing.T) {
	t.Parallel()
	certFile, keyFile, pool := selfSigned(t, t.TempDir())
	addr, stop := started(t, testAPI(), cli.Args("-addr", "127.0.0.1:0", "-tls-cert", certFile, "-tls-key", keyFile))
	defer stop()
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}
	defer tr.CloseIdleConnections()
	res, err := (&http.Client{Transport: tr}).Get("https://" + addr + "/hello")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.ProtoMajor != 2 {
		t.Errorf("got %d over %s, want 200 over HTTP/2", res.StatusCode, res.Proto)
	}
}

func TestServeH2C(t *testing.T) {
	t.Parallel()
	addr, stop := started(t, testAPI(), cli.Args("-addr", "127.0.0.1:0", "-h2c"))
	defer stop()
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	defer tr.CloseIdleConnections()
	res, err := (&http.Client{Transport: tr}).Get("http://" + addr + "/hello")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.ProtoMajor != 2 {
		t.Errorf("got %d over %s, want 200 over h2c", res.StatusCode, res.Proto)
	}
}

// TestShutdownUnderLoad shuts the server down while clients keep sending
// requests that take 100 ms: every request the server accepted gets its
// 200; the only failures are connections refused after the listener
// closed.
func TestShutdownUnderLoad(t *testing.T) {
	t.Parallel()
	api := roux.New(roux.Config{})
	roux.Get(api, "/slow", func(ctx context.Context, in *struct{}) (*string, error) {
		time.Sleep(100 * time.Millisecond)
		s := "done"
		return &s, nil
	})
	addr, stop := started(t, api, cli.Args("-addr", "127.0.0.1:0", "-shutdown-timeout", "10s"))
	var ok, refused, lost atomic.Int64
	var lostErrs sync.Map
	var wg sync.WaitGroup
	quit := make(chan struct{})
	for range 16 {
		wg.Go(func() {
			tr := &http.Transport{DisableKeepAlives: true}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr, Timeout: 15 * time.Second}
			for {
				select {
				case <-quit:
					return
				default:
				}
				res, err := client.Get("http://" + addr + "/slow")
				switch {
				case err == nil:
					body, _ := io.ReadAll(res.Body)
					res.Body.Close()
					if res.StatusCode == 200 && string(body) == `"done"` {
						ok.Add(1)
					} else {
						lost.Add(1)
						lostErrs.Store(res.Status, true)
					}
				case isRefused(err):
					refused.Add(1)
					time.Sleep(10 * time.Millisecond)
				default:
					lost.Add(1)
					lostErrs.Store(err.Error(), true)
				}
			}
		})
	}
	time.Sleep(400 * time.Millisecond) // requests in flight at every moment
	if err := stop(); err != nil {
		t.Errorf("shutdown: %v", err)
	}
	time.Sleep(100 * time.Millisecond)
	close(quit)
	wg.Wait()
	lostErrs.Range(func(k, v any) bool { t.Errorf("lost a request: %v", k); return true })
	t.Logf("%d requests completed, %d lost, %d refused after the listener closed", ok.Load(), lost.Load(), refused.Load())
	if ok.Load() < 16 || lost.Load() != 0 || refused.Load() == 0 {
		t.Errorf("got %d completed, %d lost, %d refused after shutdown; want many completed, none lost, some refused", ok.Load(), lost.Load(), refused.Load())
	}
}

func isRefused(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

type syncBuffer = testutil.LockedBuffer

// TestSlowClients opens connections that send their headers or bodies a
// byte at a time: the server's timeouts cut them off, and a normal client
// is served meanwhile as fast as before.
func TestSlowClients(t *testing.T) {
	t.Parallel()
	api := roux.New(roux.Config{})
	roux.Get(api, "/fast", func(ctx context.Context, in *struct{}) (*string, error) { s := "ok"; return &s, nil })
	roux.Post(api, "/echo", func(ctx context.Context, in *struct{ Body string }) (*string, error) { return &in.Body, nil })
	addr, stop := started(t, api, cli.Args("-addr", "127.0.0.1:0", "-read-header-timeout", "300ms", "-read-timeout", "600ms"))
	defer stop()
	slow := func(prefix string, drip string) chan time.Duration {
		cut := make(chan time.Duration, 1)
		go func() {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				cut <- 0
				return
			}
			defer conn.Close()
			start := time.Now()
			io.WriteString(conn, prefix)
			for i := 0; i < 100; i++ {
				if _, err := conn.Write([]byte(drip)); err != nil {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			io.Copy(io.Discard, conn) // returns when the server closes the connection
			cut <- time.Since(start)
		}()
		return cut
	}
	var cuts []chan time.Duration
	for range 10 {
		cuts = append(cuts, slow("GET /fast HTTP/1.1\r\nHost: x\r\n", "X"))
		cuts = append(cuts, slow("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n\"", "a"))
	}
	time.Sleep(100 * time.Millisecond)
	var worst time.Duration
	for range 20 {
		start := time.Now()
		res, err := http.Get("http://" + addr + "/fast")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		worst = max(worst, time.Since(start))
		time.Sleep(20 * time.Millisecond)
	}
	if worst > 200*time.Millisecond {
		t.Errorf("a normal client waited %v while slow clients were connected", worst)
	}
	for _, c := range cuts {
		if d := <-c; d == 0 || d > 3*time.Second {
			t.Errorf("a slow client was cut off after %v, want within the read timeouts", d)
		}
	}
}

// TestRestartsUnderLoad starts and stops the server 20 times on one
// socket while clients keep sending requests: none fails, none is even
// refused — connections that arrive between two servers wait in the
// socket's queue for the next.
func TestRestartsUnderLoad(t *testing.T) {
	if os.Getenv("ROUX_TIMING_TESTS") == "" {
		// It once lost a request now and then on a busy machine: a
		// connection accepted as the listener closed was started after
		// Shutdown began, and net/http drops such a connection's request.
		// serve now waits for Serve to return before shutting down (0 lost
		// in 20 runs beside five busy builds; the old code lost requests in
		// 5 of 20). It takes seconds, so CI runs it alone (.ci/run).
		t.Skip("set ROUX_TIMING_TESTS=1 and run it alone")
	}
	t.Parallel()
	api := roux.New(roux.Config{})
	roux.Get(api, "/slow", func(ctx context.Context, in *struct{}) (*string, error) {
		time.Sleep(30 * time.Millisecond)
		s := "done"
		return &s, nil
	})
	// The socket is handed from each server to the next, as systemd or
	// a supervisor does: its queue of connections survives each restart.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	var ok, lost, refused atomic.Int64
	quit := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
			for {
				select {
				case <-quit:
					return
				default:
				}
				res, err := client.Get("http://" + addr + "/slow")
				switch {
				case err == nil:
					body, _ := io.ReadAll(res.Body)
					res.Body.Close()
					if res.StatusCode == 200 && string(body) == `"done"` {
						ok.Add(1)
					} else {
						lost.Add(1)
					}
				case isRefused(err):
					refused.Add(1)
					time.Sleep(5 * time.Millisecond)
				default:
					lost.Add(1)
					t.Errorf("lost: %v", err)
				}
			}
		})
	}
	for i := range 20 {
		_, stop := started(t, api, cli.Args(), cli.Listener(ln))
		time.Sleep(100 * time.Millisecond)
		if err := stop(); err != nil {
			t.Fatalf("restart %d: %v", i, err)
		}
	}
	// A last server serves what queued after the twentieth stop.
	_, stop := started(t, api, cli.Args(), cli.Listener(ln))
	close(quit)
	wg.Wait()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	t.Logf("20 restarts: %d requests completed, %d lost, %d refused", ok.Load(), lost.Load(), refused.Load())
	if lost.Load() != 0 || refused.Load() != 0 || ok.Load() < 100 {
		t.Errorf("got %d completed and %d lost", ok.Load(), lost.Load())
	}
}

// TestTLSShutdownIsQuick: shutting down a TLS server with nothing in
// flight takes milliseconds, and its hooks get a live context.
func TestTLSShutdownIsQuick(t *testing.T) {
	t.Parallel()
	certFile, keyFile, pool := selfSigned(t, t.TempDir())
	api := testAPI()
	hookErr := make(chan error, 1)
	api.OnShutdown(func(ctx context.Context) error { hookErr <- ctx.Err(); return nil })
	addr, stop := started(t, api, cli.Args("-addr", "127.0.0.1:0", "-tls-cert", certFile, "-tls-key", keyFile, "-shutdown-timeout", "3s"))
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	res, err := (&http.Client{Transport: tr}).Get("https://" + addr + "/hello")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	tr.CloseIdleConnections()
	start := time.Now()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("shutdown took %v", d)
	}
	if err := <-hookErr; err != nil {
		t.Errorf("the shutdown hook got a dead context: %v", err)
	}
}
