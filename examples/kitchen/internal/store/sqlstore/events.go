package sqlstore

// This file holds the announcements of new events: which orders have new
// events, for the event streams of every process sharing the database.
//
// A transaction that appends events names their orders in one
// notification (the dialect's Notify, in the transaction, so that it is
// sent if and when the transaction commits): on PostgreSQL that is
// NOTIFY, which every process's listening connection receives in a
// millisecond or two. The process that wrote the events also tells its
// own subscribers directly after the commit and skips its own
// notifications when they come back. SQLite has one process, and the
// direct path alone.
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
)

// events are the subscribers of a store and its listener.
type events struct {
	self   string // this store's name in payloads
	listen func(ctx context.Context, fn func(payload string))

	mu     sync.Mutex
	subs   map[int]func(orderID int64)
	next   int
	cancel context.CancelFunc // of the listener, once started
	done   chan struct{}
}

func (e *events) init(listen func(ctx context.Context, fn func(payload string))) {
	b := make([]byte, 8)
	rand.Read(b)
	e.self, e.listen, e.subs = hex.EncodeToString(b), listen, map[int]func(int64){}
}

// payload is the notification of the orders ids: "self id,id...".
func (e *events) payload(ids []int64) string {
	var b strings.Builder
	b.WriteString(e.self)
	for i, id := range ids {
		b.WriteByte(" ,"[min(i, 1)])
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
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
