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

	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/i18n"
)

// Server is the process's HTTP server.
type Server struct {
	Echo     *echo.Echo
	Registry *prometheus.Registry
	log      *slog.Logger
	addr     string
	srv      *http.Server
	ln       net.Listener
	limits   *bodyLimits
	certs    *certReloader // nil: plain HTTP
	// closing ends every request's context at shutdown, so long-lived
	// requests (log streams) return instead of holding shutdown up.
	base    context.Context
	closing context.CancelFunc
}

// Options configure the server. Zero limits and timeouts take the defaults
// of config's embedded defaults.yaml.
type Options struct {
	Addr              string
	MaxBodyBytes      int64
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	// TrustedProxies are the peers whose X-Forwarded-For / X-Real-IP
	// headers c.RealIP() believes; none by default.
	TrustedProxies []*net.IPNet
	// TLSCertFile and TLSKeyFile, both set, make the server speak HTTPS.
	TLSCertFile, TLSKeyFile string
}

// OptionsFrom reads the http section of the configuration.
func OptionsFrom(h config.HTTP) (Options, error) {
	proxies, err := config.ParseTrustedProxies(h.TrustedProxies)
	if err != nil {
		return Options{}, err
	}
	return Options{
		Addr: h.Addr, MaxBodyBytes: h.MaxBodyBytes, TrustedProxies: proxies,
		ReadHeaderTimeout: h.ReadHeaderTimeout, ReadTimeout: h.ReadTimeout,
		WriteTimeout: h.WriteTimeout, IdleTimeout: h.IdleTimeout,
		TLSCertFile: h.TLSCertFile, TLSKeyFile: h.TLSKeyFile,
	}, nil
}

func (o Options) withDefaults() Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 1 << 20
	}
	def(&o.ReadHeaderTimeout, 10*time.Second)
	def(&o.ReadTimeout, 60*time.Second)
	def(&o.WriteTimeout, 60*time.Second)
	def(&o.IdleTimeout, 120*time.Second)
	return o
}

// NewServer builds an echo instance with the standard middleware chain. It
// fails only when the TLS certificate or key cannot be loaded (or the
// embedded message catalogue fails its checks, which i18n's tests rule out).
func NewServer(opts Options, log *slog.Logger) (*Server, error) {
	opts = opts.withDefaults()
	cat, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.IPExtractor = ipExtractor(opts.TrustedProxies)
	reg := prometheus.NewRegistry()
	m := newMetrics(reg)
	limits := &bodyLimits{fallback: opts.MaxBodyBytes, routes: map[string]int64{}}
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
	e.Use(language(cat))
	e.Use(bodyLimit(limits))
	e.Use(streamDeadlines)
	base, closing := context.WithCancel(context.Background())
	srv := &http.Server{Handler: e,
		ReadHeaderTimeout: opts.ReadHeaderTimeout, ReadTimeout: opts.ReadTimeout,
		WriteTimeout: opts.WriteTimeout, IdleTimeout: opts.IdleTimeout,
		BaseContext: func(net.Listener) context.Context { return base }}
	s := &Server{Echo: e, Registry: reg, log: log, addr: opts.Addr, srv: srv, limits: limits, base: base, closing: closing}
	if opts.TLSCertFile != "" || opts.TLSKeyFile != "" {
		certs, err := newCertReloader(opts.TLSCertFile, opts.TLSKeyFile, log)
		if err != nil {
			closing()
			return nil, err
		}
		s.certs = certs
		srv.TLSConfig = certs.tlsConfig()
	}
	return s, nil
}

// TLS reports whether the server speaks HTTPS.
func (s *Server) TLS() bool { return s.certs != nil }

// URL is the server's base URL on its bound address (https:// with TLS).
func (s *Server) URL() string {
	if s.TLS() {
		return "https://" + s.Addr()
	}
	return "http://" + s.Addr()
}

// ReloadTLS loads the certificate and key files again (what SIGHUP does);
// new connections get the new certificate, open ones keep theirs.
func (s *Server) ReloadTLS() error {
	if s.certs == nil {
		return nil
	}
	return s.certs.reload()
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

// Serve serves until Shutdown; it returns nil on a clean shutdown. With TLS
// it reloads the certificate on SIGHUP while it serves.
func (s *Server) Serve() error {
	s.log.Info("http listening", "addr", s.Addr(), "tls", s.TLS())
	var err error
	if s.certs != nil {
		go s.certs.watchSIGHUP(s.base)
		err = s.srv.ServeTLS(s.ln, "", "")
	} else {
		err = s.srv.Serve(s.ln)
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
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
				"took", took, "bytes", c.Response().Size, "remote", c.RealIP(), "request_id", c.Response().Header().Get(echo.HeaderXRequestID))
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
