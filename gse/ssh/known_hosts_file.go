package ssh

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// FileKnownHosts is a KnownHosts backed by an OpenSSH known_hosts file
// (plain, hashed and wildcard entries are understood; Add appends plain
// lines). A missing file holds no keys.
type FileKnownHosts struct {
	path string
	mu   sync.Mutex
}

var _ KnownHosts = (*FileKnownHosts)(nil)

// NewFileKnownHosts returns a store over the known_hosts file at path.
func NewFileKnownHosts(path string) *FileKnownHosts {
	return &FileKnownHosts{path: path}
}

// Lookup implements KnownHosts. It asks the knownhosts parser to check a
// throwaway probe key: the resulting KeyError lists the keys on file.
func (f *FileKnownHosts) Lookup(_ context.Context, addr string) ([]ssh.PublicKey, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := os.Stat(f.path); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	check, err := knownhosts.New(f.path)
	if err != nil {
		return nil, fmt.Errorf("read known hosts %s: %w", f.path, err)
	}
	probe, err := probeKey()
	if err != nil {
		return nil, err
	}
	remote, err := tcpAddr(addr)
	if err != nil {
		return nil, err
	}
	err = check(addr, remote, probe)
	var keyErr *knownhosts.KeyError
	switch {
	case err == nil:
		return nil, fmt.Errorf("known hosts %s: probe key unexpectedly accepted", f.path)
	case errors.As(err, &keyErr):
		keys := make([]ssh.PublicKey, 0, len(keyErr.Want))
		for _, k := range keyErr.Want {
			keys = append(keys, k.Key)
		}
		return keys, nil
	default:
		return nil, fmt.Errorf("check known hosts %s: %w", f.path, err)
	}
}

// Add implements KnownHosts by appending a line to the file.
func (f *FileKnownHosts) Add(_ context.Context, addr string, key ssh.PublicKey) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	file, err := os.OpenFile(f.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open known hosts %s: %w", f.path, err)
	}
	line := knownhosts.Line([]string{normalizeAddr(addr)}, key) + "\n"
	if _, err := file.WriteString(line); err != nil {
		_ = file.Close()
		return fmt.Errorf("write known hosts %s: %w", f.path, err)
	}
	if err := file.Close(); err != nil {
		return fmt.Errorf("close known hosts %s: %w", f.path, err)
	}
	return nil
}

func probeKey() (ssh.PublicKey, error) {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate probe key: %w", err)
	}
	key, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("wrap probe key: %w", err)
	}
	return key, nil
}

// tcpAddr turns "host:port" into a net.Addr for the knownhosts check. The
// host need not be an IP; a name is matched by its text only.
func tcpAddr(addr string) (net.Addr, error) {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("parse ssh address %q: %w", addr, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return nil, fmt.Errorf("parse ssh port %q: %w", portText, err)
	}
	ip := net.ParseIP(host)
	if ip == nil {
		ip = net.IPv4zero
	}
	return &net.TCPAddr{IP: ip, Port: port}, nil
}
