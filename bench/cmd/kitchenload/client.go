package main

// The generator's HTTP/1.1 client: keep-alive connections over net.Conn,
// a request written from prepared bytes and its response read with
// http.ReadResponse. net/http's client spends more of the generator's core
// per request (a goroutine pair and channels per connection), and takes an
// answer that arrives on an idle connection for a broken one.

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"
)

// wire returns t's request as sent to host.
func (t target) wire(host string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", t.method, t.path, host)
	keys := make([]string, 0, len(t.header))
	for k := range t.header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\r\n", k, t.header.Get(k))
	}
	if t.body != "" {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(t.body))
	}
	b.WriteString("\r\n" + t.body)
	return []byte(b.String())
}

// conn is a keep-alive connection.
type conn struct {
	c  net.Conn
	br *bufio.Reader
}

// pool holds at most max connections to addr.
type pool struct {
	addr  string
	idle  chan *conn
	slots chan struct{} // one per open connection
}

func newPool(addr string, max int) *pool {
	return &pool{addr: addr, idle: make(chan *conn, max), slots: make(chan struct{}, max)}
}

// get returns an idle connection, or a new one while there are fewer
// than max, or waits for one until deadline.
func (p *pool) get(deadline time.Time) (*conn, error) {
	select {
	case c := <-p.idle:
		return c, nil
	default:
	}
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case c := <-p.idle:
		return c, nil
	case p.slots <- struct{}{}:
		c, err := net.DialTimeout("tcp", p.addr, time.Until(deadline))
		if err != nil {
			<-p.slots
			return nil, err
		}
		return &conn{c: c, br: bufio.NewReaderSize(c, 4096)}, nil
	case <-t.C:
		return nil, os.ErrDeadlineExceeded
	}
}

func (p *pool) put(c *conn) { p.idle <- c }

func (p *pool) drop(c *conn) {
	c.c.Close()
	<-p.slots
}

// close closes the idle connections.
func (p *pool) close() {
	for {
		select {
		case c := <-p.idle:
			p.drop(c)
		default:
			return
		}
	}
}

// roundTrip sends req and reads its response, both by deadline.
func (p *pool) roundTrip(req []byte, deadline time.Time) (status int, body []byte, err error) {
	c, err := p.get(deadline)
	if err != nil {
		return 0, nil, err
	}
	c.c.SetDeadline(deadline)
	if _, err := c.c.Write(req); err != nil {
		p.drop(c)
		return 0, nil, err
	}
	res, err := http.ReadResponse(c.br, nil)
	if err == nil {
		body, err = io.ReadAll(res.Body)
	}
	if err != nil {
		p.drop(c)
		return 0, nil, err
	}
	if res.Close {
		p.drop(c)
	} else {
		p.put(c)
	}
	return res.StatusCode, body, nil
}
