package executeimpl

import (
	"errors"
	"fmt"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/platform/errs"
)

// TestRefusal: only errors about the events' own data become
// gse.ErrEventsRefused (set aside after gse.sink_max_attempts); an outage
// stays an outage (retried until it clears).
func TestRefusal(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		refused bool
	}{
		{"incorrect string value", fmt.Errorf("update host rows: %w", &mysql.MySQLError{Number: 1366, Message: "Incorrect string value: '\\xE4\\xB8' for column 'tag'"}), true},
		{"data too long", &mysql.MySQLError{Number: 1406, Message: "Data too long for column 'error_msg'"}, true},
		{"logsvr refuses a key", fmt.Errorf("write script logs: %w", logsvr.ErrInvalidKey.Withf("host_id must be positive")), true},
		{"database down", errors.New("dial tcp 127.0.0.1:3306: connect: connection refused"), false},
		{"lock wait", &mysql.MySQLError{Number: 1205}, false},
		{"logsvr overloaded", logsvr.ErrOverloaded, false},
		{"bus unavailable", errs.ErrUnavailable, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := refusal(tt.err)
			require.Error(t, got)
			require.Equal(t, tt.refused, errors.Is(got, gse.ErrEventsRefused), "%v", got)
		})
	}
	require.NoError(t, refusal(nil))
}
