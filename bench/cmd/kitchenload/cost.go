//go:build linux

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// shedCost measures what a refused request costs the server: first the
// refusal floor (floor.go) in each of its settings, then the kitchen. A
// kitchen with room for one event stream holds one open, and closed-loop
// clients ask for the same stream again, which the load shedder refuses
// (its cap on long-lived responses) after the kitchen's middleware: the
// same path as a request refused by its concurrency limit. The cheapest
// operation, GET /livez, and GET /dishes are measured beside it. Then
// the floor and the kitchen refuse an open loop at each of rates, as at
// 3·C, where connections are many and each wakes up for one request.
func shedCost(c config, rates []float64) error {
	if c.refusalFloor {
		fmt.Printf("\nwhat a refusal costs a net/http server that only refuses (closed loop, 4 clients; then open loops)\n")
		printHeader()
		for _, s := range floorSettings {
			if err := measureFloor(c, s, rates); err != nil {
				return fmt.Errorf("refusal floor: %w", err)
			}
		}
	}
	srv, err := startKitchen(c.kitchen, c.serverCPU, c.loadCPU, append([]string{"-max-streams", "1"}, c.kitchenArgs...))
	if err != nil {
		return err
	}
	defer srv.stop()
	id, stop, err := holdStream(srv.url)
	if err != nil {
		return err
	}
	defer stop()
	g, err := c.generator(srv.url)
	if err != nil {
		return err
	}
	defer g.close()
	refusedStream := target{method: "GET", path: fmt.Sprintf("/orders/%d/events", id),
		header: http.Header{"Authorization": {"Bearer " + demoToken}}}
	fmt.Printf("\nwhat a request costs the server (closed loop, 4 clients)\n")
	printHeader()
	for _, tt := range []struct {
		name string
		t    target
	}{
		{"refused (503)", refusedStream},
		{"GET /livez", targets["livez"]},
		{"GET /dishes", targets["dishes"]},
	} {
		pause()
		r := measured(srv, func() result { return g.closedLoop(tt.t, 4, c.warm, c.d) })
		r.print(tt.name, 0, 0)
	}
	for _, rate := range rates {
		pause()
		r := measured(srv, func() result { return g.openLoop(refusedStream, rate, c.warm, c.d) })
		r.print(fmt.Sprintf("refused, %.0f/s", rate), 0, 0)
	}
	return nil
}

// holdStream orders a dish that cooks for an hour and opens the order's
// event stream, which stays open until stop.
func holdStream(base string) (id int64, stop func(), err error) {
	post := func(path, body string, header ...string) (json.RawMessage, error) {
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		var raw json.RawMessage
		if err := json.NewDecoder(res.Body).Decode(&raw); err != nil || res.StatusCode >= 300 {
			return nil, fmt.Errorf("POST %s: %d %s %v", path, res.StatusCode, raw, err)
		}
		return raw, nil
	}
	var dish, order struct{ ID int64 }
	raw, err := post("/dishes", `{"name":"Slow roast","price_cents":3000,"station":"oven","prep_seconds":3600}`, "X-Staff-Key", "demo-staff-key")
	if err == nil {
		err = json.Unmarshal(raw, &dish)
	}
	if err == nil {
		raw, err = post("/orders", fmt.Sprintf(`{"items":[{"dish_id":%d,"quantity":1}]}`, dish.ID), "Authorization", "Bearer "+demoToken)
	}
	if err == nil {
		err = json.Unmarshal(raw, &order)
	}
	if err != nil {
		return 0, nil, err
	}
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/orders/%d/events", base, order.ID), nil)
	req.Header.Set("Authorization", "Bearer "+demoToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	if res.StatusCode != 200 {
		res.Body.Close()
		return 0, nil, fmt.Errorf("the stream: %d", res.StatusCode)
	}
	go func() {
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
		}
	}()
	time.Sleep(100 * time.Millisecond)
	return order.ID, func() { res.Body.Close() }, nil
}
