package sse

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// parseAll returns every event of stream and the last retry delay.
func parseAll(r io.Reader) ([]rawEvent, time.Duration, error) {
	p := newParser(r)
	var evs []rawEvent
	for {
		ev, err := p.next()
		if err == io.EOF {
			return evs, p.retry, nil
		}
		if err != nil {
			return evs, p.retry, err
		}
		evs = append(evs, ev)
	}
}

func TestParser(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		stream string
		want   []rawEvent
		retry  time.Duration
	}{
		{"empty", "", nil, 0},
		{"one event", "event: a\ndata: 1\n\n", []rawEvent{{name: "a", data: "1"}}, 0},
		{"default name", "data: x\n\n", []rawEvent{{name: "message", data: "x"}}, 0},
		{"CRLF", "event: a\r\ndata: 1\r\n\r\n", []rawEvent{{name: "a", data: "1"}}, 0},
		{"CR", "event: a\rdata: 1\r\r", []rawEvent{{name: "a", data: "1"}}, 0},
		{"mixed line ends", "data: 1\r\n\rdata: 2\n\r\n", []rawEvent{{name: "message", data: "1"}, {name: "message", data: "2"}}, 0},
		{"CR CR LF is two line ends", "data: 1\r\r\ndata: 2\n\n", []rawEvent{{name: "message", data: "1"}, {name: "message", data: "2"}}, 0},
		{"multi-line data", "data: a\ndata:b\ndata\ndata:  c\n\n", []rawEvent{{name: "message", data: "a\nb\n\n c"}}, 0},
		{"byte order mark", "\uFEFFdata: 1\n\n", []rawEvent{{name: "message", data: "1"}}, 0},
		{"second byte order mark kept", "\uFEFF\uFEFFdata: 1\n\n", nil, 0},
		{"byte order mark later kept", "data: 1\n\n\uFEFFdata: 2\n\n", []rawEvent{{name: "message", data: "1"}}, 0},
		{"comments", ": hello\n:\nevent: a\n: mid\ndata: 1\n\n: bye\n\n", []rawEvent{{name: "a", data: "1"}}, 0},
		{"unknown fields ignored", "foo: bar\nEvent: x\ndata: 1\n\n", []rawEvent{{name: "message", data: "1"}}, 0},
		{"no data, no event", "event: a\n\ndata: 1\n\n", []rawEvent{{name: "message", data: "1"}}, 0},
		{"empty data is an event", "data\n\n", []rawEvent{{name: "message", data: ""}}, 0},
		{"id persists", "id: 7\ndata: 1\n\ndata: 2\n\nid\ndata: 3\n\n", []rawEvent{{name: "message", data: "1", id: "7"}, {name: "message", data: "2", id: "7"}, {name: "message", data: "3"}}, 0},
		{"id with NUL ignored", "id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n", []rawEvent{{name: "message", data: "a", id: "1"}, {name: "message", data: "b", id: "1"}}, 0},
		{"id without data still set", "id: 9\n\ndata: a\n\n", []rawEvent{{name: "message", data: "a", id: "9"}}, 0},
		{"retry", "retry: 1500\ndata: a\n\n", []rawEvent{{name: "message", data: "a"}}, 1500 * time.Millisecond},
		{"bad retry ignored", "retry: 10\nretry: 1.5\nretry: -1\nretry:\nretry: 99999999999999999999\n", nil, 10 * time.Millisecond},
		{"one leading space only", "event:  a\ndata:x y \n\n", []rawEvent{{name: " a", data: "x y "}}, 0},
		{"colon in value", "data: a:b\n\n", []rawEvent{{name: "message", data: "a:b"}}, 0},
		{"cut off event dropped", "data: 1\n\ndata: 2\n", []rawEvent{{name: "message", data: "1"}}, 0},
		{"cut off line dropped", "data: 1\n\ndata: 2", []rawEvent{{name: "message", data: "1"}}, 0},
		{"invalid UTF-8 replaced", "data: a\xffb\n\n", []rawEvent{{name: "message", data: "a\uFFFDb"}}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, r := range []struct {
				name string
				r    io.Reader
			}{
				{"whole", strings.NewReader(tt.stream)},
				{"byte by byte", iotest.OneByteReader(strings.NewReader(tt.stream))},
			} {
				got, retry, err := parseAll(r.r)
				if err != nil {
					t.Fatalf("%s: %v", r.name, err)
				}
				if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(rawEvent{})); diff != "" {
					t.Errorf("%s: events (-want +got):\n%s", r.name, diff)
				}
				if retry != tt.retry {
					t.Errorf("%s: retry: got %v, want %v", r.name, retry, tt.retry)
				}
			}
		})
	}
}

// A CR at the end of what has arrived ends the line at once: the event is
// dispatched without waiting for the next byte.
func TestParserDoesNotWaitAfterCR(t *testing.T) {
	t.Parallel()
	pr, pw := io.Pipe()
	defer pw.Close()
	got := make(chan rawEvent, 1)
	go func() {
		ev, err := newParser(pr).next()
		if err == nil {
			got <- ev
		}
	}()
	go pw.Write([]byte("data: 1\r\r"))
	select {
	case ev := <-got:
		if ev.data != "1" {
			t.Errorf("got %q, want 1", ev.data)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the parser waited for the byte after CR")
	}
}

func TestParserReadError(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	_, _, err := parseAll(io.MultiReader(strings.NewReader("data: 1\n"), iotest.ErrReader(boom)))
	if !errors.Is(err, boom) {
		t.Errorf("got %v, want %v", err, boom)
	}
}

// FuzzParser checks that the parser never fails on any input, and that
// line ends, byte order marks and the way the input arrives change
// nothing.
func FuzzParser(f *testing.F) {
	for _, s := range []string{
		"", "data: 1\n\n", "event: a\r\ndata: {}\r\n\r\n", "id: 1\rretry: 5\rdata\r\r",
		": c\n\ndata: a\ndata: b\n\n", "\uFEFFdata: x\n\n", "data: \xff\xfe\n\n", "id: a\x00b\ndata: 1\n\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		want, wantRetry, err := parseAll(bytes.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range want {
			if ev.name == "" || strings.ContainsAny(ev.name+ev.id, "\r\n") || strings.Contains(ev.data, "\r") {
				t.Fatalf("bad event %+v", ev)
			}
		}
		variants := map[string]io.Reader{
			"byte by byte": iotest.OneByteReader(bytes.NewReader(in)),
			"half":         iotest.HalfReader(bytes.NewReader(in)),
		}
		if !bytes.HasPrefix(in, []byte("\uFEFF")) {
			variants["with a BOM"] = io.MultiReader(strings.NewReader("\uFEFF"), bytes.NewReader(in))
		}
		if !bytes.ContainsRune(in, '\r') {
			variants["CRLF"] = bytes.NewReader(bytes.ReplaceAll(in, []byte("\n"), []byte("\r\n")))
			variants["CR"] = bytes.NewReader(bytes.ReplaceAll(in, []byte("\n"), []byte("\r")))
		}
		for name, r := range variants {
			got, retry, err := parseAll(r)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !cmp.Equal(want, got, cmp.AllowUnexported(rawEvent{})) || retry != wantRetry {
				t.Fatalf("%s: got %q %v, want %q %v", name, got, retry, want, wantRetry)
			}
		}
		// Decoding into a union fails cleanly, never panics.
		type union struct {
			A *map[string]any `event:"message"`
			B *[]int          `event:"b"`
		}
		for range Read[union](bytes.NewReader(in)) {
		}
	})
}

// FuzzRoundTrip checks that what a Sender writes reads back the same.
func FuzzRoundTrip(f *testing.F) {
	f.Add("1", "hello", "a")
	f.Add("", "line\r\nbreak\u2028", "x:y")
	f.Add("\xff", "\x00\xff", " lead")
	f.Fuzz(func(t *testing.T, id, text, name string) {
		type union struct {
			S *string `event:"s"`
		}
		if checkName(name) != nil {
			name = "s"
		}
		if strings.ContainsAny(id, "\r\n\x00") || !utf8.ValidString(id) {
			id = ""
		}
		var b bytes.Buffer
		if err := appendEvent(&b, id, "s", &text); err != nil {
			t.Fatal(err)
		}
		var got []Message[union]
		for m, err := range Read[union](&b) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, m)
		}
		wantText := string([]rune(text)) // each invalid byte replaced
		if len(got) != 1 || got[0].ID != id || got[0].Event.S == nil || *got[0].Event.S != wantText {
			t.Fatalf("got %+v, want one event with ID %q and %q", got, id, wantText)
		}
		// A name that passes checkName survives the trip too.
		b.Reset()
		appendEvent(&b, "", name, 1)
		evs, _, err := parseAll(&b)
		if err != nil || len(evs) != 1 || evs[0].name != name {
			t.Fatalf("event name %q: got %+v, %v", name, evs, err)
		}
	})
}
