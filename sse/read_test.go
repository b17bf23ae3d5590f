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
