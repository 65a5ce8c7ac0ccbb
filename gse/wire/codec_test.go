package wire_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse/wire"
)

func TestEncodeDecode(t *testing.T) {
	tests := []struct {
		name string
		msg  wire.Message
	}{
		{"output with payload", wire.Message{Type: wire.TypeOutput, TaskID: "t1", Offset: 42, Data: []byte("hello\x00world")}},
		{"ack without payload", wire.Message{Type: wire.TypeAck, TaskID: "t1", Ack: &wire.Ack{Offset: 7, Done: true}}},
		{"read reply", wire.Message{Type: wire.TypeReadReply, Reply: &wire.ReadReply{ID: 3, EOF: true}, Data: []byte{1, 2, 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := wire.Encode(&tt.msg)
			require.NoError(t, err)
			got, err := wire.Decode(b)
			require.NoError(t, err)
			require.Equal(t, tt.msg, *got)
		})
	}
}

func TestDecodeMalformed(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
	}{
		{"short", []byte{0, 0}},
		{"header past end", []byte{0, 0, 0, 9, '{', '}'}},
		{"header length at the 32-bit limit", []byte{0xff, 0xff, 0xff, 0xff, '{', '}'}},
		{"not json", []byte{0, 0, 0, 2, 'x', 'y'}},
		{"no type", []byte{0, 0, 0, 2, '{', '}'}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := wire.Decode(tt.in)
			require.ErrorIs(t, err, wire.ErrMalformed)
		})
	}
}

// TestEncodeRefusesOversized: a message the other end's read limit would
// drop (closing the connection) fails at the sender with a clear error.
func TestEncodeRefusesOversized(t *testing.T) {
	tests := []struct {
		name    string
		data    int
		refused bool
	}{
		{"largest chunk", wire.MaxChunk, false},
		{"past the read limit", wire.MaxMessage, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := wire.Encode(&wire.Message{Type: wire.TypeOutput, TaskID: "t1", Data: make([]byte, tt.data)})
			if !tt.refused {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, "exceed")
		})
	}
}
