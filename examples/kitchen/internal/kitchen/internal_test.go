package kitchen

import (
	"slices"
	"testing"
	"time"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
)

func TestParseETags(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in       string
		any      bool
		tags     []string
		versions []int64
		bad      bool
	}{
		{in: `*`, any: true},
		{in: ` * `, any: true},
		{in: `"1"`, tags: []string{`"1"`}, versions: []int64{1}},
		{in: `W/"1"`, tags: []string{`W/"1"`}},
		{in: `"1", W/"2" ,"3"`, tags: []string{`"1"`, `W/"2"`, `"3"`}, versions: []int64{1, 3}},
		{in: `,"4",,`, tags: []string{`"4"`}, versions: []int64{4}},
		{in: `"x"`, tags: []string{`"x"`}},
		{in: `""`, tags: []string{`""`}},
		{in: `"-1"`, tags: []string{`"-1"`}},
		{in: `"01", "+2"`, tags: []string{`"01"`, `"+2"`}},
		{in: ``, bad: true},
		{in: `,`, bad: true},
		{in: `1`, bad: true},
		{in: `"1`, bad: true},
		{in: `W/1`, bad: true},
		{in: `"1" "2"`, bad: true},
		{in: `"a b"`, bad: true},
		{in: `*, "1"`, bad: true},
	} {
		l, err := parseETags(tt.in)
		if (err != nil) != tt.bad {
			t.Errorf("%q: error %v, want bad=%v", tt.in, err, tt.bad)
			continue
		}
		if l.any != tt.any || !slices.Equal(l.tags, tt.tags) || !slices.Equal(l.versions(), tt.versions) {
			t.Errorf("%q: got %+v versions %v", tt.in, l, l.versions())
		}
	}
	l, _ := parseETags(`W/"3", "4"`)
	for cur, want := range map[string]bool{`"3"`: true, `"4"`: true, `"5"`: false} {
		if l.matchWeak(cur) != want {
			t.Errorf("matchWeak(%s) = %v", cur, !want)
		}
	}
}

// FuzzParseETags: any header parses or fails cleanly, and what parses
// is made of well-formed tags that match themselves.
func FuzzParseETags(f *testing.F) {
	for _, s := range []string{`*`, `"1"`, `W/"1", "2"`, `,,"a",`, `"`, `W/`, "\"\x00\"", `"1" x`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := parseETags(s)
		if err != nil {
			return
		}
		for _, tag := range l.tags {
			if len(tag) < 2 || tag[len(tag)-1] != '"' || !l.matchWeak(tag) {
				t.Fatalf("%q: bad tag %q", s, tag)
			}
		}
		for _, v := range l.versions() {
			if v <= 0 || !l.matchWeak(etag(v)) {
				t.Fatalf("%q: version %d", s, v)
			}
		}
	})
}

func TestSplit(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		units   []int64
		k       int
		largest int64
		optimal bool
	}{
		{"nothing", nil, 3, 0, true},
		{"one guest", []int64{5, 7}, 1, 12, true},
		{"greedy is not optimal", []int64{8, 7, 6, 5, 4}, 2, 15, true},
		{"perfect", []int64{3, 3, 2, 2, 2}, 2, 6, true},
		{"more guests than dishes", []int64{9, 1}, 5, 9, true},
		{"three ways", []int64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 3, 19, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assign, optimal := split(tt.units, tt.k)
			sums := make([]int64, tt.k)
			for u, g := range assign {
				sums[g] += tt.units[u]
			}
			if got := slices.Max(sums); got != tt.largest || optimal != tt.optimal {
				t.Errorf("largest share %d (optimal %v), want %d (%v); sums %v", got, optimal, tt.largest, tt.optimal, sums)
			}
		})
	}
}

// TestSplitBounded: a split the search cannot finish is bounded in time
// and still sound.
func TestSplitBounded(t *testing.T) {
	t.Parallel()
	var units []int64
	for i := range 60 {
		units = append(units, int64(1000+i*37%101))
	}
	start := time.Now()
	assign, _ := split(units, 7)
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("split took %v", d)
	}
	if len(assign) != len(units) {
		t.Fatalf("%d assignments for %d units", len(assign), len(units))
	}
	for _, g := range assign {
		if g < 0 || g >= 7 {
			t.Fatalf("guest %d", g)
		}
	}
}

func TestComputeBillRounding(t *testing.T) {
	t.Parallel()
	o := store.Order{ID: 1, Items: []store.Item{{Line: 1, Name: "A", UnitPriceCents: 333, Quantity: 3}}}
	b := computeBill(o, 3, 7)
	var tips, total int64
	for _, sh := range b.Split {
		tips += sh.TipCents
		total += sh.TotalCents
	}
	if b.TipCents != 70 || tips != b.TipCents || total != b.TotalCents || b.TotalCents != 1069 {
		t.Fatalf("%+v", b)
	}
}
