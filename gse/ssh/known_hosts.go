package ssh

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// KnownHosts stores the host keys bkjob trusts, keyed by endpoint address
// ("host:port"; implementations normalise it as OpenSSH does).
type KnownHosts interface {
	// Lookup returns the keys recorded for addr; none is not an error.
	Lookup(ctx context.Context, addr string) ([]ssh.PublicKey, error)
	// Add records key for addr.
	Add(ctx context.Context, addr string, key ssh.PublicKey) error
}

// Host key errors.
var (
	ErrUnknownHostKey  = errors.New("unknown host key")
	ErrHostKeyMismatch = errors.New("host key mismatch")
)

// hostKeyCallback verifies a server's key against known. A host with no
// recorded key is refused unless tofu is set, in which case its key is
// accepted and, when record is set, recorded. A login test passes record
// false: testing an address must not pin whatever key answered there (the
// first real run records it), so a probe of a wrong address leaves no trust
// behind.
func hostKeyCallback(ctx context.Context, known KnownHosts, tofu, record bool, addr string) ssh.HostKeyCallback {
	return func(_ string, _ net.Addr, key ssh.PublicKey) error {
		keys, err := known.Lookup(ctx, addr)
		if err != nil {
			return fmt.Errorf("look up host key of %s: %w", addr, err)
		}
		for _, k := range keys {
			if k.Type() == key.Type() && bytes.Equal(k.Marshal(), key.Marshal()) {
				return nil
			}
		}
		if len(keys) > 0 {
			return fmt.Errorf("%w for %s: got %s %s", ErrHostKeyMismatch, addr, key.Type(), ssh.FingerprintSHA256(key))
		}
		if !tofu {
			return fmt.Errorf("%w for %s (%s %s): add it to known hosts or enable trust on first use",
				ErrUnknownHostKey, addr, key.Type(), ssh.FingerprintSHA256(key))
		}
		if !record {
			return nil
		}
		if err := known.Add(ctx, addr, key); err != nil {
			return fmt.Errorf("record host key of %s: %w", addr, err)
		}
		return nil
	}
}

// normalizeAddr returns addr as known_hosts writes it: "host" for port 22,
// "[host]:port" otherwise.
func normalizeAddr(addr string) string {
	return knownhosts.Normalize(addr)
}
