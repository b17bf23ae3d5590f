package cli

import (
	"bytes"
	"net"
	"syscall"
)

// refuseNow answers c, a connection over the cap that cannot linger (too
// many refusals linger already), without waiting for anything: it reads
// what the client has sent so far, and when that is a whole request head,
// writes the 503 (h2c: GOAWAY, refusalFor) and closes. The request read,
// the close is a FIN and the client reads the answer; closed with the
// request unread, the connection would be reset, and the 503 lost. A
// connection whose head has not all arrived is closed without a word.
func refuseNow(c net.Conn) {
	defer c.Close()
	sc, ok := c.(syscall.Conn)
	if !ok {
		return
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return
	}
	var buf [4096]byte
	n := 0
	raw.Read(func(fd uintptr) bool { //nolint:errcheck // a failed read leaves n at 0
		m, err := syscall.Read(int(fd), buf[:])
		if err == nil && m > 0 {
			n = m
		}
		return true // never wait for more
	})
	if n == 0 || !bytes.Contains(buf[:n], []byte("\r\n\r\n")) {
		return
	}
	raw.Write(func(fd uintptr) bool { //nolint:errcheck // the close is the answer then
		syscall.Write(int(fd), refusalFor(buf[:n])) //nolint:errcheck // as above
		return true
	})
}
