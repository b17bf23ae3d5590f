//go:build !linux

package cli

import "net"

// takeQueued takes nothing here: connections queued when the socket
// closes are reset.
func takeQueued(*net.TCPListener) []net.Conn { return nil }
