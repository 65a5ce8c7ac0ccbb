package hub

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/wire"
)

func newTestLink() *link {
	return &link{h: &Hub{}, hostID: 7, tasks: map[string]*hostTask{}, wake: make(chan struct{}, 1)}
}

func output(task string, off int64, data string) *wire.Message {
	return &wire.Message{Type: wire.TypeOutput, TaskID: task, Offset: off, Data: []byte(data)}
}

// TestResentOutputIsTrimmedAndAcked: after a lost acknowledgement the agent
// resends output the sink already has; the hub drops it but acknowledges it,
// or the agent's send window would stay full forever.
func TestResentOutputIsTrimmedAndAcked(t *testing.T) {
	l := newTestLink()
	l.tasks["t"] = &hostTask{accepted: true}
	l.fromAgent(nil, output("t", 0, "hello "))
	b, ok := l.take()
	require.True(t, ok)
	require.Len(t, b.events, 1)
	_, acks, _ := l.settle(b)
	require.Equal(t, int64(6), acks[0].Ack.Offset)

	// The ack was lost: the agent resends from 0, then continues.
	l.fromAgent(nil, output("t", 0, "hello "))
	b, _ = l.take()
	require.Empty(t, b.events, "a duplicate reaches the sink once")
	_, acks, _ = l.settle(b)
	require.Len(t, acks, 1, "the duplicate is acknowledged")
	require.Equal(t, int64(6), acks[0].Ack.Offset)

	l.fromAgent(nil, output("t", 3, "lo world"))
	l.fromAgent(nil, &wire.Message{Type: wire.TypeResult, TaskID: "t", Result: &gse.HostResult{Status: gse.HostStatusSuccess}})
	b, _ = l.take()
	require.Len(t, b.events, 2)
	require.Equal(t, gse.OutputChunk{Offset: 6, Data: []byte("world")}, *b.events[0].Output)
	_, acks, _ = l.settle(b)
	require.True(t, acks[0].Ack.Done)
	require.Equal(t, int64(11), acks[0].Ack.Offset)
	require.True(t, l.tasks["t"].delivered)
}

func TestHubMadeResultIsNotAcked(t *testing.T) {
	l := newTestLink()
	ht := &hostTask{accepted: true}
	l.tasks["t"] = ht
	l.mu.Lock()
	l.finalizeLocked("t", ht, gse.HostStatusAgentError, "offline")
	l.mu.Unlock()
	b, _ := l.take()
	require.Len(t, b.events, 1)
	require.Empty(t, b.acks, "a result made by the hub is not acknowledged to anyone")
	l.settle(b)
	require.True(t, ht.byHub)
	require.True(t, ht.delivered)
}
