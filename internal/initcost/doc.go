// Package initcost holds the test that keeps roux cheap to import: the
// packages a service or a client links (roux, client, middleware, sse,
// ws, rouxtest, docs and what they import of roux) together allocate at
// most [Budget] bytes while the program initializes, as GODEBUG=inittrace=1
// reports it. Work a program may not need (hashing the docs page's
// assets, compressing them) belongs in a sync.OnceValue, done on first
// use.
package initcost

// Budget is the most roux's packages may allocate at init, in bytes.
const Budget = 64 << 10
