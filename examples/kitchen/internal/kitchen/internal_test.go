package kitchen

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"github.com/roux-go/roux"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
)

func TestVersions(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in       string
		versions []int64
	}{
		{`*`, nil},
		{`"1"`, []int64{1}},
		{`W/"1"`, nil},
		{`"1", W/"2" ,"3"`, []int64{1, 3}},
		{`,"4",,`, []int64{4}},
		{`"x"`, nil},
		{`""`, nil},
		{`"-1"`, nil},
		{`"01", "+2"`, nil},
		{`1`, nil},
	} {
		if got := versions(roux.ParseETags(tt.in)); !slices.Equal(got, tt.versions) {
			t.Errorf("%q: got %v, want %v", tt.in, got, tt.versions)
		}
	}
}

// FuzzVersions: every version found is one whose tag the header names.
func FuzzVersions(f *testing.F) {
	for _, s := range []string{`*`, `"1"`, `W/"1", "2"`, `,,"a",`, `"`, `W/`, "\"\x00\"", `"1" x`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l := roux.ParseETags(s)
		for _, v := range versions(l) {
			if v <= 0 || !l.Match(etag(v)) {
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
	// The search stops at its step budget (the bound is on work, not on
	// time, which a shared machine cannot promise).
	// This input is hard enough to reach the budget.
	assign, optimal, steps := searchSplit(units, 7, 50_000)
	if steps != 50_001 || optimal {
		t.Fatalf("the search took %d steps (optimal=%v) on a budget of 50,000; want it stopped at the budget", steps, optimal)
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

// hashToken hashes tokens of every length alike: those it copies to the
// stack (up to 64 bytes) and longer ones.
func TestHashToken(t *testing.T) {
	for _, n := range []int{0, 1, 48, 63, 64, 65, 300} {
		token := strings.Repeat("k", n)
		sum := sha256.Sum256([]byte(token))
		if got, want := hashToken(token), hex.EncodeToString(sum[:]); got != want {
			t.Errorf("hashToken of %d bytes: got %s, want %s", n, got, want)
		}
	}
	if got := testing.AllocsPerRun(100, func() { _ = hashToken(DemoCustomerToken + DemoCustomerToken) }); got > 1 {
		t.Errorf("hashToken of a 38-byte token: %v allocations, want 1", got)
	}
}
