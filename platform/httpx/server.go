// Package httpx is bkjob's HTTP plumbing: the echo server every process runs,
// request ids, access logs, panic recovery, the one error mapper, health and
// readiness, Prometheus metrics and the single-page UI with its fallback.
package httpx

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
)

// Server is the process's HTTP server.
type Server struct {
	Echo     *echo.Echo
	Registry *prometheus.Registry
	log      *slog.Logger
	addr     string
	srv      *http.Server
	ln       net.Listener
	// closing ends every request's context at shutdown, so long-lived
	// requests (log streams) return instead of holding shutdown up.
	closing context.CancelFunc
}

// NewServer builds an echo instance with the standard middleware chain.
func NewServer(addr string, log *slog.Logger) *Server {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	reg := prometheus.NewRegistry()
	m := newMetrics(reg)
	e.HTTPErrorHandler = ErrorHandler(log)
	e.Use(middleware.RequestID())
	e.Use(requestIDContext)
	e.Use(recoverMiddleware(log))
	e.Use(accessLog(log, m))
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Set(loggerKey, log)
			return next(c)
		}
	})
	base, closing := context.WithCancel(context.Background())
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return base }}
	return &Server{Echo: e, Registry: reg, log: log, addr: addr, srv: srv, closing: closing}
}

// Listen binds the address (so a port conflict fails start-up, not later).
func (s *Server) Listen() error {
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.addr, err)
	}
	s.ln = ln
	return nil
}

// Addr is the bound address (useful with port 0).
func (s *Server) Addr() string {
	if s.ln == nil {
		return s.addr
	}
	return s.ln.Addr().String()
}

// Serve serves until Shutdown; it returns nil on a clean shutdown.
func (s *Server) Serve() error {
	s.log.Info("http listening", "addr", s.Addr())
	if err := s.srv.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve http: %w", err)
	}
	return nil
}

// Shutdown stops accepting requests and waits for in-flight ones until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closing()
	err := s.srv.Shutdown(ctx)
	if s.ln != nil {
		_ = s.ln.Close() // when Serve never ran
	}
	return err
}

func recoverMiddleware(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			defer func() {
				if r := recover(); r != nil {
					log.Error("http handler panicked", "path", c.Request().URL.Path, "panic", fmt.Sprint(r))
					err = fmt.Errorf("handler panicked: %v", r)
				}
			}()
			return next(c)
		}
	}
}

func accessLog(log *slog.Logger, m *metrics) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err) // write the response now so the status is known
			}
			took := time.Since(start)
			status := c.Response().Status
			route := c.Path()
			if route == "" {
				route = "unmatched"
			}
			m.observe(c.Request().Method, route, status, took)
			level := slog.LevelInfo
			if route == "/healthz" || route == "/readyz" || route == "/metrics" {
				level = slog.LevelDebug
			}
			log.Log(c.Request().Context(), level, "http request",
				"method", c.Request().Method, "path", c.Request().URL.Path, "status", status,
				"took", took, "bytes", c.Response().Size, "request_id", c.Response().Header().Get(echo.HeaderXRequestID))
			return nil
		}
	}
}

// loggerKey holds the server's logger on each request, for helpers that
// write responses (V3Error) and must log what they do not show.
const loggerKey = "bkjob.logger"

func loggerOf(c echo.Context) *slog.Logger {
	if l, ok := c.Get(loggerKey).(*slog.Logger); ok {
		return l
	}
	return slog.New(slog.DiscardHandler)
}
