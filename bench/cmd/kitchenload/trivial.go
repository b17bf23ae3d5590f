//go:build linux

package main

// What the generator itself costs: the kitchen replaced by a trivial
// server that answers every request with a fixed response, so that the
// generator, not the server, is what runs out first.

import (
	"fmt"
	"net"
	"time"
)

// trivialEnv, set in its environment, makes this command the trivial
// server.
const trivialEnv = "KITCHENLOAD_TRIVIAL"

// trivialResponse is the trivial server's answer to every request.
const trivialResponse = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]"

// serveTrivial listens on a loopback port, prints its URL and answers
// every request (a head without a body) with trivialResponse.
func serveTrivial() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Printf("http://%s\n", ln.Addr())
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go func() {
			defer c.Close()
			buf := make([]byte, 4096)
			out := make([]byte, 0, 4096)
			state := 0 // how much of "\r\n\r\n" the bytes read end with
			for {
				n, err := c.Read(buf)
				if err != nil {
					return
				}
				out = out[:0]
				for _, b := range buf[:n] {
					state = nextCRLF(state, b)
					if state == 4 {
						out = append(out, trivialResponse...)
						state = 0
					}
				}
				if len(out) > 0 {
					if _, err := c.Write(out); err != nil {
						return
					}
				}
			}
		}()
	}
}

// nextCRLF advances a match of "\r\n\r\n" by b.
func nextCRLF(state int, b byte) int {
	switch {
	case b == '\r' && (state == 0 || state == 2):
		return state + 1
	case b == '\n' && (state == 1 || state == 3):
		return state + 1
	case b == '\r':
		return 1
	}
	return 0
}

// generatorCost offers GET requests to a trivial server on the server's
// core at rising rates and reports what the generator spends per request,
// up to the first rate it does not keep up with.
func generatorCost(c config) error {
	server, g, stop, err := startChild(c, trivialEnv+"=1")
	if err != nil {
		return err
	}
	defer stop()
	t := target{method: "GET", path: "/dishes"}
	fmt.Printf("\nthe generator against a trivial server (GET, a 2-byte body; load average %s)\n", loadAverage())
	printHeader()
	measured(server, func() result { return g.closedLoop(t, 4, c.warm, c.d/2) }).print("closed loop, 4", 0, 0)
	for _, rate := range c.rates {
		time.Sleep(time.Second)
		r := measured(server, func() result { return g.openLoop(t, rate, c.warm, c.d) })
		r.print(fmt.Sprintf("open, %.0f/s", rate), 0, 0)
		if !r.keptUp() {
			fmt.Printf("  the generator fell behind its schedule at %.0f/s\n", rate)
			break
		}
	}
	fmt.Printf("  load average after: %s\n", loadAverage())
	return nil
}
