package ssh

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bkjob/bkjob/gse"
)

type dialKind int

const (
	dialNetwork dialKind = iota
	dialAuth
	dialHostKey
)

// dialError is a connection failure with what kind of failure it was.
type dialError struct {
	kind dialKind
	err  error
}

func (e *dialError) Error() string { return e.err.Error() }
func (e *dialError) Unwrap() error { return e.err }

// classifyHandshake sorts a handshake error into host key, auth or network.
func classifyHandshake(key connKey, err error) error {
	wrapped := fmt.Errorf("ssh handshake with %s as %s: %w", key.addr, key.user, err)
	switch {
	case errors.Is(err, ErrUnknownHostKey), errors.Is(err, ErrHostKeyMismatch):
		return &dialError{kind: dialHostKey, err: wrapped}
	case strings.Contains(err.Error(), "unable to authenticate"):
		return &dialError{kind: dialAuth, err: wrapped}
	default:
		return &dialError{kind: dialNetwork, err: wrapped}
	}
}

// hostFailure is a per-host failure with the host status it ends in.
type hostFailure struct {
	status int
	err    error
}

func (f *hostFailure) Error() string { return f.err.Error() }
func (f *hostFailure) Unwrap() error { return f.err }

func failf(status int, format string, args ...any) *hostFailure {
	return &hostFailure{status: status, err: fmt.Errorf(format, args...)}
}

// statusOf maps an error met while working on a host to a host status:
// connection trouble is an agent error, a refused login a user/password
// error, and anything already classified keeps its status.
func statusOf(err error) int {
	var hf *hostFailure
	if errors.As(err, &hf) {
		return hf.status
	}
	var de *dialError
	if errors.As(err, &de) {
		if de.kind == dialAuth {
			return gse.HostStatusGSEUserPwdError
		}
		return gse.HostStatusAgentError
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return gse.HostStatusTaskTimeout
	}
	return gse.HostStatusAgentError
}
