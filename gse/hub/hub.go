package hub

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/wire"
)

// Hub accepts agent connections and drives their hosts.
type Hub struct {
	cfg      Config
	tokens   []token
	registry *Registry
	store    *taskStore
	log      *slog.Logger
	sink     gse.Sink

	rejected  atomic.Uint64
	rejectLog *limitedLog

	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	started atomic.Bool
	// startedAt is when Start ran: agents not heard from since count as
	// seen then (resolve).
	startedAt time.Time
	regMu     sync.Mutex // serialises registrations
	uploads   wire.Limiters
	blobSem   chan struct{}

	mu     sync.Mutex
	closed bool // set by Shutdown: no new goroutines
	links  map[int64]*link

	taskMu    sync.Mutex // leaf lock: never held while taking another
	taskHosts map[string]map[int64]struct{}
	ended     map[int64][]string // delivered tasks by host, to record as ended (under taskMu)

	relayMu sync.Mutex
	relayID uint64
	relays  map[uint64]*relay
	reads   map[*agentConn]int // reads in flight by target connection (under relayMu)
	// maxReads is maxReadsInFlight (a field so tests can lower it).
	maxReads int
	// dispatchGap, when set (tests), runs between a dispatch's record and
	// its sends.
	dispatchGap func()
}

var _ gse.Transport = (*Hub)(nil)

// ErrNotStarted means the hub is used before Start or after Shutdown.
var ErrNotStarted = errors.New("gse hub is not running")

// New builds a hub over db (migrated with schemas 0010_hosts and
// 0085_gse_hub_task); sink receives every host event.
func New(cfg Config, db *gorm.DB, log *slog.Logger, sink gse.Sink) (*Hub, error) {
	if db == nil {
		return nil, errors.New("gse hub: no database")
	}
	if sink == nil {
		return nil, errors.New("gse hub: no sink")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.withDefaults()
	tokens, err := parseTokens(cfg.Tokens)
	if err != nil {
		return nil, fmt.Errorf("gse hub: %w", err)
	}
	return &Hub{
		cfg:       cfg,
		tokens:    tokens,
		registry:  NewRegistry(db),
		store:     &taskStore{db: db},
		log:       log,
		rejectLog: newLimitedLog(log, time.Minute, 20),
		sink:      sink,
		blobSem:   make(chan struct{}, 32),
		links:     map[int64]*link{},
		taskHosts: map[string]map[int64]struct{}{},
		ended:     map[int64][]string{},
		relays:    map[uint64]*relay{},
		reads:     map[*agentConn]int{},
		maxReads:  maxReadsInFlight,
	}, nil
}

// Registry is the hub's host table.
func (h *Hub) Registry() *Registry { return h.registry }

// Start starts the offline monitor; agents are accepted from now on.
func (h *Hub) Start(ctx context.Context) error {
	if h.ctx != nil {
		return errors.New("gse hub: a hub starts once")
	}
	if len(h.tokens) == 0 {
		h.log.Warn("no agent tokens configured: every agent will be refused")
	}
	h.ctx, h.cancel = context.WithCancel(context.WithoutCancel(ctx))
	h.startedAt = time.Now()
	h.started.Store(true)
	h.spawn(h.monitor)
	h.spawn(h.watchRevocations)
	return nil
}

// Shutdown closes every agent connection and waits for the hub's
// goroutines (or ctx). Undelivered events stay with the agents, which
// resend them to the next hub. (Stop is gse.Transport's: it stops a task.)
func (h *Hub) Shutdown(ctx context.Context) error {
	if !h.started.Swap(false) {
		return nil
	}
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	h.cancel()
	done := make(chan struct{})
	go func() {
		h.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("shut down gse hub: %w", ctx.Err())
	}
}

// Handler serves GET /gse/v1/agent (mount it at the server root or under
// "/gse/").
func (h *Hub) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+wire.Path, h.serveAgent)
	return mux
}

// link returns (creating) the state of host id.
func (h *Hub) link(id int64) *link {
	h.mu.Lock()
	defer h.mu.Unlock()
	l := h.links[id]
	if l == nil {
		l = &link{h: h, hostID: id, tasks: map[string]*hostTask{}, wake: make(chan struct{}, 1)}
		h.links[id] = l
		if !h.closed {
			h.wg.Add(1)
			go func() {
				defer h.wg.Done()
				l.run(h.ctx)
			}()
		}
	}
	return l
}

// spawn runs fn in a goroutine Shutdown waits for, unless the hub is
// shutting down.
func (h *Hub) spawn(fn func()) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		fn()
	}()
	return true
}

func (h *Hub) existingLink(id int64) *link {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.links[id]
}

func (h *Hub) allLinks() []*link {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*link, 0, len(h.links))
	for _, l := range h.links {
		out = append(out, l)
	}
	return out
}

// indexTask remembers that task runs on host, for Stop without hosts.
func (h *Hub) indexTask(taskID string, hostID int64) {
	h.taskMu.Lock()
	defer h.taskMu.Unlock()
	m := h.taskHosts[taskID]
	if m == nil {
		m = map[int64]struct{}{}
		h.taskHosts[taskID] = m
	}
	m[hostID] = struct{}{}
}

func (h *Hub) unindexTask(taskID string, hostID int64) {
	h.taskMu.Lock()
	defer h.taskMu.Unlock()
	if m := h.taskHosts[taskID]; m != nil {
		delete(m, hostID)
		if len(m) == 0 {
			delete(h.taskHosts, taskID)
		}
	}
}

func (h *Hub) hostsOf(taskID string) []int64 {
	h.taskMu.Lock()
	defer h.taskMu.Unlock()
	out := make([]int64, 0, len(h.taskHosts[taskID]))
	for id := range h.taskHosts[taskID] {
		out = append(out, id)
	}
	return out
}

// deliver passes events to the sink, retrying with backoff until it takes
// them or the hub stops.
func (h *Hub) deliver(ctx context.Context, events []gse.Event) error {
	wait := 100 * time.Millisecond
	for {
		err := h.sink(ctx, events)
		if err == nil {
			return nil
		}
		h.log.Warn("sink refused events, retrying", "events", len(events), "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(wait*2, 5*time.Second)
	}
}
