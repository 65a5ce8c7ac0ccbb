package wire

import (
	"context"
	"fmt"
	"time"

	"github.com/coder/websocket"
)

// writeTimeout bounds one Send, so a stalled peer cannot block a writer
// forever; the connection is closed when it expires.
const writeTimeout = 30 * time.Second

// Conn carries Messages over one WebSocket. Send may be called from many
// goroutines; Recv from one.
type Conn struct {
	ws *websocket.Conn
}

// NewConn wraps ws and raises its read limit to MaxMessage.
func NewConn(ws *websocket.Conn) *Conn {
	ws.SetReadLimit(MaxMessage)
	return &Conn{ws: ws}
}

// Send writes one message.
func (c *Conn) Send(ctx context.Context, m *Message) error {
	b, err := Encode(m)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageBinary, b); err != nil {
		return fmt.Errorf("send %s: %w", m.Type, err)
	}
	return nil
}

// Recv reads one message. Cancelling ctx closes the connection.
func (c *Conn) Recv(ctx context.Context) (*Message, error) {
	typ, b, err := c.ws.Read(ctx)
	if err != nil {
		return nil, fmt.Errorf("receive: %w", err)
	}
	if typ != websocket.MessageBinary {
		return nil, fmt.Errorf("%w: text frame", ErrMalformed)
	}
	return Decode(b)
}

// Close closes the connection with a normal status and reason.
func (c *Conn) Close(reason string) error {
	return c.ws.Close(websocket.StatusNormalClosure, reason)
}

// CloseNow drops the connection without a closing handshake.
func (c *Conn) CloseNow() error {
	return c.ws.CloseNow()
}
