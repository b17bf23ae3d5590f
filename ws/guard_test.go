package ws

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// followFrames is what frameGuard must do, computed on the whole stream
// at once: the bytes up to the end of the first header that takes its
// message past limit, and whether there is one.
func followFrames(b []byte, limit uint64) (int, bool) {
	var msg uint64
	for i := 0; ; {
		if len(b)-i < 2 {
			return len(b), false
		}
		fin, opcode, masked, length := b[i]&0x80 != 0, b[i]&0x0f, b[i+1]&0x80 != 0, uint64(b[i+1]&0x7f)
		hl := 2
		switch length {
		case 126:
			hl += 2
		case 127:
			hl += 8
		}
		if masked {
			hl += 4
		}
		if len(b)-i < hl {
			return len(b), false
		}
		switch length {
		case 126:
			length = uint64(binary.BigEndian.Uint16(b[i+2:]))
		case 127:
			length = binary.BigEndian.Uint64(b[i+2:])
		}
		i += hl
		if opcode < 8 {
			if opcode != 0 {
				msg = 0
			}
			if length > limit || msg+length > limit {
				return i, true
			}
			msg += length
			if fin {
				msg = 0
			}
		}
		if uint64(len(b)-i) < length {
			return len(b), false
		}
		i += int(length)
	}
}

// FuzzFrameGuard reads streams of frames through a frameGuard, in reads
// of every size, and checks that it passes on exactly the bytes up to the
// first header that goes past the limit, then fails.
func FuzzFrameGuard(f *testing.F) {
	hdr := func(b0, b1 byte, ext ...byte) []byte { return append([]byte{b0, b1}, ext...) }
	f.Add(hdr(0x81, 0x85, 1, 2, 3, 4), uint16(16), byte(3))
	f.Add(hdr(0x01, 0x83, 0, 0, 0, 0, 'a', 'b', 'c', 0x89, 0x80, 0, 0, 0, 0, 0x80, 0x83, 0, 0, 0, 0, 'd', 'e', 'f'), uint16(5), byte(1))
	f.Add(hdr(0x81, 0xff, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4), uint16(100), byte(7))
	f.Add(hdr(0x82, 0xfe, 0x01, 0x00, 1, 2, 3, 4), uint16(255), byte(2))
	f.Fuzz(func(t *testing.T, stream []byte, limit uint16, chunk byte) {
		want, tripped := followFrames(stream, uint64(limit))
		var r io.Reader = bytes.NewReader(stream)
		if chunk%2 == 0 {
			r = iotest.OneByteReader(r)
		}
		g := &frameGuard{r: r, limit: int64(limit)}
		buf := make([]byte, int(chunk)+1)
		var got []byte
		var err error
		for err == nil {
			var n int
			n, err = g.Read(buf)
			got = append(got, buf[:n]...)
		}
		if !bytes.Equal(got, stream[:want]) {
			t.Fatalf("passed %d bytes on, want %d", len(got), want)
		}
		if errors.Is(err, errFrameTooBig) != tripped {
			t.Fatalf("ended with %v; a frame past the limit: %v", err, tripped)
		}
	})
}
