package cache

import (
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/errs"
)

// TestUnreachable: network failures are Redis out of reach (1250001 on
// v3), command errors and misses are not.
func TestUnreachable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		down bool
	}{
		{"dial refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, true},
		{"connection reset", fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{"eof", io.EOF, true},
		{"closed", net.ErrClosed, true},
		{"command error", errors.New("WRONGTYPE Operation against a key holding the wrong kind of value"), false},
		{"miss", ErrMiss, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := unreachable(fmt.Errorf("cache get k: %w", tt.err))
			require.ErrorIs(t, got, tt.err)
			require.Equal(t, tt.down, errors.Is(got, errs.ErrRedis))
		})
	}
}
