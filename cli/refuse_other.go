//go:build !linux

package cli

import "net"

// refuseNow closes c, a connection over the cap that cannot linger.
func refuseNow(c net.Conn) { c.Close() }
