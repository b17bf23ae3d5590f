package sqlstore

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPayloads: the orders one process announces are the orders another
// hears, however many, in notifications PostgreSQL takes (8000 bytes at
// most), and a process does not hear its own.
func TestPayloads(t *testing.T) {
	t.Parallel()
	none := func(context.Context, func(string)) {}
	for _, tt := range []struct {
		name string
		ids  []int64
		want int // notifications
	}{
		{"none", nil, 0},
		{"one", []int64{42}, 1},
		{"some", []int64{1, 22, 333, 4444}, 1},
		{"more than one notification holds", func() []int64 {
			ids := make([]int64, 2000)
			for i := range ids {
				ids[i] = 1_000_000 + int64(i)
			}
			return ids
		}(), 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var from, to events
			from.init(none, nil)
			to.init(none, nil)
			var heard, echoed []int64
			to.subs[0] = func(id int64) { heard = append(heard, id) }
			from.subs[0] = func(id int64) { echoed = append(echoed, id) }
			payloads := from.payloads(tt.ids)
			if len(payloads) != tt.want {
				t.Errorf("got %d notifications, want %d", len(payloads), tt.want)
			}
			for _, p := range payloads {
				if len(p) > 8000 {
					t.Errorf("a notification of %d bytes", len(p))
				}
				to.receive(p)
				from.receive(p)
			}
			if diff := cmp.Diff(tt.ids, heard); diff != "" {
				t.Errorf("heard (-announced +heard):\n%s", diff)
			}
			if len(echoed) != 0 {
				t.Errorf("the announcing process heard itself: %v", echoed)
			}
		})
	}
}
