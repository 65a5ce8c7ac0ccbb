package bus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/reqid"
)

func TestReplyRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		result any
		err    error
		want   map[string]int
		is     error
		code   string
	}{
		{name: "result", result: map[string]int{"a": 1}, want: map[string]int{"a": 1}},
		{name: "nil result", want: nil},
		{name: "coded", err: fmt.Errorf("wrap: %w", errs.ErrConflict), is: errs.ErrConflict, code: "common.conflict"},
		{name: "plain", err: errors.New("boom"), is: errs.ErrInternal, code: "common.internal"},
		{name: "deadline", err: fmt.Errorf("query: %w", context.DeadlineExceeded), is: errs.ErrTimeout, code: "common.timeout"},
		{name: "canceled", err: context.Canceled, is: errs.ErrUnavailable, code: "common.unavailable"},
		{name: "unencodable", result: make(chan int), is: errs.ErrInternal, code: "common.internal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got map[string]int
			err := decodeReply("m", encodeReply(context.Background(), slog.New(slog.DiscardHandler), "m", tt.result, tt.err), &got)
			if tt.is == nil {
				require.NoError(t, err)
				require.Equal(t, tt.want, got)
				return
			}
			require.ErrorIs(t, err, tt.is)
			var e *errs.Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, tt.code, e.Code)
		})
	}
}

// TestUntypedErrorStaysWithHandler: an error without a code crosses the bus
// as "internal error" with the request id; its text (here a server path)
// is logged on the handler's side under that id, never sent to the caller.
func TestUntypedErrorStaysWithHandler(t *testing.T) {
	var logged bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logged, nil))
	ctx := reqid.With(context.Background(), "req-7")
	cause := errors.New("open /var/lib/bkjob/blob/execute/config/x\x00: invalid argument")
	err := decodeReply("execute.push", encodeReply(ctx, log, "execute.push", nil, fmt.Errorf("stage: %w", cause)), nil)
	require.ErrorIs(t, err, errs.ErrInternal)
	require.Equal(t, "internal error (request id req-7)", err.Error())
	require.NotContains(t, err.Error(), "/var/lib")
	require.Contains(t, logged.String(), `"request_id":"req-7"`)
	require.Contains(t, logged.String(), "/var/lib/bkjob/blob")
	require.Contains(t, logged.String(), `"method":"execute.push"`)

	logged.Reset()
	typed := errs.Invalid("file_list[0].file_name", "must not contain a NUL byte")
	err = decodeReply("m", encodeReply(ctx, log, "m", nil, fmt.Errorf("wrap: %w", typed)), nil)
	require.ErrorIs(t, err, errs.ErrInvalid)
	require.Equal(t, "file_list[0].file_name: must not contain a NUL byte", err.Error(), "a typed error keeps its code and message")
	require.Empty(t, logged.String(), "a typed error is the caller's to report")

	err = decodeReply("m", encodeReply(context.Background(), log, "m", nil, fmt.Errorf("query 10.0.0.5: %w", context.DeadlineExceeded)), nil)
	require.ErrorIs(t, err, errs.ErrTimeout)
	require.NotContains(t, err.Error(), "10.0.0.5")
}

func TestDecodeReplyWithoutCode(t *testing.T) {
	err := decodeReply("m", []byte(`{"error":{"message":"odd"}}`), nil)
	require.ErrorIs(t, err, errs.ErrInternal)
	require.EqualError(t, err, "odd")
	require.Error(t, decodeReply("m", []byte(`not json`), nil))
	require.Error(t, decodeReply("m", []byte(`{"result":"text"}`), new(int)))
}

func TestRetryDelay(t *testing.T) {
	o := Options{RetryMin: 100 * time.Millisecond, RetryMax: time.Second}.withDefaults()
	tests := []struct {
		attempt int
		want    time.Duration
	}{
		{1, 100 * time.Millisecond},
		{2, 200 * time.Millisecond},
		{4, 800 * time.Millisecond},
		{5, time.Second},
		{50, time.Second},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, o.retryDelay(tt.attempt), "attempt %d", tt.attempt)
	}
}

func TestDeadlineMillisRoundsUp(t *testing.T) {
	d := time.UnixMilli(1000).Add(time.Microsecond)
	ctx, cancel := context.WithDeadline(context.Background(), d)
	defer cancel()
	require.Equal(t, int64(1001), deadlineMillis(ctx))
	require.Zero(t, deadlineMillis(context.Background()))
}
