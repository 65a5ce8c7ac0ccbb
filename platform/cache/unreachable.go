package cache

import (
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/bkjob/bkjob/platform/errs"
)

// unreachable marks err as Redis being out of reach (errs.ErrRedis) when it
// is a connection-level failure (refused, reset, closed, a dial or read
// that failed on the network) rather than a command's own error; err stays
// in the chain for errors.Is and the log.
func unreachable(err error) error {
	var opErr *net.OpError
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, errs.ErrRedis):
		return err
	case errors.As(err, &opErr), errors.As(err, &dnsErr),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		return errs.Unreachable(errs.ErrRedis, err)
	}
	return err
}
