package sqlstore

// This file holds the announcements of new events: which orders have new
// events, for the event streams of every process sharing the database.
//
// Once a transaction that appended events has committed, the process
// that wrote them tells its own subscribers directly, and the other
// processes with a notification naming the orders (the dialect's
// Notify): on PostgreSQL that is NOTIFY, which every process's listening
// connection receives in a millisecond or two, and which a process skips
// when it comes back to it. SQLite has one process, and the direct path
// alone.
//
// The notification is sent after the commit, in a transaction of its
// own, rather than in the transaction of the events: PostgreSQL makes
// every transaction that notifies take one lock, held until its commit
// is on disk, so notifying transactions commit one at a time, a disk
// flush each, where others share flushes — measured, that bound the
// kitchen's cook steps, which all notify, to about a third of what it
// does without. Announcements that come while one is being sent go
// together in the next, so there is one notifying transaction at a time
// in a process however many writes it commits.
//
// A write returns once its events are announced. So an event whose
// announcement was lost with its process belongs to a write that never
// returned: a cook step whose job River runs again, and a cook job that
// runs again announces its order first (cook).
//
// A notification only says "look": the events themselves are read from
// the table, after the last one a stream has sent. So a lost
// notification delays a stream but never loses an event, and a
// listener that lost its connection tells every subscriber to look
// (orderID 0) once it is back.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
	"time"
)

// events are the subscribers of a store, its listener, and its
// announcements to the other processes.
type events struct {
	self   string // this store's name in payloads
	listen func(ctx context.Context, fn func(payload string))
	notify func(ctx context.Context, payloads []string) error // nil with one process

	amu        sync.Mutex
	announcing bool         // a goroutine is sending announcements
	pending    []int64      // orders to announce next
	waiting    []chan error // the announcements waiting for the next notification

	mu     sync.Mutex
	subs   map[int]func(orderID int64)
	next   int
	cancel context.CancelFunc // of the listener, once started
	done   chan struct{}
}

func (e *events) init(listen func(ctx context.Context, fn func(payload string)), notify func(ctx context.Context, payloads []string) error) {
	b := make([]byte, 8)
	rand.Read(b)
	e.self, e.listen, e.notify, e.subs = hex.EncodeToString(b), listen, notify, map[int]func(int64){}
}

// maxPayload is the longest notification payload: PostgreSQL takes up to
// 8000 bytes.
const maxPayload = 7900

// payloads are the notifications of the orders ids: "self id,id...",
// as many as it takes.
func (e *events) payloads(ids []int64) []string {
	var out []string
	var b strings.Builder
	for _, id := range ids {
		n := strconv.FormatInt(id, 10)
		if b.Len() > 0 && b.Len()+1+len(n) > maxPayload {
			out = append(out, b.String())
			b.Reset()
		}
		if b.Len() == 0 {
			b.WriteString(e.self)
			b.WriteByte(' ')
		} else {
			b.WriteByte(',')
		}
		b.WriteString(n)
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}

// announce tells the other processes that orders ids have new events and
// returns once it is done (or ctx is): ids that come while an
// announcement is being sent go in the next, together.
func (e *events) announce(ctx context.Context, ids []int64) error {
	if len(ids) == 0 || e.notify == nil {
		return nil
	}
	done := make(chan error, 1)
	e.amu.Lock()
	e.pending = append(e.pending, ids...)
	e.waiting = append(e.waiting, done)
	if !e.announcing {
		e.announcing = true
		go e.sendAnnouncements()
	}
	e.amu.Unlock()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// announceTimeout bounds the sending of one notification.
const announceTimeout = 10 * time.Second

// sendAnnouncements sends what is pending, one notification after the
// other, until nothing is.
func (e *events) sendAnnouncements() {
	for {
		e.amu.Lock()
		ids, waiting := e.pending, e.waiting
		e.pending, e.waiting = nil, nil
		if len(waiting) == 0 {
			e.announcing = false
			e.amu.Unlock()
			return
		}
		e.amu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), announceTimeout)
		err := e.notify(ctx, e.payloads(ids))
		cancel()
		for _, w := range waiting {
			w <- err
		}
	}
}

// receive handles a notification: another process's names orders with
// new events; "" means some may have been missed.
func (e *events) receive(payload string) {
	if payload == "" {
		e.publish([]int64{0})
		return
	}
	from, list, _ := strings.Cut(payload, " ")
	if from == e.self {
		return // published at the commit already
	}
	var ids []int64
	for f := range strings.SplitSeq(list, ",") {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	e.publish(ids)
}

// publish calls every subscriber with each of ids.
func (e *events) publish(ids []int64) {
	if len(ids) == 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, fn := range e.subs {
		for _, id := range ids {
			fn(id)
		}
	}
}

// Subscribe calls fn with the id of every order that has new events,
// written by this process or, on PostgreSQL, any other sharing the
// database — and with 0 when some may have been missed, meaning that
// every order may have. fn must not block. It returns the function that
// ends the subscription.
func (s *DB[TTx]) Subscribe(fn func(orderID int64)) (unsubscribe func()) {
	e := &s.events
	e.mu.Lock()
	defer e.mu.Unlock()
	n := e.next
	e.next++
	e.subs[n] = fn
	if e.cancel == nil {
		ctx, cancel := context.WithCancel(context.Background())
		e.cancel, e.done = cancel, make(chan struct{})
		go func() {
			defer close(e.done)
			e.listen(ctx, e.receive)
		}()
	}
	return func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		delete(e.subs, n)
	}
}

// close stops the listener and waits for it.
func (e *events) close() {
	e.mu.Lock()
	cancel, done := e.cancel, e.done
	e.cancel = nil
	e.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}
