package rouxotel

import (
	"context"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// The requests in flight (http.server.active_requests) are counted here
// rather than recorded: an Int64UpDownCounter of the SDK costs two
// recordings a request, each of which resolves the attribute set again
// (the SDK 1.47 reads every attribute of the set to de-duplicate map
// values), while a count is one atomic add at the start and one at the
// end. The SDK reads the counts through an observable up-down counter of
// the same name, unit and description when the metrics are collected;
// exporters see the same data (a non-monotonic sum per attribute set,
// reported from the first request of the set on).

// inflight holds the counts of requests in flight of an API's
// operations, one per attribute set.
type inflight struct {
	mu     sync.Mutex
	counts map[attribute.Distinct]*activeCount
	list   []*activeCount // in the order of creation, for the callback
}

// activeCount is the number of requests in flight with one attribute set.
type activeCount struct {
	n    atomic.Int64
	used atomic.Bool // a request has been counted: the set is reported
	opt  metric.ObserveOption
}

// add adds d to the count.
func (c *activeCount) add(d int64) {
	if !c.used.Load() {
		c.used.Store(true)
	}
	c.n.Add(d)
}

// count returns the count of set, made on first use. Operations wrapped
// again share their counts, as they share their attribute sets.
func (f *inflight) count(set attribute.Set) *activeCount {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.counts[set.Equivalent()]; ok {
		return c
	}
	if f.counts == nil {
		f.counts = make(map[attribute.Distinct]*activeCount)
	}
	c := &activeCount{opt: metric.WithAttributeSet(set)}
	f.counts[set.Equivalent()] = c
	f.list = append(f.list, c)
	return c
}

// observe reports the counts as inst when the metrics are collected.
func (f *inflight) observe(meter metric.Meter, inst metric.Int64ObservableUpDownCounter) error {
	_, err := meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		f.mu.Lock()
		list := f.list
		f.mu.Unlock()
		for _, c := range list {
			if c.used.Load() {
				o.ObserveInt64(inst, c.n.Load(), c.opt)
			}
		}
		return nil
	}, inst)
	return err
}
