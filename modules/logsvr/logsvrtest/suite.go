package logsvrtest

import (
	"context"
	"testing"
	"time"

	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/stretchr/testify/require"
)

// Opener opens a store over one storage (a directory, a database) with the
// given per-host cap. Calling it again after the previous store was stopped
// reopens the same data. Openers stop what they open in t.Cleanup.
type Opener func(capBytes int64) logsvr.Service

// NewStorage gives each subtest fresh storage and its opener.
type NewStorage func(t *testing.T) Opener

// suiteCap is the per-host cap of every test that is not about the cap.
const suiteCap = 1 << 20

// Run is the contract suite every logsvr store passes.
func Run(t *testing.T, newStorage NewStorage) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open Opener)
	}{
		{"ordered reads", testOrderedReads},
		{"read from offset", testReadFromOffset},
		{"unknown host reads empty", testUnknownHost},
		{"redelivered and overlapping chunks", testRedelivered},
		{"out of order within a write", testOutOfOrder},
		{"gap stored contiguously", testGap},
		{"keys are isolated", testIsolation},
		{"cap and truncation marker", testCap},
		{"cap filled exactly", testCapExact},
		{"cap keeps whole characters", testCapWholeChars},
		{"pages end on whole characters", testPagesWholeChars},
		{"file logs", testFileLogs},
		{"keyword search", testSearch},
		{"batch read", testReadHosts},
		{"list hosts", testListHosts},
		{"export zip", testExport},
		{"purge by age", testPurge},
		{"watch", testWatch},
		{"invalid input", testInvalid},
		{"concurrent hosts", testConcurrent},
		{"reopen keeps logs and dedupes", testReopen},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newStorage(t))
		})
	}
}

// day0 is the creation time of the suite's jobs.
var day0 = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

func step(id int64) logsvr.StepRef {
	return logsvr.StepRef{JobInstanceID: 1000 + id, StepInstanceID: id, ExecuteCount: 0, Batch: 0, JobCreated: day0}
}

func hostKey(ref logsvr.StepRef, host int64) logsvr.HostKey {
	return logsvr.HostKey{StepRef: ref, HostID: host}
}

func chunk(ref logsvr.StepRef, host, off int64, data string) logsvr.ScriptChunk {
	return logsvr.ScriptChunk{HostKey: hostKey(ref, host), Offset: off, Data: []byte(data)}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// write writes chunks and requires success.
func write(t *testing.T, svc logsvr.Service, chunks ...logsvr.ScriptChunk) {
	t.Helper()
	require.NoError(t, svc.WriteScript(ctxT(t), chunks))
}

// whole reads a host's whole log.
func whole(t *testing.T, svc logsvr.Service, k logsvr.HostKey) logsvr.ScriptLog {
	t.Helper()
	l, err := svc.ReadScript(ctxT(t), k, 0, 0)
	require.NoError(t, err)
	return l
}

// stopStore stops svc when it is a Store.
func stopStore(t *testing.T, svc logsvr.Service) {
	t.Helper()
	if st, ok := svc.(logsvr.Store); ok {
		require.NoError(t, st.Stop(ctxT(t)))
	}
}
