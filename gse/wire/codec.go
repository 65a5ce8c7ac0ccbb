package wire

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
)

// MaxMessage bounds one encoded message: the largest payload plus headroom
// for the JSON header. Both ends set it as the WebSocket read limit.
const MaxMessage = MaxChunk + 1<<20

// MaxChunk is the largest payload a message carries.
const MaxChunk = 1 << 20

// ErrMalformed means a message could not be decoded.
var ErrMalformed = errors.New("malformed message")

// Encode frames m as header length, JSON header, payload.
func Encode(m *Message) ([]byte, error) {
	head, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode %s message: %w", m.Type, err)
	}
	if size := 4 + len(head) + len(m.Data); size > MaxMessage {
		return nil, fmt.Errorf("encode %s message: %d bytes exceed the %d the other end reads", m.Type, size, MaxMessage)
	}
	buf := make([]byte, 4+len(head)+len(m.Data))
	binary.BigEndian.PutUint32(buf, uint32(len(head))) //nolint:gosec // G115: below MaxMessage, checked above
	copy(buf[4:], head)
	copy(buf[4+len(head):], m.Data)
	return buf, nil
}

// Decode parses a framed message. Data aliases b.
func Decode(b []byte) (*Message, error) {
	if len(b) < 4 {
		return nil, fmt.Errorf("%w: %d bytes", ErrMalformed, len(b))
	}
	n := binary.BigEndian.Uint32(b)
	if int64(n) > int64(len(b)-4) {
		return nil, fmt.Errorf("%w: header length %d exceeds %d bytes", ErrMalformed, n, len(b)-4)
	}
	m := &Message{}
	if err := json.Unmarshal(b[4:4+n], m); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if m.Type == "" {
		return nil, fmt.Errorf("%w: no type", ErrMalformed)
	}
	if rest := b[4+n:]; len(rest) > 0 {
		m.Data = rest
	}
	return m, nil
}
