package agent

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/bkjob/bkjob/gse/wire"
)

// agentIDFile holds the agent's stable id inside the data dir.
const agentIDFile = "agent-id"

// LoadID returns the id of the agent of dataDir (<dataDir>/agent-id),
// creating it when there is none: what the server reads before starting
// its built-in agent, whose enrolment token admits that id only.
func LoadID(dataDir string) (string, error) { return loadAgentID(dataDir) }

// loadAgentID reads <dataDir>/agent-id, creating it with a new random id.
func loadAgentID(dataDir string) (string, error) {
	path := filepath.Join(dataDir, agentIDFile)
	b, err := os.ReadFile(path) //nolint:gosec // G304: an identity file in the agent's data dir
	if err == nil {
		if id := strings.TrimSpace(string(b)); id != "" {
			return id, nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("read agent id %s: %w", path, err)
	}
	raw := make([]byte, 16)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("generate agent id: %w", err)
	}
	id := "bkjob-" + hex.EncodeToString(raw)
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", fmt.Errorf("create data dir %s: %w", dataDir, err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(id+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write agent id %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", fmt.Errorf("write agent id %s: %w", path, err)
	}
	return id, nil
}

// hello describes this host.
func hello(o Options, agentID string) (*wire.Hello, error) {
	h := &wire.Hello{
		AgentID: agentID,
		OS:      runtime.GOOS,
		Arch:    runtime.GOARCH,
		Version: o.Version,
		CloudID: o.CloudID,
	}
	h.Hostname = o.Hostname
	if h.Hostname == "" {
		name, err := os.Hostname()
		if err != nil {
			return nil, fmt.Errorf("read hostname: %w", err)
		}
		h.Hostname = name
	}
	h.IPv4, h.IPv6 = localAddrs()
	h.IP = o.IP
	if h.IP == "" {
		h.IP = defaultIP(h.IPv4)
	}
	if net.ParseIP(h.IP) == nil {
		return nil, fmt.Errorf("agent ip %q is not an IP address", h.IP)
	}
	return h, nil
}

// DefaultIP is the address an agent started without --ip registers under:
// this host's first global unicast IPv4 address, else 127.0.0.1.
func DefaultIP() string {
	v4, _ := localAddrs()
	return defaultIP(v4)
}

func defaultIP(v4 []string) string {
	if len(v4) > 0 {
		return v4[0]
	}
	return "127.0.0.1"
}

// localAddrs lists the host's global unicast addresses, IPv4 and IPv6.
func localAddrs() (v4, v6 []string) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil, nil
	}
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok || !n.IP.IsGlobalUnicast() {
			continue
		}
		if ip4 := n.IP.To4(); ip4 != nil {
			v4 = append(v4, ip4.String())
		} else {
			v6 = append(v6, n.IP.String())
		}
	}
	return v4, v6
}

// Files of the agent's identity inside the data dir, all 0600.
const (
	// credentialFile holds the agent's own credential, issued by the hub at
	// enrolment; from then on the agent presents it instead of a token.
	credentialFile = "agent-credential" //nolint:gosec // G101: a file name, not a credential
	// TokenFile may hold the enrolment token when Options.Token is empty
	// (how `serve` hands one to its built-in agent without its environment).
	TokenFile = "enrol-token" //nolint:gosec // G101: a file name, not a token
)

// loadSecretFile reads a one-line secret from the data dir, "" when the
// file does not exist.
func loadSecretFile(dataDir, name string) (string, error) {
	path := filepath.Join(dataDir, name)
	b, err := os.ReadFile(path) //nolint:gosec // G304: an identity file in the agent's data dir
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// saveCredential stores the agent's credential 0600, durably, before the
// agent tells the hub it has it.
func saveCredential(dataDir, secret string) error {
	path := filepath.Join(dataDir, credentialFile)
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600) //nolint:gosec // G304: an identity file in the agent's data dir
	if err != nil {
		return fmt.Errorf("write agent credential %s: %w", tmp, err)
	}
	_, err = f.WriteString(secret + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write agent credential %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write agent credential %s: %w", path, err)
	}
	if d, err := os.Open(dataDir); err == nil { //nolint:gosec // G304: the agent's data dir, opened to sync it
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// credentials is how the agent proves who it is: its own credential once
// enrolled, before that the enrolment token.
type credentials struct {
	dataDir string
	token   string

	mu   sync.Mutex
	cred string
}

// loadCredentials reads the agent's credential from dataDir; token is the
// enrolment token (from TokenFile when empty). Run needs one of them.
func loadCredentials(dataDir, token string) (*credentials, error) {
	cred, err := loadSecretFile(dataDir, credentialFile)
	if err != nil {
		return nil, err
	}
	if token == "" {
		if token, err = loadSecretFile(dataDir, TokenFile); err != nil {
			return nil, err
		}
	}
	return &credentials{dataDir: dataDir, token: token, cred: cred}, nil
}

// errNoCredentials means the agent has neither a credential nor a token.
var errNoCredentials = errors.New("agent: a token is required until the agent holds a credential (--token, BKJOB_AGENT_TOKEN or " + TokenFile + " in the data dir)")

// usable reports whether the agent has something to present.
func (c *credentials) usable() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cred != "" || c.token != ""
}

// header is the dial's authorization: the credential with the agent id,
// or the token. enrolling says it is the token.
func (c *credentials) header(agentID string) (h http.Header, enrolling bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cred != "" {
		return http.Header{"Authorization": {"Bearer " + c.cred}, wire.HeaderAgentID: {agentID}}, false
	}
	return http.Header{"Authorization": {"Bearer " + c.token}}, true
}

// store keeps the credential the hub issued, on disk first.
func (c *credentials) store(secret string) error {
	if err := saveCredential(c.dataDir, secret); err != nil {
		return err
	}
	c.mu.Lock()
	c.cred = secret
	c.mu.Unlock()
	return nil
}
