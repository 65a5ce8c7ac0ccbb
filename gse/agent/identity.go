package agent

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/bkjob/bkjob/gse/wire"
)

// agentIDFile holds the agent's stable id inside the data dir.
const agentIDFile = "agent-id"

// loadAgentID reads <dataDir>/agent-id, creating it with a new random id.
func loadAgentID(dataDir string) (string, error) {
	path := filepath.Join(dataDir, agentIDFile)
	b, err := os.ReadFile(path)
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
		h.IP = "127.0.0.1"
		if len(h.IPv4) > 0 {
			h.IP = h.IPv4[0]
		}
	}
	if net.ParseIP(h.IP) == nil {
		return nil, fmt.Errorf("agent ip %q is not an IP address", h.IP)
	}
	return h, nil
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
