package hub

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
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
	conn    *wire.Conn
	ctx     context.Context
	hostID  int64
	agentID string
}

func (c *agentConn) send(m *wire.Message) error {
	return c.conn.Send(c.ctx, m)
}

// bearer returns the secret of an "Authorization: Bearer" header.
func bearer(r *http.Request) string {
	v := r.Header.Get("Authorization")
	if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
		return strings.TrimSpace(v[7:])
	}
	return ""
}

// admission is how a connection got in: the agent's own credential, or a
// business token (enrolment).
type admission struct {
	cred  *CredentialRecord
	biz   int64
	local bool // the built-in agent's token (Config.Local)
	// storedToken is the id of the database enrolment token that admitted
	// the connection (0: a configured token, or a credential).
	storedToken int64
}

// admit checks the connection's secret before the WebSocket is accepted:
// with HeaderAgentID it is that agent's credential, otherwise a token.
func (h *Hub) admit(r *http.Request) (admission, error) {
	secret := bearer(r)
	if id := r.Header.Get(wire.HeaderAgentID); id != "" {
		cred, err := h.registry.Verify(r.Context(), id, secret)
		if err != nil {
			return admission{}, fmt.Errorf("agent credential refused: %w", err)
		}
		return admission{cred: &cred}, nil
	}
	if h.isLocalToken(r, secret) {
		return admission{biz: DefaultBiz, local: true}, nil
	}
	biz, err := match(h.tokens, secret)
	if err == nil {
		return admission{biz: biz}, nil
	}
	// Not a configured token: an enrolment token an operator created in
	// the product (agent_token), admitting to its own business.
	tok, terr := h.registry.MatchEnrolToken(r.Context(), secret, time.Now())
	if terr != nil {
		return admission{}, fmt.Errorf("agent token refused: %w", errors.Join(err, terr))
	}
	return admission{biz: tok.BizID, storedToken: tok.ID}, nil
}

// isLocalToken reports whether secret is the built-in agent's token,
// presented from this host: a loopback peer, or a peer whose address is the
// one this connection was accepted on (the built-in agent dials the
// server's own listen address, which is not loopback when http.addr names
// a specific interface).
func (h *Hub) isLocalToken(r *http.Request, secret string) bool {
	local := h.cfg.Local
	if local.Token == "" || local.AgentID == "" || secret == "" ||
		subtle.ConstantTimeCompare([]byte(local.Token), []byte(secret)) != 1 {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	ip := net.ParseIP(host)
	if err != nil || ip == nil {
		return false
	}
	if ip.IsLoopback() {
		return true
	}
	la, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return false
	}
	lhost, _, err := net.SplitHostPort(la.String())
	return err == nil && net.ParseIP(lhost).Equal(ip)
}

// validHello reports whether m is a hello this connection may send: a
// credential speaks for its own agent id, the built-in agent's token for
// the built-in agent's identity only.
func validHello(m *wire.Message, adm admission, local LocalEnrolment) bool {
	if m.Type != wire.TypeHello || m.Hello == nil || net.ParseIP(m.Hello.IP) == nil {
		return false
	}
	id := m.Hello.AgentID
	if id == "" || len(id) > maxAgentIDLen {
		return false
	}
	if adm.local && (id != local.AgentID || m.Hello.CloudID != 0 || (local.IP != "" && m.Hello.IP != local.IP)) {
		return false
	}
	return adm.cred == nil || adm.cred.AgentID == id
}

// serveAgent authenticates an agent, registers its host and serves the
// connection until it drops. The connection lives under the hub's context,
// not the request's: the hub, not the HTTP server's drain, decides when
// agents go (Shutdown closes them; undelivered events stay with the agents).
//
//nolint:contextcheck // see above
func (h *Hub) serveAgent(w http.ResponseWriter, r *http.Request) {
	// A hijacked connection is not waited for by the HTTP server: the hub
	// counts it, so Shutdown returns only after its last write (a host
	// marked offline) and the database can be closed behind it.
	if !h.started.Load() || !h.track() {
		http.Error(w, ErrNotStarted.Error(), http.StatusServiceUnavailable)
		return
	}
	defer h.wg.Done()
	adm, err := h.admit(r)
	if err != nil {
		msg, _, _ := strings.Cut(err.Error(), ":")
		h.log.Warn(msg, "remote", r.RemoteAddr, "agent_id", r.Header.Get(wire.HeaderAgentID), "err", err)
		http.Error(w, msg, http.StatusUnauthorized)
		return
	}
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		h.log.Warn("agent websocket upgrade", "remote", r.RemoteAddr, "err", err)
		return
	}
	conn := wire.NewConn(ws)
	defer func() { _ = conn.CloseNow() }() // a no-op when it closed in order
	ctx, cancel := context.WithCancel(h.ctx)
	defer cancel()

	hctx, hcancel := context.WithTimeout(ctx, helloTimeout)
	m, err := conn.Recv(hctx)
	hcancel()
	if err != nil || !validHello(m, adm, h.cfg.Local) {
		h.log.Warn("agent sent no valid hello", "remote", r.RemoteAddr, "err", err)
		return
	}
	hello := m.Hello
	rec, secret, err := h.register(ctx, adm, hello)
	if err != nil {
		h.log.Warn("agent registration refused", "remote", r.RemoteAddr, "agent_id", hello.AgentID, "ip", hello.IP, "err", err)
		_ = conn.Close("registration refused")
		return
	}
	c := &agentConn{conn: conn, ctx: ctx, hostID: rec.ID, agentID: hello.AgentID}
	log := h.log.With("host_id", rec.ID, "agent_id", hello.AgentID, "ip", hello.IP)
	if adm.storedToken > 0 {
		if err := h.registry.TouchEnrolToken(ctx, adm.storedToken, time.Now()); err != nil {
			log.Warn("record enrolment token use", "err", err)
		}
	}
	// The welcome goes out before the connection is attached, so no task
	// or stop can overtake it.
	welcome := &wire.Welcome{HostID: rec.ID, HeartbeatInterval: h.cfg.HeartbeatInterval, OfflineAfter: h.cfg.offlineAfter(), Credential: secret}
	if err := c.send(&wire.Message{Type: wire.TypeWelcome, Welcome: welcome}); err != nil {
		log.Warn("send welcome", "err", err)
		return
	}
	if secret != "" {
		log.Info("agent enrolled", "biz_id", rec.BizID, "remote", r.RemoteAddr, "enrol_token_id", adm.storedToken)
	}
	l := h.link(rec.ID)
	old, resend := h.attachAgent(ctx, l, c, rec, hello.Tasks)
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

// track counts one more goroutine Shutdown waits for; false once the hub is
// closing.
func (h *Hub) track() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.wg.Add(1)
	return true
}

// register records the agent's host: a credential reclaims the agent's own
// host row, a token enrols it (and returns its new credential).
// Registrations are serialised so two agents racing for one address cannot
// both win.
func (h *Hub) register(ctx context.Context, adm admission, hello *wire.Hello) (HostRecord, string, error) {
	h.regMu.Lock()
	defer h.regMu.Unlock()
	reg := Registration{
		AgentID: hello.AgentID, BizID: adm.biz, CloudID: hello.CloudID, IP: hello.IP, IPv6: hello.IPv6,
		Hostname: hello.Hostname, OS: hello.OS, Arch: hello.Arch, Version: hello.Version,
	}
	if adm.cred != nil {
		rec, err := h.registry.Reclaim(ctx, *adm.cred, reg)
		return rec, "", err
	}
	e, err := h.registry.Enrol(ctx, reg, func(hostID int64) bool {
		l := h.existingLink(hostID)
		return l != nil && l.currentConn() != nil
	})
	return e.Host, e.Credential, err
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
			l.accepted(c, m.TaskID)
		case wire.TypeOutput, wire.TypeProgress, wire.TypeResult:
			l.fromAgent(c, m)
		case wire.TypeRead:
			h.onRead(c, l, m)
		case wire.TypeReadReply:
			h.onReadReply(c, m)
		case wire.TypeEnrolled:
			if err := h.registry.Confirm(ctx, c.agentID); err != nil {
				h.log.Warn("confirm agent credential", "agent_id", c.agentID, "err", err)
			}
		default:
			h.log.Warn("ignore unknown agent message", "type", m.Type, "host_id", c.hostID)
		}
	}
}
