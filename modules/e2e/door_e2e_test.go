package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// zeroBody is an endless body of zeros.
type zeroBody struct{}

func (zeroBody) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestDoorLimits reproduces issue 7's door holes against the built binary:
// four parallel 100 MB logins, a body trickled one byte at a time, and a
// forged X-Forwarded-For recorded as the client's address.
func TestDoorLimits(t *testing.T) {
	c := StartCluster(t, "BKJOB_HTTP__READ_TIMEOUT=1s")

	t.Run("FourHundredMBLogins", func(t *testing.T) {
		var wg sync.WaitGroup
		statuses := make([]int, 4)
		errs := make([]error, 4)
		for i := range statuses {
			wg.Go(func() {
				req, err := http.NewRequest(http.MethodPost, c.URL+"/api/web/login", io.LimitReader(zeroBody{}, 100<<20))
				if err != nil {
					errs[i] = err
					return
				}
				req.ContentLength = 100 << 20
				req.Header.Set("Content-Type", "application/json")
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					errs[i] = err
					return
				}
				_ = res.Body.Close()
				statuses[i] = res.StatusCode
			})
		}
		wg.Wait()
		for i := range statuses {
			require.NoError(t, errs[i])
			require.Equal(t, http.StatusRequestEntityTooLarge, statuses[i])
		}
		require.NotContains(t, c.Output.String(), `msg="login refused"`, "the login handler never ran")
	})

	t.Run("SlowBodyCutOff", func(t *testing.T) {
		conn, err := net.Dial("tcp", strings.TrimPrefix(c.URL, "http://"))
		require.NoError(t, err)
		defer conn.Close()
		_, err = fmt.Fprintf(conn, "POST /api/web/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
		require.NoError(t, err)
		stopped := make(chan struct{})
		go func() {
			defer close(stopped)
			for {
				if _, err := conn.Write([]byte(" ")); err != nil {
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
		}()
		// The server ends the request (an error answer, then close) long
		// before this safety net.
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(time.Minute)))
		_, err = io.ReadAll(conn)
		var ne net.Error
		require.False(t, err != nil && errorsAs(err, &ne) && ne.Timeout(), "the server, not the test, ended it: %v", err)
		_ = conn.Close()
		<-stopped
	})

	t.Run("ForgedForwardedForIgnored", func(t *testing.T) {
		body := []byte(`{"username":"admin","password":"wrong-password"}`)
		req, err := http.NewRequest(http.MethodPost, c.URL+"/api/web/login", bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", "203.0.113.66")
		req.Header.Set("X-Real-IP", "203.0.113.67")
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = res.Body.Close()
		require.Equal(t, http.StatusUnauthorized, res.StatusCode)
		poll(t, 30*time.Second, "the refusal is logged", func() (bool, string) {
			out := c.Output.String()
			return strings.Contains(out, `msg="login refused"`), tail(out, 2000)
		})
		out := c.Output.String()
		require.Contains(t, out, "remote=127.0.0.1")
		require.NotContains(t, out, "203.0.113.66")
		require.NotContains(t, out, "203.0.113.67")
	})
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
