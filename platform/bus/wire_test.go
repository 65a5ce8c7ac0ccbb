package bus

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/errs"
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
			err := decodeReply("m", encodeReply(tt.result, tt.err), &got)
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
