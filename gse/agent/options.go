package agent

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/bkjob/bkjob/gse/wire"
	"github.com/bkjob/bkjob/platform/version"
)

// Options configure one agent.
type Options struct {
	// Server is the hub's base URL: http(s)://host:port or ws(s)://host:port;
	// the path /gse/v1/agent is appended when the URL has none.
	Server string
	// Token admits the agent's first connection (gse.agent_tokens on the
	// server); the server then issues the agent its own credential, kept in
	// DataDir, and the token is no longer used. When empty, TokenFile in
	// DataDir is read; it may stay empty once the agent holds a credential.
	Token string
	// IP overrides the address the host is registered under.
	IP string
	// CloudID is the host's cloud area (0 = direct).
	CloudID int64
	// DataDir keeps the agent id and the task spool. Required.
	DataDir string
	// CAFile pins the CA(s) that sign the server certificate (https/wss),
	// or the server's certificate itself. It is read again on every dial.
	CAFile string
	// ServerName is the name the server certificate must carry when it is
	// not the host in Server (the built-in agent dials 127.0.0.1).
	ServerName string
	// MaxTasks bounds the tasks running at once; extra ones queue. Default 32.
	MaxTasks int
	// KillGrace is the wait between SIGTERM and SIGKILL on stop. Default 5s.
	KillGrace time.Duration
	// ScriptDir holds the private per-script temp dirs. Default os.TempDir().
	ScriptDir string
	// ReconnectMin and ReconnectMax bound the reconnect backoff. Defaults 500ms, 30s.
	ReconnectMin time.Duration
	ReconnectMax time.Duration
	// Version is reported to the hub. Default platform/version.Version.
	Version string
	// WindowsInterpreter runs shell scripts on a Windows host (bk-job's
	// windows_interpreter), e.g. C:\cygwin64\bin\bash.exe. Default: bash
	// from PATH. Ignored elsewhere.
	WindowsInterpreter string
	// Hostname overrides os.Hostname (tests).
	Hostname string
}

// ErrUnauthorized means the hub refused the agent's token or credential
// (unknown, or the agent was revoked); Run returns it at once.
var ErrUnauthorized = errors.New("refused by the server")

func (o Options) withDefaults() (Options, error) {
	if o.Server == "" {
		return o, errors.New("agent: server URL is required")
	}
	if o.DataDir == "" {
		return o, errors.New("agent: data dir is required")
	}
	if o.MaxTasks <= 0 {
		o.MaxTasks = 32
	}
	if o.KillGrace <= 0 {
		o.KillGrace = 5 * time.Second
	}
	if o.ScriptDir == "" {
		o.ScriptDir = os.TempDir()
	}
	if o.ReconnectMin <= 0 {
		o.ReconnectMin = 500 * time.Millisecond
	}
	if o.ReconnectMax < o.ReconnectMin {
		o.ReconnectMax = max(30*time.Second, o.ReconnectMin)
	}
	if o.Version == "" {
		o.Version = version.Version
	}
	return o, nil
}

// dialURL turns Server into the WebSocket URL of the agent endpoint.
func dialURL(server string) (string, error) {
	u, err := url.Parse(server)
	if err != nil {
		return "", fmt.Errorf("parse server url %q: %w", server, err)
	}
	switch u.Scheme {
	case "http", "ws":
		u.Scheme = "ws"
	case "https", "wss":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("server url %q: scheme must be http, https, ws or wss", server)
	}
	if u.Host == "" {
		return "", fmt.Errorf("server url %q: no host", server)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = wire.Path
	} else if !strings.HasSuffix(u.Path, wire.Path) {
		u.Path = strings.TrimSuffix(u.Path, "/") + wire.Path
	}
	return u.String(), nil
}
