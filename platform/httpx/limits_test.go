package httpx

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bkjob/bkjob/platform/testenv"
	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a log sink tests read while the server writes.
type syncBuffer = testenv.Buffer

// startServer runs a real server on a loopback port; routes are added by
// mount before it serves.
func startServer(t *testing.T, opts Options, logs io.Writer, mount func(s *Server)) *Server {
	t.Helper()
	if logs == nil {
		logs = io.Discard
	}
	opts.Addr = "127.0.0.1:0"
	s, err := NewServer(opts, slog.New(slog.NewTextHandler(logs, nil)))
	require.NoError(t, err)
	mount(s)
	require.NoError(t, s.Listen())
	done := make(chan error, 1)
	go func() { done <- s.Serve() }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
		require.NoError(t, <-done)
	})
	return s
}

// zeros is an endless body that counts what the client sent.
type zeros struct{ sent atomic.Int64 }

func (z *zeros) Read(p []byte) (int, error) {
	clear(p)
	z.sent.Add(int64(len(p)))
	return len(p), nil
}

const hundredMB = 100 << 20

func TestBodyLimitRefusesBeforeTheHandlerRuns(t *testing.T) {
	var ran atomic.Int32
	handler := func(c echo.Context) error {
		ran.Add(1)
		_, err := io.Copy(io.Discard, c.Request().Body)
		if err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	}
	s := startServer(t, Options{MaxBodyBytes: 1 << 20}, nil, func(s *Server) {
		s.Echo.POST("/api/web/login", handler)
		s.Echo.POST("/api/v3/get_job_instance_list", handler)
		s.Echo.POST("/api/v3/push_config_file", handler)
		s.SetBodyLimit("/api/v3/push_config_file/", 4<<20)
	})

	tests := []struct {
		name, path string
		size       int64 // -1: chunked, no declared length
		wantStatus int
		wantBody   string
		wantRan    bool
	}{
		{"declared 100 MB login", "/api/web/login", hundredMB, 413, `"code":1239004`, false},
		{"chunked 100 MB login", "/api/web/login", -1, 413, `"code":1239004`, true},
		{"v3 envelope", "/api/v3/get_job_instance_list", 2 << 20, 413, `"result":false,"code":1239004`, false},
		{"small login", "/api/web/login", 512, 204, "", true},
		{"raised route limit", "/api/v3/push_config_file", 2 << 20, 204, "", true},
		{"over the raised limit", "/api/v3/push_config_file", 5 << 20, 413, `"result":false`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ran.Store(0)
			z := &zeros{}
			var body io.Reader = z
			if tt.size >= 0 {
				body = io.LimitReader(z, tt.size)
			}
			req, err := http.NewRequest(http.MethodPost, "http://"+s.Addr()+tt.path, body)
			require.NoError(t, err)
			req.ContentLength = tt.size
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			got, _ := io.ReadAll(res.Body)
			_ = res.Body.Close()
			require.Equal(t, tt.wantStatus, res.StatusCode, string(got))
			require.Contains(t, string(got), tt.wantBody)
			require.Equal(t, tt.wantRan, ran.Load() == 1, "handler ran")
			if tt.wantStatus == 413 {
				require.Less(t, z.sent.Load(), int64(hundredMB/2), "the server stopped the upload early")
			}
		})
	}
}

func TestSlowClientsAreCutOff(t *testing.T) {
	readErr := make(chan error, 1)
	s := startServer(t, Options{ReadHeaderTimeout: 300 * time.Millisecond, ReadTimeout: 300 * time.Millisecond}, nil, func(s *Server) {
		s.Echo.POST("/api/web/login", func(c echo.Context) error {
			_, err := io.Copy(io.Discard, c.Request().Body)
			readErr <- err
			return err
		})
	})
	tests := []struct {
		name    string
		headers string
		body    bool
	}{
		{"slow body", "POST /api/web/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n", true},
		{"slow headers", "POST /api/web/login HTTP/1.1\r\nHost: x\r\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", s.Addr())
			require.NoError(t, err)
			defer conn.Close()
			_, err = io.WriteString(conn, tt.headers)
			require.NoError(t, err)
			// One byte every 50 ms, far slower than any real client,
			// until the server hangs up.
			stopped := make(chan struct{})
			go func() {
				defer close(stopped)
				for {
					if _, err := conn.Write([]byte("x")); err != nil {
						return
					}
					time.Sleep(50 * time.Millisecond)
				}
			}()
			// Bound only the test, not the server: the server must end the
			// request well before this safety net.
			require.NoError(t, conn.SetReadDeadline(time.Now().Add(time.Minute)))
			reply, _ := io.ReadAll(bufio.NewReader(conn))
			if tt.body {
				err := <-readErr
				var ne net.Error
				require.Error(t, err, "the handler's read is cut off")
				require.True(t, errors.As(err, &ne) && ne.Timeout(), "a timeout, got %v", err)
			} else {
				require.NotContains(t, string(reply), "HTTP/1.1 2", "no request was served")
			}
			_ = conn.Close()
			<-stopped
		})
	}
}

func TestStreamsOutliveTheWriteTimeout(t *testing.T) {
	const events = 8
	handler := func(stream bool) echo.HandlerFunc {
		return func(c echo.Context) error {
			if stream {
				c.Response().Header().Set(echo.HeaderContentType, "text/event-stream")
			}
			c.Response().WriteHeader(http.StatusOK)
			for i := range events {
				if _, err := fmt.Fprintf(c.Response(), "data: %d\n\n", i); err != nil {
					return nil
				}
				c.Response().Flush()
				time.Sleep(100 * time.Millisecond) // the handler is slow on purpose, past the timeouts
			}
			return nil
		}
	}
	s := startServer(t, Options{ReadTimeout: 250 * time.Millisecond, WriteTimeout: 250 * time.Millisecond}, nil, func(s *Server) {
		s.Echo.GET("/api/web/logs/stream", handler(true))
		s.Echo.GET("/api/web/slow", handler(false))
	})
	read := func(path string) string {
		res, err := http.Get("http://" + s.Addr() + path)
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	require.Equal(t, events, strings.Count(read("/api/web/logs/stream"), "data:"), "an event stream is not cut by the write timeout")
	require.Less(t, strings.Count(read("/api/web/slow"), "data:"), events, "an ordinary response is")
}
