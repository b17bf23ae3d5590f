package kitchen_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/roux-go/roux/examples/kitchen/internal/kitchen"
	"github.com/roux-go/roux/examples/kitchen/internal/store"
	"github.com/roux-go/roux/examples/kitchen/internal/store/sqlite"
	"github.com/roux-go/roux/examples/kitchen/kitchenapi"
)

// metric finds the sample of a metric whose labels include every one of
// labels in the Prometheus text format, and returns its value.
func metric(t *testing.T, text []byte, name string, labels ...string) (string, bool) {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(nil, 1<<20)
next:
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, name+"{")
		if !ok {
			continue
		}
		set, value, ok := strings.Cut(rest, "} ")
		if !ok {
			continue
		}
		for _, l := range labels {
			if !slices.Contains(strings.Split(set, ","), l) {
				continue next
			}
		}
		return value, true
	}
	return "", false
}

// TestMetrics: every operation called shows in /metrics, by operation
// ID and class, with its status; /metrics is not in the document.
func TestMetrics(t *testing.T) {
	t.Parallel()
	s := start(t, config(backends[0].db(t)))
	call(t, s.anon, kitchenapi.GetDish, &kitchenapi.GetDishInput{ID: 1}).ok()
	call(t, s.anon, kitchenapi.GetDish, &kitchenapi.GetDishInput{ID: 2}).ok()
	call(t, s.anon, kitchenapi.GetDish, &kitchenapi.GetDishInput{ID: 999}).fails(404)
	call(t, s.anon, kitchenapi.ListDishes, &kitchenapi.ListDishesInput{}).ok()
	o := s.order(t, lines...)
	call(t, s.demo, kitchenapi.GetBill, &kitchenapi.BillInput{ID: o.ID, Guests: 2}).ok()

	r := s.do("GET", kitchen.MetricsPath, "").want(t, 200, nil)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q", ct)
	}
	for _, tt := range []struct {
		id, class, status, count string
	}{
		{"getDish", "io", "200", "2"},
		{"getDish", "io", "404", "1"},
		{"listDishes", "io", "200", "1"},
		{"createOrder", "io", "202", "1"},
		{"getBill", "cpu", "200", "1"},
	} {
		labels := []string{`roux_operation_id="` + tt.id + `"`, `roux_operation_class="` + tt.class + `"`,
			`http_response_status_code="` + tt.status + `"`}
		got, ok := metric(t, r.body, "http_server_request_duration_seconds_count", labels...)
		if !ok || got != tt.count {
			t.Errorf("%s %s: count %q (found %v), want %s", tt.id, tt.status, got, ok, tt.count)
		}
	}
	if _, ok := metric(t, r.body, "http_server_request_duration_seconds_count", `http_route="/orders/{id}/bill"`); !ok {
		t.Error("no sample with the route of the bill")
	}
	if !bytes.Contains(r.body, []byte("\ngo_goroutines ")) || !bytes.Contains(r.body, []byte(`service_name="kitchen"`)) {
		t.Errorf("no runtime metrics or no target info:\n%.2000s", r.body)
	}

	// Not an operation: not in the document, other methods refused.
	var doc struct{ Paths map[string]any }
	s.do("GET", "/openapi.json", "").want(t, 200, &doc)
	if _, ok := doc.Paths[kitchen.MetricsPath]; ok || len(doc.Paths) == 0 {
		t.Errorf("the document's paths: %v", doc.Paths)
	}
	p := s.do("POST", kitchen.MetricsPath, "").wantProblem(t, 405)
	if r := s.do("DELETE", kitchen.MetricsPath, ""); r.header.Get("Allow") != "GET, HEAD" || p.Status != 405 {
		t.Errorf("405: %+v, Allow %q", p, r.header.Get("Allow"))
	}
	var raw map[string]any
	if err := json.Unmarshal(s.do("PUT", kitchen.MetricsPath, "").body, &raw); err != nil {
		t.Errorf("the 405 is not JSON: %v", err)
	}
}

// TestMetricsOff: without Config.Metrics there is no /metrics.
func TestMetricsOff(t *testing.T) {
	t.Parallel()
	cfg := config(backends[0].db(t))
	cfg.Metrics = false
	s := start(t, cfg)
	call(t, s.anon, kitchenapi.GetDish, &kitchenapi.GetDishInput{ID: 1}).ok()
	s.do("GET", kitchen.MetricsPath, "").wantProblem(t, 404)
}

// TestTraces: with Config.Traces, each request's span is written as JSON,
// named after the operation, by the time the service has shut down.
func TestTraces(t *testing.T) {
	t.Parallel()
	var spans bytes.Buffer
	cfg := config(backends[0].db(t))
	cfg.Traces = &spans
	svc := kitchen.New(cfg)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := svc.API().Start(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(svc.API())
	s := newServer(t, svc, srv.URL)
	call(t, s.anon, kitchenapi.GetDish, &kitchenapi.GetDishInput{ID: 3}).ok()
	call(t, s.demo, kitchenapi.GetOrder, &kitchenapi.GetOrderInput{ID: 77}).fails(404)
	srv.Close()
	if err := svc.API().Shutdown(ctx); err != nil { // flushes the spans
		t.Fatal(err)
	}
	var names []string
	dec := json.NewDecoder(&spans)
	for dec.More() {
		var span struct{ Name string }
		if err := dec.Decode(&span); err != nil {
			t.Fatalf("span %d: %v", len(names), err)
		}
		names = append(names, span.Name)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"getDish", "getOrder"}) {
		t.Errorf("spans %v, want getDish and getOrder", names)
	}
}

// TestQueueMetrics: /metrics shows the job queue — its depth by kind and
// state, and the runs this instance completed, failed and gave up on.
// The test adds jobs to River's table itself: one scheduled an hour
// ahead (it waits in the queue), and one whose arguments do not decode,
// with one attempt (it fails, and is discarded).
func TestQueueMetrics(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "kitchen.db")
	s := start(t, config(func(ctx context.Context) (store.Store, error) { return sqlite.Open(path) }))
	o := s.order(t, lines...)
	waitFor(t, "the order to be ready", func() bool {
		return call(t, s.demo, kitchenapi.GetOrder, &kitchenapi.GetOrderInput{ID: o.ID}).ok().Body.Status == "ready"
	})

	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`INSERT INTO river_job (args, kind, max_attempts, state, scheduled_at)
			VALUES (jsonb('{"order_id":999999}'), 'cook_order', 25, 'scheduled', datetime('now', '+1 hour'))`,
		`INSERT INTO river_job (args, kind, max_attempts, state) VALUES (jsonb('{"order_id":"x"}'), 'cook_order', 1, 'available')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	kind := `kind="cook_order"`
	var body []byte
	waitFor(t, "the failed job in /metrics", func() bool {
		body = s.do("GET", kitchen.MetricsPath, "").want(t, 200, nil).body
		v, ok := metric(t, body, "kitchen_jobs_discarded_total", kind)
		return ok && v == "1"
	})
	for _, tt := range []struct {
		name   string
		labels []string
		want   string
	}{
		{"kitchen_jobs_completed_total", []string{kind}, "1"},
		{"kitchen_jobs_failed_total", []string{kind}, "1"},
		{"kitchen_jobs_discarded_total", []string{kind}, "1"},
		{"kitchen_jobs", []string{kind, `state="scheduled"`}, "1"},
	} {
		if got, ok := metric(t, body, tt.name, tt.labels...); !ok || got != tt.want {
			t.Errorf("%s%v: %q (found %v), want %s", tt.name, tt.labels, got, ok, tt.want)
		}
	}
	if _, ok := metric(t, body, "kitchen_jobs", kind, `state="available"`); ok {
		t.Errorf("an available job left in the queue:\n%s", grep(body, "kitchen_jobs"))
	}
}

// grep returns the lines of text that start with prefix.
func grep(text []byte, prefix string) string {
	var out []string
	for line := range strings.SplitSeq(string(text), "\n") {
		if strings.HasPrefix(line, prefix) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
