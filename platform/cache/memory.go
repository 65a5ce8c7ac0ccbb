package cache

import (
	"container/list"
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// DefaultPurgeEvery is how often Memory drops expired entries nobody read.
const DefaultPurgeEvery = time.Minute

// MemoryOptions configure NewMemory.
type MemoryOptions struct {
	// MaxEntries bounds the cache; the least recently used entry is evicted
	// to make room. Values below 1 mean 1.
	MaxEntries int
	// PurgeEvery is the janitor's period; 0 means DefaultPurgeEvery.
	PurgeEvery time.Duration
}

// Memory is a bounded in-process cache: TTL per entry, least recently used
// eviction beyond MaxEntries. Expired entries are dropped when read and by
// a janitor goroutine that Close stops.
type Memory struct {
	mu      sync.Mutex
	items   map[string]*list.Element
	lru     *list.List // of *memoryEntry, most recently used at the front
	max     int
	stop    chan struct{}
	done    chan struct{}
	closing sync.Once
}

type memoryEntry struct {
	key     string
	value   []byte
	expires time.Time // zero: never
}

var _ Cache = (*Memory)(nil)

// NewMemory starts a Memory cache and its janitor.
func NewMemory(opts MemoryOptions) *Memory {
	if opts.MaxEntries < 1 {
		opts.MaxEntries = 1
	}
	if opts.PurgeEvery <= 0 {
		opts.PurgeEvery = DefaultPurgeEvery
	}
	m := &Memory{
		items: map[string]*list.Element{},
		lru:   list.New(),
		max:   opts.MaxEntries,
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	go m.janitor(opts.PurgeEvery)
	return m
}

// Get implements Cache: a copy of the value, so callers may keep it.
func (m *Memory) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.live(key, time.Now())
	if e == nil {
		return nil, ErrMiss
	}
	return append([]byte{}, e.value...), nil
}

// Set implements Cache; the value is copied.
func (m *Memory) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.put(key, append([]byte{}, value...), expiry(time.Now(), ttl))
	return nil
}

// Delete implements Cache.
func (m *Memory) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.items[key]; ok {
		m.remove(el)
	}
	return nil
}

// Incr implements Cache.
func (m *Memory) Incr(_ context.Context, key string, delta int64, ttl time.Duration) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	n, expires := delta, expiry(now, ttl)
	if e := m.live(key, now); e != nil {
		old, err := strconv.ParseInt(string(e.value), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("incr %s: value is not an integer", key)
		}
		n, expires = old+delta, e.expires
	}
	m.put(key, strconv.AppendInt(nil, n, 10), expires)
	return n, nil
}

// Len is the number of entries held, including expired ones not purged yet.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lru.Len()
}

// Close stops the janitor. The cache itself keeps working.
func (m *Memory) Close() error {
	m.closing.Do(func() { close(m.stop) })
	<-m.done
	return nil
}

// live returns key's entry, marking it recently used, or nil (dropping it)
// when it is absent or expired. m.mu is held.
func (m *Memory) live(key string, now time.Time) *memoryEntry {
	el, ok := m.items[key]
	if !ok {
		return nil
	}
	e := entryOf(el)
	if e.expired(now) {
		m.remove(el)
		return nil
	}
	m.lru.MoveToFront(el)
	return e
}

// put stores an entry and evicts from the back beyond the bound. m.mu is held.
func (m *Memory) put(key string, value []byte, expires time.Time) {
	if el, ok := m.items[key]; ok {
		e := entryOf(el)
		e.value, e.expires = value, expires
		m.lru.MoveToFront(el)
		return
	}
	m.items[key] = m.lru.PushFront(&memoryEntry{key: key, value: value, expires: expires})
	for m.lru.Len() > m.max {
		m.remove(m.lru.Back())
	}
}

// entryOf is the entry an element of m.lru holds.
func entryOf(el *list.Element) *memoryEntry {
	e, _ := el.Value.(*memoryEntry) // m.lru holds nothing else
	return e
}

func (m *Memory) remove(el *list.Element) {
	delete(m.items, entryOf(el).key)
	m.lru.Remove(el)
}

func (m *Memory) janitor(every time.Duration) {
	defer close(m.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case now := <-t.C:
			m.purge(now)
		}
	}
}

func (m *Memory) purge(now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for el := m.lru.Back(); el != nil; {
		prev := el.Prev()
		if entryOf(el).expired(now) {
			m.remove(el)
		}
		el = prev
	}
}

func (e *memoryEntry) expired(now time.Time) bool {
	return !e.expires.IsZero() && !now.Before(e.expires)
}

func expiry(now time.Time, ttl time.Duration) time.Time {
	if ttl <= 0 {
		return time.Time{}
	}
	return now.Add(ttl)
}
