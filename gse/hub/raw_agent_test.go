package hub_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse/wire"
)

// rawAgent is a hand-driven agent connection: it says hello, heartbeats,
// and lets the test send any message, as a hostile agent would.
type rawAgent struct {
	conn   *wire.Conn
	hostID int64
	msgs   chan *wire.Message // everything the hub sends but heartbeats
}

// dialRaw connects a raw agent with the test token; tasks go in its hello.
func (th *testHub) dialRaw(t testing.TB, agentID, ip string, tasks ...string) *rawAgent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	url := "ws" + strings.TrimPrefix(th.srv.URL, "http") + wire.Path
	ws, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{
		HTTPHeader: http.Header{"Authorization": []string{"Bearer " + testToken}},
	})
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	require.NoError(t, err)
	conn := wire.NewConn(ws)
	t.Cleanup(func() { _ = conn.CloseNow() })
	hello := &wire.Hello{AgentID: agentID, Hostname: agentID, OS: "linux", Arch: "amd64", Version: "raw", IP: ip, Tasks: tasks}
	require.NoError(t, conn.Send(ctx, &wire.Message{Type: wire.TypeHello, Hello: hello}))
	m, err := conn.Recv(ctx)
	require.NoError(t, err)
	require.Equal(t, wire.TypeWelcome, m.Type)
	ra := &rawAgent{conn: conn, hostID: m.Welcome.HostID, msgs: make(chan *wire.Message, 1<<16)}
	go func() {
		for {
			m, err := conn.Recv(ctx)
			if err != nil {
				return
			}
			if m.Type != wire.TypeHeartbeat {
				select {
				case ra.msgs <- m:
				default:
				}
			}
		}
	}()
	go func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if conn.Send(ctx, &wire.Message{Type: wire.TypeHeartbeat}) != nil {
					return
				}
			}
		}
	}()
	return ra
}

func (ra *rawAgent) send(t testing.TB, m *wire.Message) {
	t.Helper()
	require.NoError(t, ra.conn.Send(t.Context(), m))
}

// next waits for the next message of type typ from the hub, skipping others.
func (ra *rawAgent) next(t testing.TB, typ wire.Type) *wire.Message {
	t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case m := <-ra.msgs:
			if m.Type == typ {
				return m
			}
		case <-deadline:
			require.FailNow(t, "no message from the hub", "type %s", typ)
		}
	}
}
