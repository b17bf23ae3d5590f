package route

// nParamsInline is the number of wildcard values a [Params] holds without
// allocating. Eight covers every route of the GitHub API set (the most is 4).
const nParamsInline = 8

// Params holds the wildcard values of a match, positionally: Value(i) belongs
// to the i-th name of [Pattern.Params]. Values are substrings of the path
// passed to [Router.Lookup] and are not unescaped.
//
// The zero value is empty and ready to use. A Params is meant to be reused
// (for example from a sync.Pool) with [Params.Reset]; it is not safe for
// concurrent use.
type Params struct {
	n      int
	inline [nParamsInline]string
	more   []string // values beyond the inline ones; len(more) == max(0, n-nParamsInline)
}

// Len returns the number of values.
func (p *Params) Len() int { return p.n }

// Value returns the i-th value. It panics if i is out of range, like a slice.
func (p *Params) Value(i int) string {
	if i < 0 || i >= p.n {
		panic("route: Params.Value index out of range")
	}
	if i < nParamsInline {
		return p.inline[i]
	}
	return p.more[i-nParamsInline]
}

// Reset empties p and drops its references to the matched path, keeping any
// spill capacity for reuse.
func (p *Params) Reset() {
	clear(p.inline[:min(p.n, nParamsInline)])
	clear(p.more)
	p.more = p.more[:0]
	p.n = 0
}

// push appends a value. It allocates only past nParamsInline values.
func (p *Params) push(s string) {
	if p.n < nParamsInline {
		p.inline[p.n] = s
	} else {
		p.more = append(p.more, s)
	}
	p.n++
}

// truncate drops values back to the first n, undoing pushes when the tree
// search backtracks.
func (p *Params) truncate(n int) {
	p.n = n
	if len(p.more) > 0 {
		p.more = p.more[:max(0, n-nParamsInline)]
	}
}
