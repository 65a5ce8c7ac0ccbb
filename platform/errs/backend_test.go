package errs

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBackendDown: the backend-unreachable sentinels are found through
// wrapping and keep their cause; other errors are not backends.
func TestBackendDown(t *testing.T) {
	cause := errors.New("dial tcp 10.0.0.5:3306: connection refused")
	tests := []struct {
		name string
		err  error
		want *Error
	}{
		{"database", fmt.Errorf("load job: %w", Unreachable(ErrDatabase, cause)), ErrDatabase},
		{"broker", Unreachable(ErrBroker, cause), ErrBroker},
		{"redis", Unreachable(ErrRedis, cause), ErrRedis},
		{"unavailable is not a backend", ErrUnavailable, nil},
		{"untyped", cause, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, BackendDown(tt.err))
			if tt.want != nil {
				require.ErrorIs(t, tt.err, cause)
				require.Equal(t, tt.want.Code, From(tt.err).Code)
				require.Contains(t, tt.err.Error(), "connection refused")
			}
		})
	}
}
