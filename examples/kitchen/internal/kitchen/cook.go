package kitchen

// This file holds the kitchen: the workers that cook orders.
//
// Cooking outlives the request that placed the order, so it does not run
// as a request's background task: it belongs to the service, under a
// context that lives from start to shutdown. Each order is cooked by one
// goroutine that starts a station goroutine per line; every station waits
// on a timer (the simulated I/O of a real kitchen) and records its
// progress in the store, where the order's event log is.
//
// Which instance cooks an order is recorded in the store as a lease that
// the instance renews every third of Config.Lease. Orders whose lease has
// expired — their instance was killed, or shut down and handed them back
// — are claimed by whichever instance looks first (every instance looks
// at start and then every third of a lease). A claimed order is resumed:
// lines already done stay done, lines that were cooking start again. So
// an order left cooking by a crash is finished by the next instance that
// runs, within about one lease of the crash.
//
// Every change is a conditional write (this line from cooking to done,
// only while the order is cooking), so a cancellation from any instance
// wins over a station finishing, and two instances that both believe
// they hold an order cannot take it backwards.

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
)

type kitchen struct {
	s *Service

	mu     sync.Mutex
	ctx    context.Context // cancelled by stop
	cancel context.CancelFunc
	active map[int64]context.CancelFunc // orders cooking here
	wg     sync.WaitGroup
}

func newKitchen(s *Service) *kitchen { return &kitchen{s: s} }

// start starts the loop that claims abandoned orders and renews leases.
func (k *kitchen) start() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.ctx, k.cancel = context.WithCancel(context.Background())
	k.active = map[int64]context.CancelFunc{}
	k.wg.Go(k.loop)
}

// stop stops cooking, waits for the cooks, and hands their orders back
// so that another instance (or the next start) can claim them at once.
func (k *kitchen) stop(ctx context.Context) {
	k.mu.Lock()
	if k.cancel == nil {
		k.mu.Unlock()
		return
	}
	k.cancel()
	k.mu.Unlock()
	done := make(chan struct{})
	go func() { k.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		k.s.log.Warn("kitchen: cooks did not stop in time")
	}
	k.mu.Lock()
	ids := k.claimedLocked()
	k.active = map[int64]context.CancelFunc{}
	k.mu.Unlock()
	db, err := k.s.db()
	if err == nil && len(ids) > 0 {
		if err := db.ReleaseLeases(context.WithoutCancel(ctx), k.s.cfg.Instance, ids); err != nil {
			k.s.log.Error("kitchen: handing orders back", "error", err)
		}
	}
}

func (k *kitchen) claimedLocked() []int64 {
	ids := make([]int64, 0, len(k.active))
	for id := range k.active {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// loop claims orders whose lease expired and renews the leases of the
// orders cooking here, every third of a lease.
func (k *kitchen) loop() {
	every := k.s.cfg.Lease / 3
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		k.claim()
		select {
		case <-k.ctx.Done():
			return
		case <-t.C:
		}
		k.renew()
	}
}

func (k *kitchen) claim() {
	db, err := k.s.db()
	if err != nil {
		return
	}
	now := time.Now()
	orders, err := db.ClaimOrders(k.ctx, k.s.cfg.Instance, now, now.Add(k.s.cfg.Lease), 50)
	if err != nil {
		if k.ctx.Err() == nil {
			k.s.log.Error("kitchen: claiming orders", "error", err)
		}
		return
	}
	for _, o := range orders {
		k.s.log.Info("kitchen: resuming an order", "order", o.ID, "status", o.Status)
		k.cook(o)
	}
}

func (k *kitchen) renew() {
	db, err := k.s.db()
	if err != nil {
		return
	}
	k.mu.Lock()
	ids := k.claimedLocked()
	k.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	lost, err := db.RenewLeases(k.ctx, k.s.cfg.Instance, ids, time.Now().Add(k.s.cfg.Lease))
	if err != nil {
		if k.ctx.Err() == nil {
			k.s.log.Error("kitchen: renewing leases", "error", err)
		}
		return
	}
	for _, id := range lost {
		k.s.log.Warn("kitchen: another instance took an order over", "order", id)
		k.stopCooking(id)
	}
}

// cook starts cooking o, which this instance has claimed.
func (k *kitchen) cook(o store.Order) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.ctx == nil || k.ctx.Err() != nil {
		return // stopping: the lease expires and someone else cooks it
	}
	if _, dup := k.active[o.ID]; dup {
		return
	}
	ctx, cancel := context.WithCancel(k.ctx)
	k.active[o.ID] = cancel
	k.wg.Go(func() {
		defer func() {
			k.mu.Lock()
			if k.ctx.Err() == nil { // on stop, the leases are handed back first
				delete(k.active, o.ID)
			}
			k.mu.Unlock()
			cancel()
		}()
		k.cookOrder(ctx, o)
	})
}

// stopCooking stops the local cooks of an order, if any.
func (k *kitchen) stopCooking(id int64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if cancel, ok := k.active[id]; ok {
		cancel()
	}
}

// cookOrder cooks every unfinished line of o at once, then marks it
// ready. It returns early when ctx ends or the order is cancelled.
func (k *kitchen) cookOrder(ctx context.Context, o store.Order) {
	db, err := k.s.db()
	if err != nil {
		return
	}
	log := k.s.log.With("order", o.ID)
	if o.Status == store.OrderReceived {
		if _, err := db.SetOrderStatus(ctx, o.ID, []string{store.OrderReceived}, store.OrderCooking); err != nil {
			k.fail(ctx, log, "starting", err)
			return
		}
		k.s.hub.notify(o.ID)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// A cancellation made through another instance reaches this one
	// through the store.
	go k.watch(ctx, cancel, db, o.ID)

	var wg sync.WaitGroup
	for _, it := range o.Items {
		if it.Status == store.ItemDone || it.Status == store.ItemCancelled {
			continue
		}
		wg.Go(func() { k.station(ctx, log, db, o.ID, it) })
	}
	wg.Wait()
	if ctx.Err() != nil {
		return
	}
	// Ready only if every line is done: a line whose station failed
	// leaves the order to be resumed after the lease.
	cur, err := db.Order(ctx, o.ID)
	if err != nil {
		k.fail(ctx, log, "checking", err)
		return
	}
	for _, it := range cur.Items {
		if it.Status != store.ItemDone {
			return
		}
	}
	if ok, err := db.SetOrderStatus(ctx, o.ID, []string{store.OrderCooking}, store.OrderReady); err != nil {
		k.fail(ctx, log, "finishing", err)
	} else if ok {
		k.s.hub.notify(o.ID)
		log.Info("kitchen: order ready")
	}
}

// station cooks one line: queued (or cooking, when resumed) to cooking,
// a wait of its preparation time, then done.
func (k *kitchen) station(ctx context.Context, log interface {
	Error(string, ...any)
}, db store.Store, id int64, it store.Item) {
	if it.Status == store.ItemQueued {
		ok, err := db.SetItemStatus(ctx, id, it.Line, []string{store.ItemQueued}, store.ItemCooking)
		if err != nil || !ok {
			return
		}
		k.s.hub.notify(id)
	}
	t := time.NewTimer(time.Duration(it.PrepSeconds) * k.s.cfg.CookUnit)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return
	case <-t.C:
	}
	if ok, err := db.SetItemStatus(ctx, id, it.Line, []string{store.ItemCooking}, store.ItemDone); err != nil {
		if ctx.Err() == nil {
			log.Error("kitchen: finishing a line", "line", it.Line, "error", err)
		}
	} else if ok {
		k.s.hub.notify(id)
	}
}

// watch cancels the cooking of an order when the store says it is no
// longer cooking (cancelled, possibly through another instance).
func (k *kitchen) watch(ctx context.Context, cancel context.CancelFunc, db store.Store, id int64) {
	t := time.NewTicker(k.s.cfg.Poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		o, err := db.Order(ctx, id)
		if err == nil && o.Status != store.OrderCooking {
			cancel()
			return
		}
	}
}

func (k *kitchen) fail(ctx context.Context, log interface{ Error(string, ...any) }, what string, err error) {
	if ctx.Err() == nil {
		log.Error("kitchen: "+what+" an order", "error", err)
	}
}

// hub wakes the event streams of this instance when it writes an event,
// so that they need not wait for their next poll.
type hub struct {
	mu      sync.Mutex
	waiting map[int64]chan struct{}
}

func newHub() *hub { return &hub{waiting: map[int64]chan struct{}{}} }

// wait returns a channel closed at the next notify of order id.
func (h *hub) wait(id int64) <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	ch, ok := h.waiting[id]
	if !ok {
		ch = make(chan struct{})
		h.waiting[id] = ch
	}
	return ch
}

// notify wakes the streams of order id.
func (h *hub) notify(id int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if ch, ok := h.waiting[id]; ok {
		close(ch)
		delete(h.waiting, id)
	}
}
