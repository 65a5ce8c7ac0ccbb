package ssh

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/bkjob/bkjob/gse"
)

// connKey identifies a pooled connection: one per endpoint, login and credential.
type connKey struct {
	addr string
	user string
	cred string
}

// pool keeps one SSH connection per connKey, dialled on first use and
// closed after IdleTimeout without users or when the server drops it.
type pool struct {
	cfg   Config
	creds CredentialSource
	known KnownHosts
	log   *slog.Logger
	base  context.Context

	mu     sync.Mutex
	conns  map[connKey]*conn
	closed bool
	stop   chan struct{}
	done   chan struct{}
}

// conn is one pooled SSH connection.
type conn struct {
	key     connKey
	ready   chan struct{} // closed once dialling ended; then client or err is set
	client  *ssh.Client
	err     error
	exec    chan struct{} // exec session slots
	control chan struct{} // one slot for kill and probe commands
	lost    chan struct{} // closed when the connection ends

	sftpMu sync.Mutex
	sftp   *sftp.Client

	refs     int // guarded by pool.mu
	lastUsed time.Time
}

// errPoolClosed is returned after Close.
var errPoolClosed = errors.New("ssh connection pool closed")

func newPool(base context.Context, cfg Config, creds CredentialSource, known KnownHosts, log *slog.Logger) *pool {
	p := &pool{
		cfg: cfg, creds: creds, known: known, log: log, base: base,
		conns: make(map[connKey]*conn),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	go p.reapIdle()
	return p
}

// acquire returns a connected conn for ep; the caller must release it.
func (p *pool) acquire(ctx context.Context, ep *gse.SSHEndpoint) (*conn, error) {
	key := connKey{addr: ep.Addr, user: ep.User, cred: ep.CredentialID}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errPoolClosed
	}
	c, ok := p.conns[key]
	if !ok {
		c = &conn{
			key:     key,
			ready:   make(chan struct{}),
			exec:    make(chan struct{}, p.cfg.MaxSessionsPerConn),
			control: make(chan struct{}, 1),
			lost:    make(chan struct{}),
		}
		p.conns[key] = c
		// The connection is shared: it dials under the pool's context, not
		// the first caller's, who may give up while others wait for it.
		go p.dial(c)
	}
	c.refs++
	p.mu.Unlock()

	select {
	case <-c.ready:
	case <-ctx.Done():
		p.release(c)
		return nil, ctx.Err()
	}
	if c.err != nil {
		p.release(c)
		return nil, c.err
	}
	return c, nil
}

// release gives back a conn taken by acquire.
func (p *pool) release(c *conn) {
	p.mu.Lock()
	c.refs--
	c.lastUsed = time.Now()
	p.mu.Unlock()
}

// dial connects c; a failed dial is forgotten so the next acquire retries.
func (p *pool) dial(c *conn) {
	client, err := p.connect(c.key)
	p.mu.Lock()
	if err == nil && p.closed {
		_ = client.Close()
		err = errPoolClosed
	}
	if err != nil {
		c.err = err
		if p.conns[c.key] == c {
			delete(p.conns, c.key)
		}
		close(c.lost)
	} else {
		c.client = client
	}
	p.mu.Unlock()
	close(c.ready)
	if err != nil {
		p.log.Debug("ssh dial", "addr", c.key.addr, "user", c.key.user, "err", err)
		return
	}
	go func() {
		_ = client.Wait()
		p.mu.Lock()
		if p.conns[c.key] == c {
			delete(p.conns, c.key)
		}
		p.mu.Unlock()
		close(c.lost)
	}()
}

func (p *pool) connect(key connKey) (*ssh.Client, error) { return p.connectCtx(p.base, key, true) }

// errCredential marks a dial that failed before the network: the
// credential could not be loaded or turned into an SSH login.
var errCredential = errors.New("credential unusable")

// connectCtx dials key under parent, within DialTimeout. recordKey says
// whether trust on first use may record an unknown host key (hostKeyCallback).
func (p *pool) connectCtx(parent context.Context, key connKey, recordKey bool) (*ssh.Client, error) {
	ctx, cancel := context.WithTimeout(parent, p.cfg.DialTimeout)
	defer cancel()
	cred, err := p.creds.Credential(ctx, key.cred)
	if err != nil {
		return nil, &dialError{kind: dialAuth, err: fmt.Errorf("load credential %s: %w: %w", key.cred, errCredential, err)}
	}
	auth, err := cred.authMethods()
	if err != nil {
		return nil, &dialError{kind: dialAuth, err: fmt.Errorf("credential %s: %w: %w", key.cred, errCredential, err)}
	}
	cfg := &ssh.ClientConfig{
		User:            key.user,
		Auth:            auth,
		HostKeyCallback: hostKeyCallback(ctx, p.known, p.cfg.TrustOnFirstUse, recordKey, key.addr),
		Timeout:         p.cfg.DialTimeout,
	}
	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", key.addr)
	if err != nil {
		return nil, &dialError{kind: dialNetwork, err: fmt.Errorf("dial %s: %w", key.addr, err)}
	}
	deadline, _ := ctx.Deadline()
	_ = raw.SetDeadline(deadline)
	sc, chans, reqs, err := ssh.NewClientConn(raw, key.addr, cfg)
	if err != nil {
		_ = raw.Close()
		return nil, classifyHandshake(key, err)
	}
	_ = raw.SetDeadline(time.Time{})
	return ssh.NewClient(sc, chans, reqs), nil
}

// reapIdle closes connections nobody used for IdleTimeout.
func (p *pool) reapIdle() {
	defer close(p.done)
	every := max(p.cfg.IdleTimeout/2, 100*time.Millisecond)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-p.stop:
			return
		case now := <-tick.C:
			var idle []*conn
			p.mu.Lock()
			for k, c := range p.conns {
				if c.client != nil && c.refs == 0 && now.Sub(c.lastUsed) >= p.cfg.IdleTimeout {
					delete(p.conns, k)
					idle = append(idle, c)
				}
			}
			p.mu.Unlock()
			for _, c := range idle {
				c.close()
			}
		}
	}
}

// close shuts every connection; later acquires fail.
func (p *pool) close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	all := make([]*conn, 0, len(p.conns))
	for _, c := range p.conns {
		all = append(all, c)
	}
	p.conns = map[connKey]*conn{}
	p.mu.Unlock()
	close(p.stop)
	<-p.done
	for _, c := range all {
		<-c.ready
		c.close()
	}
}

func (c *conn) close() {
	c.sftpMu.Lock()
	if c.sftp != nil {
		_ = c.sftp.Close()
		c.sftp = nil
	}
	c.sftpMu.Unlock()
	if c.client != nil {
		_ = c.client.Close()
	}
}

// session opens a session in one of sem's slots; release frees both.
func (c *conn) session(ctx context.Context, sem chan struct{}) (*ssh.Session, func(), error) {
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	case <-c.lost:
		return nil, nil, fmt.Errorf("ssh connection to %s lost", c.key.addr)
	}
	s, err := c.client.NewSession()
	if err != nil {
		<-sem
		return nil, nil, fmt.Errorf("open ssh session on %s: %w", c.key.addr, err)
	}
	return s, func() { _ = s.Close(); <-sem }, nil
}

// sftpClient returns the connection's shared SFTP client, starting it once.
func (c *conn) sftpClient() (*sftp.Client, error) {
	c.sftpMu.Lock()
	defer c.sftpMu.Unlock()
	if c.sftp != nil {
		return c.sftp, nil
	}
	cl, err := sftp.NewClient(c.client, sftp.UseConcurrentWrites(true), sftp.UseConcurrentReads(true))
	if err != nil {
		return nil, fmt.Errorf("start sftp on %s: %w", c.key.addr, err)
	}
	c.sftp = cl
	return cl, nil
}
