//go:build !linux

package cli

import (
	"net"
	"time"
)

// acceptLinger is how long takeQueued goes on accepting here.
const acceptLinger = 20 * time.Millisecond

// takeQueued takes the connections that ln, about to close, queues within
// acceptLinger: how a listening socket can stop listening without
// closing varies here, so connections that arrive in the instant between
// the last Accept and the close are reset.
func takeQueued(ln *net.TCPListener) []net.Conn {
	var conns []net.Conn
	if ln.SetDeadline(time.Now().Add(acceptLinger)) != nil {
		return nil
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			return conns
		}
		conns = append(conns, c)
	}
}
