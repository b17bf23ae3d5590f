package kitchen

// This file holds the bill, the kitchen's CPU-bound operation.
//
// Beyond the sums, the bill splits the order between guests who each pay
// for whole dishes, as evenly as it can: the largest share should be as
// small as possible. That is multiway number partitioning, NP-hard; the
// split is found by a depth-first branch-and-bound search over the dish
// units, largest first, starting from the greedy split (each unit to the
// guest who has paid least so far) as the bound to beat. The search stops
// when it reaches the lower bound — the larger of an even share and the
// dearest dish — or after searchBudget steps, keeping the best split found.
// It is pure computation: hence roux.CPUBound() on the operation.

import (
	"context"
	"net/http"
	"slices"

	"github.com/roux-go/roux"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
	"github.com/roux-go/roux/examples/kitchen/kitchenapi"
)

// vatPercent is the VAT included in the prices.
const vatPercent = 10

// searchBudget bounds the split search: a few tens of milliseconds of CPU.
const searchBudget = 2_000_000

func (s *Service) bill(ctx context.Context, in *kitchenapi.BillInput, c *customerOnly) (*kitchenapi.Bill, error) {
	db, err := s.db()
	if err != nil {
		return nil, err
	}
	o, err := ownOrder(ctx, db, in.ID, c.Customer)
	if err != nil {
		return nil, err
	}
	if o.Status == store.OrderCancelled {
		return nil, roux.Errorf(http.StatusConflict, "order %d is cancelled: there is nothing to pay", o.ID)
	}
	b := computeBill(o, in.Guests, in.TipPercent)
	return &b, nil
}

// computeBill computes the bill of o for guests guests and a tip.
func computeBill(o store.Order, guests, tipPercent int) kitchenapi.Bill {
	b := kitchenapi.Bill{OrderID: o.ID, Currency: "EUR", Lines: []kitchenapi.BillLine{}}
	var units []int64 // price of each dish unit
	var unitLine []int
	for _, it := range o.Items {
		total := it.UnitPriceCents * int64(it.Quantity)
		b.Lines = append(b.Lines, kitchenapi.BillLine{Line: it.Line, Name: it.Name, Quantity: it.Quantity,
			UnitPriceCents: it.UnitPriceCents, TotalCents: total})
		b.SubtotalCents += total
		for range it.Quantity {
			units = append(units, it.UnitPriceCents)
			unitLine = append(unitLine, it.Line)
		}
	}
	b.VATCents = roundDiv(b.SubtotalCents*vatPercent, 100+vatPercent)
	b.TipCents = roundDiv(b.SubtotalCents*int64(tipPercent), 100)
	b.TotalCents = b.SubtotalCents + b.TipCents

	assign, optimal := split(units, guests)
	b.SplitOptimal = optimal
	b.Split = make([]kitchenapi.Share, guests)
	for g := range b.Split {
		b.Split[g] = kitchenapi.Share{Guest: g + 1, Dishes: []int{}, Names: []string{}}
	}
	names := map[int]string{}
	for _, it := range o.Items {
		names[it.Line] = it.Name
	}
	for u, g := range assign {
		sh := &b.Split[g]
		sh.Dishes = append(sh.Dishes, unitLine[u])
		sh.Names = append(sh.Names, names[unitLine[u]])
		sh.DishCents += units[u]
	}
	// The tip in proportion to each share; the cents left by rounding go
	// to the largest shares first, so the parts add up to the tip.
	var given int64
	for g := range b.Split {
		if b.SubtotalCents > 0 {
			b.Split[g].TipCents = b.TipCents * b.Split[g].DishCents / b.SubtotalCents
		}
		given += b.Split[g].TipCents
	}
	order := make([]int, guests)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, c int) int { return int(b.Split[c].DishCents - b.Split[a].DishCents) })
	for i := 0; given < b.TipCents; i = (i + 1) % guests {
		b.Split[order[i]].TipCents++
		given++
	}
	for g := range b.Split {
		sh := &b.Split[g]
		slices.Sort(sh.Dishes)
		sh.TotalCents = sh.DishCents + sh.TipCents
	}
	return b
}

// roundDiv is a/b rounded half up, for non-negative a and positive b.
func roundDiv(a, b int64) int64 { return (2*a + b) / (2 * b) }

// split assigns each unit to one of k guests so that the largest sum is as
// small as the search finds; optimal says whether it proved that.
func split(units []int64, k int) (assign []int, optimal bool) {
	assign, optimal, _ = searchSplit(units, k, searchBudget)
	return assign, optimal
}

// searchSplit is split with a budget of search steps; it also returns the
// steps it took, which never exceed budget+1.
func searchSplit(units []int64, k, budget int) (assign []int, optimal bool, steps int) {
	n := len(units)
	assign = make([]int, n)
	if n == 0 || k == 1 {
		return assign, true, 0
	}
	// Search the units largest first; idx maps back.
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return int(units[b] - units[a]) })
	var total int64
	for _, u := range units {
		total += u
	}
	lower := max((total+int64(k)-1)/int64(k), units[idx[0]])

	// Greedy: each unit to the guest with the least so far.
	sums := make([]int64, k)
	best := make([]int, n)
	for _, i := range idx {
		g := slices.Index(sums, slices.Min(sums))
		best[i] = g
		sums[g] += units[i]
	}
	bestMax := slices.Max(sums)
	if bestMax == lower {
		return best, true, 0
	}

	clear(sums)
	cur := make([]int, n)
	exhausted := true
	var dfs func(pos int, curMax int64) bool // true: stop
	dfs = func(pos int, curMax int64) bool {
		if steps++; steps > budget {
			exhausted = false
			return true
		}
		if pos == n {
			if curMax < bestMax {
				bestMax = curMax
				copy(best, cur)
				return bestMax == lower
			}
			return false
		}
		i := idx[pos]
		for g := range k {
			// Guests with equal sums are interchangeable: try one of them.
			if slices.Contains(sums[:g], sums[g]) {
				continue
			}
			if sums[g]+units[i] >= bestMax {
				continue
			}
			sums[g] += units[i]
			cur[i] = g
			stop := dfs(pos+1, max(curMax, sums[g]))
			sums[g] -= units[i]
			if stop {
				return true
			}
		}
		return false
	}
	dfs(0, 0)
	return best, exhausted || bestMax == lower, steps
}
