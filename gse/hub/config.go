package hub

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bkjob/bkjob/platform/blob"
	"github.com/bkjob/bkjob/platform/config"
)

// DefaultBiz is the business of hosts admitted by a token without one.
const DefaultBiz = 1

// Config configures a Hub.
type Config struct {
	// Tokens admit agents: "TOKEN" or "BIZ:TOKEN".
	Tokens []string
	// HeartbeatInterval is how often agents heartbeat.
	HeartbeatInterval time.Duration
	// OfflineAfterMissed heartbeats make a host offline.
	OfflineAfterMissed int
	// MaxOutputBytes caps each host's output per script task.
	MaxOutputBytes int64
	// Blob serves file sources given by blob key; nil refuses them.
	Blob blob.Store
	// Local is the built-in agent's own enrolment (empty: none).
	Local LocalEnrolment
}

// LocalEnrolment admits the built-in agent: a random token that lives only
// in the server process's memory. Unlike Tokens it enrols one identity and
// nothing else: only from a loopback peer, only agent id AgentID (read from
// the built-in agent's data dir before it starts), in cloud 0 and, when IP
// is set, at IP. Whoever reads it (root on the server host, who can read
// the built-in agent's credential anyway) can at most enrol that one agent
// id, and only while the id has no confirmed credential (see
// UnconfirmedEnrolWindow); never a new host.
type LocalEnrolment struct {
	Token   string
	AgentID string
	IP      string // empty: any address the agent reports
}

// ConfigFrom builds a Config from the gse section: agent_tokens plus
// bootstrap_token.
func ConfigFrom(c config.GSE, store blob.Store) Config {
	tokens := append([]string(nil), c.AgentTokens...)
	if c.BootstrapToken != "" {
		tokens = append(tokens, c.BootstrapToken)
	}
	return Config{
		Tokens:             tokens,
		HeartbeatInterval:  c.HeartbeatInterval,
		OfflineAfterMissed: c.OfflineAfterMissed,
		MaxOutputBytes:     c.MaxOutputBytes,
		Blob:               store,
	}
}

func (c Config) withDefaults() Config {
	if c.HeartbeatInterval <= 0 {
		c.HeartbeatInterval = 10 * time.Second
	}
	if c.OfflineAfterMissed <= 0 {
		c.OfflineAfterMissed = 3
	}
	if c.MaxOutputBytes <= 0 {
		c.MaxOutputBytes = 5 << 20
	}
	return c
}

// offlineAfter is how long a silent agent stays online.
func (c Config) offlineAfter() time.Duration {
	return time.Duration(c.OfflineAfterMissed) * c.HeartbeatInterval
}

// token is one accepted agent token.
type token struct {
	secret []byte
	biz    int64
}

// parseTokens reads "TOKEN" and "BIZ:TOKEN" entries.
func parseTokens(list []string) ([]token, error) {
	var out []token
	for i, raw := range list {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		t := token{secret: []byte(raw), biz: DefaultBiz}
		if head, rest, ok := strings.Cut(raw, ":"); ok && head != "" && strings.Trim(head, "0123456789") == "" {
			biz, err := strconv.ParseInt(head, 10, 64)
			if err != nil || biz <= 0 {
				return nil, fmt.Errorf("agent token %d: business id %q must be a positive number", i, head)
			}
			if rest == "" {
				return nil, fmt.Errorf("agent token %d: empty token after business id %d", i, biz)
			}
			t = token{secret: []byte(rest), biz: biz}
		}
		out = append(out, t)
	}
	return out, nil
}

// errBadToken means no configured token matched.
var errBadToken = errors.New("unknown agent token")

// match returns the business of the token presented, comparing every
// configured token in constant time.
func match(tokens []token, presented string) (int64, error) {
	var biz int64
	for _, t := range tokens {
		if subtle.ConstantTimeCompare(t.secret, []byte(presented)) == 1 && biz == 0 {
			biz = t.biz
		}
	}
	if biz == 0 || presented == "" {
		return 0, errBadToken
	}
	return biz, nil
}
