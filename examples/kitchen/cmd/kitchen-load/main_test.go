package main

import (
	"bytes"
	"math"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestMain lets the test binary serve the command's child roles, which
// the command starts by running its own executable with -role.
func TestMain(m *testing.M) {
	for _, a := range os.Args[1:] {
		if a == "-role" {
			if err := run(os.Args[1:], os.Stdout); err != nil {
				os.Stderr.WriteString(err.Error() + "\n")
				os.Exit(1)
			}
			os.Exit(0)
		}
	}
	os.Exit(m.Run())
}

// TestRun: a short run on SQLite measures orders, the floor and the
// reads, and reports numbers for each; every order was accepted.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("a load run takes about 15s")
	}
	var out bytes.Buffer
	err := run([]string{"-backends", "sqlite", "-duration", "1s", "-conns", "4", "-customers", "300"}, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, &out)
	}
	for _, re := range []string{
		`orders   kitchen +(\d+)/s .* not 202: none`,
		`floor +(\d+)/s`,
		`GET /dishes\S* +kitchen +\d+/s +(\d+)/CPU-s`,
		`GET /orders/\{id\} +kitchen +\d+/s +(\d+)/CPU-s`,
		`kitchen +\d+ B/req, +\d+\.\d GCs/1k req, mark +\d+\.\d µs/req, live +(\d+) kB`,
		`floor +\d+ B/req, +\d+\.\d GCs/1k req, mark +\d+\.\d µs/req, live +(\d+) kB`,
		`kept up: (true|false)`,
		`\| sqlite \| (\d+) \|`,
	} {
		m := regexp.MustCompile(re).FindStringSubmatch(out.String())
		if m == nil {
			t.Errorf("no %q in the output:\n%s", re, &out)
			continue
		}
		if n, err := strconv.Atoi(m[1]); err == nil && n <= 0 {
			t.Errorf("%q: %d", re, n)
		}
	}
}

func TestGrowth(t *testing.T) {
	t.Parallel()
	at := func(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
	for _, tt := range []struct {
		name         string
		samples      []depthSample
		skip         time.Duration
		slope, error float64
	}{
		{"flat", []depthSample{{at(1), 10}, {at(2), 10}, {at(3), 10}}, 0, 0, 0},
		{"rising", []depthSample{{at(1), 10}, {at(2), 20}, {at(3), 30}}, 0, 10, 0},
		{"falling after the skip", []depthSample{{at(0), 500}, {at(1), 30}, {at(2), 20}, {at(3), 10}}, at(0.5), -10, 0},
		{"noisy", []depthSample{{at(1), 10}, {at(2), 30}, {at(3), 10}, {at(4), 30}}, 0, 4, 5.66},
		{"too few samples", []depthSample{{at(1), 10}, {at(2), 20}}, 0, 0, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			slope, stderr := growth(tt.samples, tt.skip)
			if math.Abs(slope-tt.slope) > 0.01 || math.Abs(stderr-tt.error) > 0.01 {
				t.Errorf("got %.2f±%.2f, want %.2f±%.2f", slope, stderr, tt.slope, tt.error)
			}
		})
	}
}

func TestQuantile(t *testing.T) {
	t.Parallel()
	r := loadResult{}
	for i := 1; i <= 100; i++ {
		r.latency = append(r.latency, time.Duration(i)*time.Millisecond)
	}
	for _, tt := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 51 * time.Millisecond}, {0.99, 100 * time.Millisecond}, {1, 100 * time.Millisecond}, {0, time.Millisecond}} {
		if got := r.quantile(tt.q); got != tt.want {
			t.Errorf("quantile(%v): got %v, want %v", tt.q, got, tt.want)
		}
	}
	if got := (loadResult{}).quantile(0.99); got != 0 {
		t.Errorf("no latencies: got %v", got)
	}
}

// TestMerge: the slices of a read add up — time, statuses, errors — and
// their latencies come out sorted, the inputs left as they were.
func TestMerge(t *testing.T) {
	t.Parallel()
	ms := func(ns ...int) []time.Duration {
		var d []time.Duration
		for _, n := range ns {
			d = append(d, time.Duration(n)*time.Millisecond)
		}
		return d
	}
	a := loadResult{elapsed: time.Second, byStatus: map[int]int{200: 3, 503: 1}, latency: ms(1, 5, 9), errors: 1}
	b := loadResult{elapsed: 2 * time.Second, byStatus: map[int]int{200: 2}, latency: ms(2, 7), errors: 2}
	got := a.merge(b)
	want := loadResult{elapsed: 3 * time.Second, byStatus: map[int]int{200: 5, 503: 1}, latency: ms(1, 2, 5, 7, 9), errors: 3}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(loadResult{})); diff != "" {
		t.Errorf("merged (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, (loadResult{}).merge(got), cmp.AllowUnexported(loadResult{})); diff != "" {
		t.Errorf("merged with nothing (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(ms(1, 5, 9), a.latency); diff != "" {
		t.Errorf("the first input changed (-want +got):\n%s", diff)
	}
	if got.rate() != 5.0/3 {
		t.Errorf("rate: got %v, want %v", got.rate(), 5.0/3)
	}
}
