package roux

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// MemoryIdempotencyStore is an [IdempotencyStore] in process memory, for
// a service that runs as one instance (several instances need a shared
// store, such as package idemsql's). It holds at most a fixed number of
// entries: when full, a new claim first drops lapsed entries, then the
// oldest one, whose key a retry then runs afresh. Memory use is about
// that number times the size of a stored answer. It is safe for
// concurrent use.
type MemoryIdempotencyStore struct {
	mu      sync.Mutex
	max     int
	entries map[string]*list.Element // of *memEntry
	order   list.List                // oldest claim first
}

type memEntry struct {
	key string
	e   *IdempotencyEntry
}

// NewMemoryIdempotencyStore returns an empty store that holds at most
// maxEntries entries (10000 when maxEntries is 0 or less).
func NewMemoryIdempotencyStore(maxEntries int) *MemoryIdempotencyStore {
	if maxEntries <= 0 {
		maxEntries = 10000
	}
	return &MemoryIdempotencyStore{max: maxEntries, entries: map[string]*list.Element{}}
}

// Claim implements [IdempotencyStore].
func (m *MemoryIdempotencyStore) Claim(_ context.Context, key string, e *IdempotencyEntry) (*IdempotencyEntry, error) {
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.entries[key]; ok {
		cur := el.Value.(*memEntry)
		if cur.e.Expires.After(now) {
			return cur.e, nil
		}
		m.remove(el)
	}
	// Lapsed entries at the front go first; if none has, the oldest.
	for front := m.order.Front(); front != nil && !front.Value.(*memEntry).e.Expires.After(now); front = m.order.Front() {
		m.remove(front)
	}
	if len(m.entries) >= m.max {
		m.remove(m.order.Front())
	}
	m.entries[key] = m.order.PushBack(&memEntry{key, e})
	return nil, nil
}

// Update implements [IdempotencyStore].
func (m *MemoryIdempotencyStore) Update(_ context.Context, key string, e *IdempotencyEntry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.entries[key]; ok {
		if cur := el.Value.(*memEntry); cur.e.Token == e.Token {
			cur.e = e
		}
	}
	return nil
}

// Release implements [IdempotencyStore].
func (m *MemoryIdempotencyStore) Release(_ context.Context, key, token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.entries[key]; ok && el.Value.(*memEntry).e.Token == token {
		m.remove(el)
	}
	return nil
}

// Len returns the number of entries held, lapsed ones included.
func (m *MemoryIdempotencyStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

func (m *MemoryIdempotencyStore) remove(el *list.Element) {
	delete(m.entries, el.Value.(*memEntry).key)
	m.order.Remove(el)
}
