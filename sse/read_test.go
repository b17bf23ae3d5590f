package sse_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux/sse"
)

func TestRead(t *testing.T) {
	t.Parallel()
	type result struct {
		Msg sse.Message[OrderEvent]
		Err string
	}
	for _, tt := range []struct {
		name   string
		stream string
		want   []result
	}{
		{
			name:   "events",
			stream: "retry: 100\nid: 1\nevent: progress\ndata: {\"percent\":5}\n\nevent: done\ndata: {\"total\":2}\n\n",
			want: []result{
				{Msg: sse.Message[OrderEvent]{ID: "1", Retry: 100 * time.Millisecond, Event: OrderEvent{Progress: &Progress{Percent: 5}}}},
				{Msg: sse.Message[OrderEvent]{ID: "1", Retry: 100 * time.Millisecond, Event: OrderEvent{Done: &Done{Total: 2}}}},
			},
		},
		{
			name:   "data over several lines",
			stream: "event: progress\ndata: {\"percent\":\ndata: 7}\n\n",
			want:   []result{{Msg: sse.Message[OrderEvent]{Event: OrderEvent{Progress: &Progress{Percent: 7}}}}},
		},
		{
			name:   "unknown event, then a known one",
			stream: "event: cancelled\ndata: {}\n\ndata: {}\n\nevent: done\ndata: {\"total\":1}\n\n",
			want: []result{
				{Err: `sse: unknown event "cancelled": sse_test.OrderEvent declares "progress", "done"`},
				{Err: `sse: unknown event "message"`},
				{Msg: sse.Message[OrderEvent]{Event: OrderEvent{Done: &Done{Total: 1}}}},
			},
		},
		{
			name:   "bad data",
			stream: "event: done\ndata: {\"total\":\"x\"}\n\nevent: done\ndata: nope\n\n",
			want: []result{
				{Err: `sse: decoding the data of event "done"`},
				{Err: `sse: decoding the data of event "done"`},
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []result
			for m, err := range sse.Read[OrderEvent](strings.NewReader(tt.stream)) {
				r := result{Msg: m}
				if err != nil {
					r = result{Err: err.Error()}
				}
				got = append(got, r)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d results %+v, want %d", len(got), got, len(tt.want))
			}
			for i := range got {
				if tt.want[i].Err != "" {
					if !strings.HasPrefix(got[i].Err, tt.want[i].Err) {
						t.Errorf("result %d: got error %q, want one starting %q", i, got[i].Err, tt.want[i].Err)
					}
					continue
				}
				if diff := cmp.Diff(tt.want[i], got[i]); diff != "" {
					t.Errorf("result %d (-want +got):\n%s", i, diff)
				}
			}
		})
	}
}

func TestReadStopsWhenTheLoopBreaks(t *testing.T) {
	t.Parallel()
	n := 0
	for range sse.Read[OrderEvent](strings.NewReader(strings.Repeat("event: done\ndata: {}\n\n", 5))) {
		if n++; n == 2 {
			break
		}
	}
	if n != 2 {
		t.Errorf("got %d iterations, want 2", n)
	}
}

func TestReadRejectsANonUnion(t *testing.T) {
	t.Parallel()
	for _, err := range sse.Read[struct{ A int }](strings.NewReader("data: 1\n\n")) {
		if err == nil || !strings.Contains(err.Error(), "pointer") {
			t.Errorf("got %v, want an error about the event type", err)
		}
	}
}

// ReadFrom carries the last event ID and the reconnection delay from one
// connection to the next, as an EventSource does, and keeps its cursor
// where the stream stands.
func TestReadFrom(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		from   sse.Cursor
		stream string
		ids    []string // of the events read
		want   sse.Cursor
	}{
		{
			name: "an event without an ID carries the one resumed after", from: sse.Cursor{LastID: "7", Retry: time.Second},
			stream: "event: done\ndata: {}\n\n",
			ids:    []string{"7"}, want: sse.Cursor{LastID: "7", Retry: time.Second},
		},
		{
			name:   "IDs and retry move the cursor",
			stream: "id: 1\nevent: done\ndata: {}\n\nretry: 250\nid: 2\nevent: done\ndata: {}\n\n",
			ids:    []string{"1", "2"}, want: sse.Cursor{LastID: "2", Retry: 250 * time.Millisecond},
		},
		{
			name: "an ID without data moves it too", from: sse.Cursor{LastID: "1"},
			stream: "id: 5\n\n",
			want:   sse.Cursor{LastID: "5"},
		},
		{
			name: "an empty ID resets it", from: sse.Cursor{LastID: "1"},
			stream: "id\nevent: done\ndata: {}\n\n",
			ids:    []string{""}, want: sse.Cursor{},
		},
		{
			name: "an event cut off does not move it, a retry line does", from: sse.Cursor{LastID: "3"},
			stream: "retry: 10\nid: 4\nevent: done\ndata: {}\n",
			want:   sse.Cursor{LastID: "3", Retry: 10 * time.Millisecond},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cur := tt.from
			var ids []string
			for m, err := range sse.ReadFrom[OrderEvent](strings.NewReader(tt.stream), &cur) {
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, m.ID)
			}
			if diff := cmp.Diff(tt.ids, ids); diff != "" {
				t.Errorf("IDs (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, cur); diff != "" {
				t.Errorf("cursor (-want +got):\n%s", diff)
			}
		})
	}
}
