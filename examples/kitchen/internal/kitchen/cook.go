package kitchen

// This file holds the kitchen: the cooks, which are the store's job
// queue (River, in the store's database; see store.WorkConfig), started
// and stopped with the service.
//
// Cooking outlives the request that placed the order, so it does not run
// as a request's background task: CreateOrder queues the order's job in
// the transaction that stores the order, and the queue runs it in
// whichever instance sharing the database fetches it first. An instance
// that stops (SIGTERM) lets the steps it runs finish and leaves the rest
// queued; one that is killed leaves its running step to be rescued by
// another, or by itself after a restart, after Config.Lease. Every step
// is a conditional write in one transaction, so a cancellation from any
// instance wins over a line finishing.

import (
	"context"
	"sync"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
)

type kitchen struct {
	s     *Service
	unsub func() // the hub's subscription to the store's events
}

func newKitchen(s *Service) *kitchen { return &kitchen{s: s} }

// start subscribes the hub to the store's events and starts the
// store's work.
func (k *kitchen) start(ctx context.Context, db store.Store) error {
	k.unsub = db.Subscribe(k.s.hub.notify)
	return db.StartWork(ctx, store.WorkConfig{CookUnit: k.s.cfg.CookUnit, RescueAfter: k.s.cfg.Lease, Logger: k.s.log,
		Deliver: k.s.deliver, DeliveryAttempts: k.s.cfg.WebhookAttempts})
}

// stop stops the store's work, letting the running steps finish until
// ctx ends.
func (k *kitchen) stop(ctx context.Context, db store.Store) {
	if err := db.StopWork(ctx); err != nil {
		k.s.log.Error("kitchen: stopping the cooks", "error", err)
	}
	if k.unsub != nil {
		k.unsub()
	}
}

// hub wakes the event streams of this instance when the store announces
// new events of their order, from this instance or another (see
// store.Store.Subscribe).
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

// notify wakes the streams of order id, or of every order when id is 0.
func (h *hub) notify(id int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if id != 0 {
		if ch, ok := h.waiting[id]; ok {
			close(ch)
			delete(h.waiting, id)
		}
		return
	}
	for _, ch := range h.waiting {
		close(ch)
	}
	clear(h.waiting)
}
