package logsvr_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/modules/logsvr/logsvrtest"
)

// TestStreamWholeCharacters: output chunks split a character anywhere; the
// live stream holds the first part back and sends the character whole with
// the chunk that completes it, so no event carries U+FFFD for a split. A
// log that ends inside a character sends that part at the end.
func TestStreamWholeCharacters(t *testing.T) {
	for _, tc := range []struct {
		name string
		wrap func(*logsvrtest.Fake) logsvr.Service
	}{
		{"watch", func(f *logsvrtest.Fake) logsvr.Service { return f }},
		{"polling a remote store", func(f *logsvrtest.Fake) logsvr.Service { return noWatch{f} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := logsvrtest.NewFake(1 << 20)
			states := &stepStates{status: 2}
			srv := newServer(t, tc.wrap(fake), states)
			ctx := context.Background()
			zh := []byte("a中文")
			write := func(off int, data []byte) {
				require.NoError(t, fake.WriteScript(ctx, []logsvr.ScriptChunk{{HostKey: key(5), Offset: int64(off), Data: data}}))
			}
			write(0, zh[:2]) // "a" and the first byte of 中

			resp := get(t, srv.URL+"/api/web/logs/stream?step_instance_id=11&host_id=5", nil)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			ch := events(t, resp.Body)
			ev := next(t, ch)
			require.Equal(t, "log", ev.name)
			require.Equal(t, "a", ev.data["data"])
			require.Equal(t, "1", ev.id, "the held byte is not counted as sent")

			write(2, zh[2:5]) // the rest of 中 and the first byte of 文
			write(5, append(zh[5:], 0xe4))
			states.set(3, true)
			var got strings.Builder
			got.WriteString("a")
			for {
				ev = next(t, ch)
				if ev.name == "status" {
					continue
				}
				if ev.name != "log" {
					break
				}
				got.WriteString(ev.data["data"].(string))
			}
			require.Equal(t, "end", ev.name)
			// A split sent as it came would read "a\uFFFD\uFFFD…".
			require.Equal(t, "a中文\uFFFD", got.String(), "whole characters, and the unfinished one at the end")
			require.EqualValues(t, len(zh)+1, ev.data["offset"])
		})
	}
}
