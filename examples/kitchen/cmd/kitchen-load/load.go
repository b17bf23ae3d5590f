package main

// This file holds the load generator: a closed loop of connections, each
// sending its next request when the last one is answered, for a fixed
// time, recording the latency of every answer by status.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// request builds the i-th request of connection conn.
type request func(conn, i int) (*http.Request, error)

// loadResult is what a closed loop measured.
type loadResult struct {
	elapsed  time.Duration
	byStatus map[int]int
	latency  []time.Duration // of the answers of the wanted status, sorted
	errors   int             // requests that got no answer
}

// rate returns how many answers of the wanted status came a second.
func (r loadResult) rate() float64 { return float64(len(r.latency)) / r.elapsed.Seconds() }

// merge returns what r and o measured together.
func (r loadResult) merge(o loadResult) loadResult {
	m := loadResult{elapsed: r.elapsed + o.elapsed, byStatus: map[int]int{}, errors: r.errors + o.errors}
	for _, bs := range []map[int]int{r.byStatus, o.byStatus} {
		for s, n := range bs {
			m.byStatus[s] += n
		}
	}
	m.latency = append(slices.Clone(r.latency), o.latency...)
	slices.Sort(m.latency)
	return m
}

// quantile returns the q-quantile of the latencies (0 when there are none).
func (r loadResult) quantile(q float64) time.Duration {
	if len(r.latency) == 0 {
		return 0
	}
	return r.latency[min(len(r.latency)-1, int(q*float64(len(r.latency))))]
}

// newClient returns an HTTP client keeping conns connections to one host.
func newClient(conns int) *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true,
	}}
}

// closedLoop runs conns connections for d, each sending the requests
// build makes one after the other, and keeps the latencies of answers
// with status want.
func closedLoop(c *http.Client, conns int, d time.Duration, want int, build request) loadResult {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var mu sync.Mutex
	res := loadResult{byStatus: map[int]int{}}
	var wg sync.WaitGroup
	start := time.Now()
	for conn := range conns {
		wg.Go(func() {
			var lat []time.Duration
			statuses := map[int]int{}
			errs := 0
			for i := 0; ctx.Err() == nil; i++ {
				req, err := build(conn, i)
				if err != nil {
					errs++
					break
				}
				t := time.Now()
				resp, err := c.Do(req)
				if err != nil {
					errs++
					continue
				}
				io.Copy(io.Discard, resp.Body) //nolint:errcheck // the status is what counts
				resp.Body.Close()
				statuses[resp.StatusCode]++
				if resp.StatusCode == want {
					lat = append(lat, time.Since(t))
				}
			}
			mu.Lock()
			defer mu.Unlock()
			res.latency = append(res.latency, lat...)
			for s, n := range statuses {
				res.byStatus[s] += n
			}
			res.errors += errs
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	slices.Sort(res.latency)
	return res
}

// newCustomers registers n customers with the staff key, 8 at a time,
// and returns their tokens.
func newCustomers(c *http.Client, base string, n int) ([]string, error) {
	tokens := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			body := fmt.Sprintf(`{"name":"load %d"}`, i)
			req, err := http.NewRequest(http.MethodPost, base+"/customers", bytes.NewBufferString(body))
			if err != nil {
				errs[i] = err
				return
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Staff-Key", staffKey)
			var out struct{ Token string }
			errs[i] = do(c, req, http.StatusCreated, &out)
			tokens[i] = out.Token
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return tokens, nil
}

// do sends req and decodes the answer into out, which must have status
// want. A 503 (shed at the kitchen's start) is retried after a while.
func do(c *http.Client, req *http.Request, want int, out any) error {
	for attempt := 0; ; attempt++ {
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode == http.StatusServiceUnavailable && attempt < 50 {
			time.Sleep(100 * time.Millisecond)
			if req.GetBody != nil {
				if req.Body, err = req.GetBody(); err != nil {
					return err
				}
			}
			continue
		}
		if resp.StatusCode != want {
			return fmt.Errorf("%s %s: %d, want %d: %s", req.Method, req.URL.Path, resp.StatusCode, want, b)
		}
		if out == nil {
			return nil
		}
		return json.Unmarshal(b, out)
	}
}

// orderBody is the two-line order every connection places: two soups
// and a steak (dishes 1 and 4 of the seeded menu).
const orderBody = `{"items":[{"dish_id":1,"quantity":2},{"dish_id":4,"quantity":1}]}`

// orderRequests places orders, each connection for its own customers in
// turn, so that no customer goes over the kitchen's order limit.
func orderRequests(base string, tokens []string, conns int) request {
	return func(conn, i int) (*http.Request, error) {
		req, err := http.NewRequest(http.MethodPost, base+"/orders", bytes.NewBufferString(orderBody))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tokens[(conn+i*conns)%len(tokens)])
		return req, nil
	}
}
