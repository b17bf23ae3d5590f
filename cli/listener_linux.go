package cli

import (
	"net"
	"syscall"
)

// refuseNewConnections shrinks ln's accept queue to one connection, so
// that the kernel drops the handshakes that find it full, keeping the
// connections already queued. A dropped SYN is sent again after a
// second, and then meets the closed socket: that client is refused,
// having sent nothing, instead of being reset with its request queued.
func refuseNewConnections(ln *net.TCPListener) {
	raw, err := ln.SyscallConn()
	if err != nil {
		return
	}
	raw.Control(func(fd uintptr) { //nolint:errcheck // without it, the linger alone
		syscall.Listen(int(fd), 0) //nolint:errcheck // as above
	})
}
