package db

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"
)

func TestIsDataError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"incorrect string value", &mysql.MySQLError{Number: 1366, Message: "Incorrect string value"}, true},
		{"data too long, wrapped", fmt.Errorf("update host: %w", &mysql.MySQLError{Number: 1406}), true},
		{"lock wait timeout", &mysql.MySQLError{Number: 1205}, false},
		{"connection refused", errors.New("dial tcp: connection refused"), false},
		{"bad connection", mysql.ErrInvalidConn, false},
		{"context", context.DeadlineExceeded, false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, IsDataError(tt.err))
		})
	}
}
