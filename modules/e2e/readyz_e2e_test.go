package e2e

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/testenv"
)

// tcpProxy forwards a loopback port to a backend. Down closes the port and
// every connection through it, as a lost network would; Up opens the same
// port again. The shared test servers are never touched.
type tcpProxy struct {
	t      *testing.T
	addr   string // where clients connect
	target string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]bool
}

// mysqlBehindProxy creates a database for the test and returns a DSN that
// reaches it through a proxy the test can close.
func mysqlBehindProxy(t *testing.T) (string, *tcpProxy) {
	t.Helper()
	cfg, err := mysql.ParseDSN(uniqueMySQLDatabase(t, testenv.Require(t, "BKJOB_TEST_MYSQL_DSN")))
	require.NoError(t, err)
	p := startTCPProxy(t, cfg.Addr)
	cfg.Addr = p.addr
	return cfg.FormatDSN(), p
}

// amqpBehindProxy returns the test broker's URL through a proxy the test
// can close.
func amqpBehindProxy(t *testing.T) (string, *tcpProxy) {
	t.Helper()
	u, err := url.Parse(testenv.Require(t, "BKJOB_TEST_AMQP_URL"))
	require.NoError(t, err)
	p := startTCPProxy(t, u.Host)
	u.Host = p.addr
	return u.String(), p
}

func startTCPProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	p := &tcpProxy{t: t, addr: freeAddr(t), target: target, conns: map[net.Conn]bool{}}
	p.Up()
	t.Cleanup(p.Down)
	return p
}

// Up listens again on the proxy's address.
func (p *tcpProxy) Up() {
	p.t.Helper()
	var ln net.Listener
	require.Eventually(p.t, func() bool {
		var err error
		ln, err = net.Listen("tcp", p.addr)
		return err == nil
	}, 10*time.Second, 50*time.Millisecond, "listen on %s again", p.addr)
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go p.accept(ln)
}

// Down closes the port and cuts every connection.
func (p *tcpProxy) Down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		_ = c.Close()
	}
	p.conns = map[net.Conn]bool{}
}

func (p *tcpProxy) accept(ln net.Listener) {
	for {
		in, err := ln.Accept()
		if err != nil {
			return
		}
		out, err := net.DialTimeout("tcp", p.target, 5*time.Second)
		if err != nil {
			_ = in.Close()
			continue
		}
		p.mu.Lock()
		if p.ln != ln { // went down meanwhile
			p.mu.Unlock()
			_ = in.Close()
			_ = out.Close()
			return
		}
		p.conns[in], p.conns[out] = true, true
		p.mu.Unlock()
		go pipe(in, out)
		go pipe(out, in)
	}
}

func pipe(dst, src net.Conn) {
	_, _ = io.Copy(dst, src)
	_ = dst.Close()
	_ = src.Close()
}

// readyz returns /readyz's status code and the backends it lists as down.
func readyz(base string) (int, []string) {
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	var body struct {
		Down []string `json:"backends_down"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.Down
}

// TestReadyzFollowsBackends: with its database or its broker gone, a
// running server's /readyz turns 503 within seconds and names the backend;
// when the backend is back, it turns 200 again. Each backend is reached
// through a proxy the test closes, never by stopping a shared server.
func TestReadyzFollowsBackends(t *testing.T) {
	dsn, dbProxy := mysqlBehindProxy(t)
	amqpURL, busProxy := amqpBehindProxy(t)

	s := StartServer(t, ServerOptions{Env: []string{
		"BKJOB_GSE__LOCAL_AGENT__ENABLED=false",
		"BKJOB_DB__DRIVER=mysql", "BKJOB_DB__DSN=" + dsn,
		"BKJOB_BUS__BACKEND=rabbitmq", "BKJOB_BUS__AMQP_URL=" + amqpURL,
		"BKJOB_BUS__EXCHANGE_PREFIX=readyz" + randHex(t, 6),
	}})
	code, _ := readyz(s.URL)
	require.Equal(t, http.StatusOK, code)

	for _, tc := range []struct {
		backend string
		proxy   *tcpProxy
	}{{"db", dbProxy}, {"bus", busProxy}} {
		t.Run(tc.backend, func(t *testing.T) {
			tc.proxy.Down()
			require.Eventually(t, func() bool {
				code, down := readyz(s.URL)
				return code == http.StatusServiceUnavailable && len(down) == 1 && down[0] == tc.backend
			}, 30*time.Second, 100*time.Millisecond, "/readyz never reported %s down", tc.backend)
			tc.proxy.Up()
			require.Eventually(t, func() bool {
				code, _ := readyz(s.URL)
				return code == http.StatusOK
			}, 30*time.Second, 100*time.Millisecond, "/readyz never recovered after %s came back", tc.backend)
		})
	}
	// The server's output is copied asynchronously: wait for the lines.
	require.Eventually(t, func() bool {
		out := s.Output.String()
		return strings.Contains(out, `msg="backend unreachable" component=health backend=db`) &&
			strings.Contains(out, `msg="backend reachable again" component=health backend=bus`)
	}, 10*time.Second, 50*time.Millisecond, "the health log names the backends")
}
