package agent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/bkjob/bkjob/gse/wire"
)

// helloTimeout bounds the handshake after the WebSocket is up.
const helloTimeout = 30 * time.Second

// errDisconnected means the session carrying a request ended.
var errDisconnected = errors.New("connection to the server lost")

// session is one connection to the hub.
type session struct {
	a       *agent
	conn    *wire.Conn
	ctx     context.Context
	welcome wire.Welcome
	done    chan struct{}

	mu      sync.Mutex
	pending map[uint64]chan *wire.Message
}

// connect runs one session until it fails or ctx ends.
func (a *agent) connect(ctx context.Context) error {
	header, enrolling := a.creds.header(a.id)
	// The CA file is read for every dial: a rotated server certificate is
	// trusted on the next reconnect, and a file gone bad fails this dial
	// (logged, retried with backoff) instead of the agent.
	client, err := httpClient(a.opts.CAFile, a.opts.ServerName)
	if err != nil {
		return fmt.Errorf("dial %s: tls trust: %w", a.url, err)
	}
	ws, resp, err := websocket.Dial(ctx, a.url, &websocket.DialOptions{HTTPClient: client, HTTPHeader: header})
	client.CloseIdleConnections()
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusUnauthorized {
			what := "agent credential refused (revoked, or unknown to this server)"
			if enrolling {
				what = "agent token refused"
			}
			return fmt.Errorf("dial %s: %s: %w", a.url, what, ErrUnauthorized)
		}
		return fmt.Errorf("dial %s: %w", a.url, err)
	}
	conn := wire.NewConn(ws)
	defer func() { _ = conn.CloseNow() }() // the session closes it first when it ran

	h, err := hello(a.opts, a.id)
	if err != nil {
		return err
	}
	h.Tasks = a.taskIDs()
	if err := conn.Send(ctx, &wire.Message{Type: wire.TypeHello, Hello: h}); err != nil {
		return err
	}
	hctx, cancel := context.WithTimeout(ctx, helloTimeout)
	m, err := conn.Recv(hctx)
	cancel()
	if err != nil {
		return fmt.Errorf("wait for welcome: %w", err)
	}
	if m.Type != wire.TypeWelcome || m.Welcome == nil {
		return fmt.Errorf("wait for welcome: got %s", m.Type)
	}
	if cred := m.Welcome.Credential; cred != "" {
		// Enrolled: keep the credential before telling the hub, which then
		// stops accepting the token for this agent id.
		if err := a.creds.store(cred); err != nil {
			return err
		}
		if err := conn.Send(ctx, &wire.Message{Type: wire.TypeEnrolled}); err != nil {
			return err
		}
		a.log.Info("agent enrolled", "host_id", m.Welcome.HostID)
	}

	sctx, stop := context.WithCancel(ctx)
	defer stop()
	s := &session{a: a, conn: conn, ctx: sctx, welcome: *m.Welcome, done: make(chan struct{}), pending: map[uint64]chan *wire.Message{}}
	a.attach(s)
	defer a.detach(s)
	a.log.Info("agent connected", "host_id", s.welcome.HostID, "ip", h.IP)

	errc := make(chan error, 2)
	// Tasks the read loop accepts run under the agent's context, not this
	// session's: they outlive a reconnect.
	go func() { errc <- s.readLoop() }() //nolint:contextcheck // see above
	go func() { errc <- s.pump() }()
	err = <-errc
	stop()
	_ = conn.CloseNow()
	<-errc //nolint:errcheck // the first error is the cause; the other loop's is the fallout of closing
	return err
}

// attach makes s the current session and marks everything unacknowledged
// for resending.
func (a *agent) attach(s *session) {
	a.resetSent()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.sess = s
	close(a.sessCh)
	a.sessCh = make(chan struct{})
	a.wakeLocked()
}

func (a *agent) detach(s *session) {
	a.mu.Lock()
	if a.sess == s {
		a.sess = nil
		close(a.sessCh)
		a.sessCh = make(chan struct{})
	}
	a.mu.Unlock()
	close(s.done)
}

// currentSession waits for a connected session.
func (a *agent) currentSession(ctx context.Context) (*session, error) {
	for {
		a.mu.Lock()
		s, ch := a.sess, a.sessCh
		a.mu.Unlock()
		if s != nil {
			return s, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-ch:
		}
	}
}

func (s *session) send(m *wire.Message) error {
	return s.conn.Send(s.ctx, m)
}

// readLoop handles the hub's messages. Silence longer than the offline
// window ends the session.
func (s *session) readLoop() error {
	wait := s.welcome.OfflineAfter
	if wait <= 0 {
		wait = time.Minute
	}
	for {
		ctx, cancel := context.WithTimeout(s.ctx, wait)
		m, err := s.conn.Recv(ctx)
		cancel()
		if err != nil {
			return err
		}
		switch m.Type {
		case wire.TypeHeartbeat:
		case wire.TypeRunScript, wire.TypeRunFile:
			s.a.accept(s, m)
		case wire.TypeStop:
			s.a.stopTask(m.TaskID)
		case wire.TypeAck:
			s.a.ack(m.TaskID, m.Ack)
		case wire.TypeRead:
			s.a.serveRead(s, m)
		case wire.TypeReadReply:
			s.deliver(m)
		default:
			s.a.log.Warn("ignore unknown message", "type", m.Type)
		}
	}
}

// pump sends spooled output, progress and results, and heartbeats.
func (s *session) pump() error {
	hb := s.welcome.HeartbeatInterval
	if hb <= 0 {
		hb = 10 * time.Second
	}
	ticker := time.NewTicker(hb)
	defer ticker.Stop()
	buf := make([]byte, chunkSize)
	for {
		chunks, msgs := s.a.pending()
		for _, c := range chunks {
			n, err := c.t.out.ReadAt(buf[:c.n], c.off)
			if err != nil && !(errors.Is(err, io.EOF) && n == c.n) {
				if s.a.isRemoved(c.t) {
					continue
				}
				return fmt.Errorf("read output of task %s: %w", c.t.id, err)
			}
			if err := s.send(&wire.Message{Type: wire.TypeOutput, TaskID: c.t.id, Offset: c.off, Data: buf[:n]}); err != nil {
				return err
			}
		}
		for _, m := range msgs {
			if err := s.send(m); err != nil {
				return err
			}
		}
		select {
		case <-s.ctx.Done():
			return s.ctx.Err()
		case <-s.a.wake:
		case <-ticker.C:
			if err := s.send(&wire.Message{Type: wire.TypeHeartbeat}); err != nil {
				return err
			}
		}
	}
}

func (a *agent) isRemoved(t *task) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return t.removed
}

// request sends a read request and waits for its reply.
func (s *session) request(ctx context.Context, r wire.Read) (*wire.Message, error) {
	r.ID = s.a.nextReq.Add(1)
	ch := make(chan *wire.Message, 1)
	s.mu.Lock()
	s.pending[r.ID] = ch
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.pending, r.ID)
		s.mu.Unlock()
	}()
	if err := s.send(&wire.Message{Type: wire.TypeRead, TaskID: r.TaskID, Read: &r}); err != nil {
		return nil, fmt.Errorf("%w: %w", errDisconnected, err)
	}
	select {
	case m := <-ch:
		return m, nil
	case <-s.done:
		return nil, errDisconnected
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *session) deliver(m *wire.Message) {
	if m.Reply == nil {
		return
	}
	s.mu.Lock()
	ch := s.pending[m.Reply.ID]
	s.mu.Unlock()
	if ch != nil {
		select {
		case ch <- m:
		default:
		}
	}
}
