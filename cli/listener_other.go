//go:build !linux

package cli

import "net"

// refuseNewConnections does nothing here: how a listening socket takes
// a smaller backlog varies; the linger alone takes what is queued.
func refuseNewConnections(*net.TCPListener) {}
