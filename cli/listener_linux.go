package cli

import (
	"net"
	"os"
	"syscall"
)

// takeQueued takes the connections queued on ln, a non-blocking socket,
// and stops it listening the moment the queue is empty (shutdown), so
// that a later handshake is refused, not queued and reset; the caller
// closes it. Only a handshake under way in that moment is reset: on
// loopback, microseconds. (Shrinking the queue first, with listen, was
// measured no better: a full queue drops the last ACK of handshakes under
// way, and those clients, which believe they are connected, are reset
// when they send again.)
func takeQueued(ln *net.TCPListener) []net.Conn {
	raw, err := ln.SyscallConn()
	if err != nil {
		return nil
	}
	var fds []int
	raw.Control(func(fd uintptr) { //nolint:errcheck // without the socket, nothing to take
		// A bound, however fast clients keep completing handshakes while
		// the queue is taken: it holds at most somaxconn.
		for range 1 << 16 {
			nfd, _, err := syscall.Accept4(int(fd), syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC)
			if err == syscall.EINTR || err == syscall.ECONNABORTED {
				continue
			}
			if err != nil {
				break // EAGAIN: the queue is empty
			}
			fds = append(fds, nfd)
		}
		// At once: a handshake completing after this is refused, not queued.
		syscall.Shutdown(int(fd), syscall.SHUT_RDWR) //nolint:errcheck // Close follows
	})
	conns := make([]net.Conn, 0, len(fds))
	for _, fd := range fds {
		f := os.NewFile(uintptr(fd), "")
		c, err := net.FileConn(f)
		f.Close()
		if err == nil {
			conns = append(conns, c)
		}
	}
	return conns
}
