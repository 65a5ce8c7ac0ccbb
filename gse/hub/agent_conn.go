package hub

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/bkjob/bkjob/gse/wire"
)

// helloTimeout bounds the wait for an agent's hello.
const helloTimeout = 30 * time.Second

// agentConn is one agent connection.
type agentConn struct {
	conn   *wire.Conn
	ctx    context.Context
	hostID int64
}

func (c *agentConn) send(m *wire.Message) error {
	return c.conn.Send(c.ctx, m)
}

// bearer returns the token of an "Authorization: Bearer" header.
func bearer(r *http.Request) string {
	v := r.Header.Get("Authorization")
	if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
		return strings.TrimSpace(v[7:])
	}
	return ""
}

// serveAgent authenticates an agent, registers its host and serves the
// connection until it drops.
func (h *Hub) serveAgent(w http.ResponseWriter, r *http.Request) {
	if !h.started.Load() {
		http.Error(w, ErrNotStarted.Error(), http.StatusServiceUnavailable)
		return
	}
	biz, err := match(h.tokens, bearer(r))
	if err != nil {
		h.log.Warn("agent token refused", "remote", r.RemoteAddr)
		http.Error(w, "agent token refused", http.StatusUnauthorized)
		return
	}
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		h.log.Warn("agent websocket upgrade", "remote", r.RemoteAddr, "err", err)
		return
	}
	conn := wire.NewConn(ws)
	defer conn.CloseNow()
	ctx, cancel := context.WithCancel(h.ctx)
	defer cancel()

	hctx, hcancel := context.WithTimeout(ctx, helloTimeout)
	m, err := conn.Recv(hctx)
	hcancel()
	if err != nil || m.Type != wire.TypeHello || m.Hello == nil || m.Hello.AgentID == "" || net.ParseIP(m.Hello.IP) == nil {
		h.log.Warn("agent sent no valid hello", "remote", r.RemoteAddr, "err", err)
		return
	}
	hello := m.Hello
	rec, err := h.register(ctx, biz, hello)
	if err != nil {
		h.log.Warn("agent registration refused", "remote", r.RemoteAddr, "agent_id", hello.AgentID, "ip", hello.IP, "err", err)
		_ = conn.Close("registration refused")
		return
	}
	c := &agentConn{conn: conn, ctx: ctx, hostID: rec.ID}
	log := h.log.With("host_id", rec.ID, "agent_id", hello.AgentID, "ip", hello.IP)
	// The welcome goes out before the connection is attached, so no task
	// or stop can overtake it.
	welcome := &wire.Welcome{HostID: rec.ID, HeartbeatInterval: h.cfg.HeartbeatInterval, OfflineAfter: h.cfg.offlineAfter()}
	if err := c.send(&wire.Message{Type: wire.TypeWelcome, Welcome: welcome}); err != nil {
		log.Warn("send welcome", "err", err)
		return
	}
	l := h.link(rec.ID)
	old, resend := l.attach(c, rec, hello.Tasks)
	if old != nil {
		_ = old.conn.CloseNow()
	}
	defer h.dropRelays(c)
	defer l.detach(c)
	log.Info("agent connected", "remote", r.RemoteAddr, "version", hello.Version, "tasks_held", len(hello.Tasks))
	for _, m := range resend {
		if err := c.send(m); err != nil {
			log.Warn("resend task", "task", m.TaskID, "err", err)
			return
		}
	}
	err = h.readLoop(ctx, c, l)
	if ctx.Err() == nil {
		log.Info("agent disconnected", "err", err)
	}
}

// register records the agent's host; registrations are serialised so two
// agents racing for one address cannot both win.
func (h *Hub) register(ctx context.Context, biz int64, hello *wire.Hello) (HostRecord, error) {
	h.regMu.Lock()
	defer h.regMu.Unlock()
	reg := Registration{
		AgentID: hello.AgentID, BizID: biz, CloudID: hello.CloudID, IP: hello.IP, IPv6: hello.IPv6,
		Hostname: hello.Hostname, OS: hello.OS, Arch: hello.Arch, Version: hello.Version,
	}
	return h.registry.Register(ctx, reg, func(hostID int64) bool {
		l := h.existingLink(hostID)
		return l != nil && l.currentConn() != nil
	})
}

// readLoop handles an agent's messages; silence longer than the offline
// window drops the connection.
func (h *Hub) readLoop(ctx context.Context, c *agentConn, l *link) error {
	wait := h.cfg.offlineAfter()
	for {
		rctx, cancel := context.WithTimeout(ctx, wait)
		m, err := c.conn.Recv(rctx)
		cancel()
		if err != nil {
			if errors.Is(rctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
				return errors.New("no heartbeat within the offline window")
			}
			return err
		}
		l.touch()
		switch m.Type {
		case wire.TypeHeartbeat:
			if err := c.send(&wire.Message{Type: wire.TypeHeartbeat}); err != nil {
				return err
			}
		case wire.TypeAccepted:
			l.accepted(m.TaskID)
		case wire.TypeOutput, wire.TypeProgress, wire.TypeResult:
			l.fromAgent(c, m)
		case wire.TypeRead:
			h.onRead(c, l, m)
		case wire.TypeReadReply:
			h.onReadReply(c, m)
		default:
			h.log.Warn("ignore unknown agent message", "type", m.Type, "host_id", c.hostID)
		}
	}
}
