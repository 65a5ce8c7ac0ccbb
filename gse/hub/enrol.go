package hub

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// credentialBytes is the size of an agent's secret: 256 random bits.
const credentialBytes = 32

// UnconfirmedEnrolWindow is how long after its enrolment an agent id whose
// credential was never confirmed (the agent never said "enrolled": it lost
// the welcome, or is an old binary that ignores credentials, or is an
// attacker) may be enrolled again by a token of its business. After that
// the id needs its credential, or an operator revokes it. Short, because
// anyone with a same-business token who knows the id (bk_agent_id in the
// API) can use it; long enough for a real agent to retry a lost welcome.
const UnconfirmedEnrolWindow = 10 * time.Minute

// maxAgentIDLen bounds agent ids (the host table's agent_id column).
const maxAgentIDLen = 64

// Enrolment errors. Each refuses a connection; none says more to the agent
// than "refused".
var (
	// ErrBadCredential: no agent with that id, or a wrong secret.
	ErrBadCredential = errors.New("unknown agent or wrong credential")
	// ErrRevoked: an operator revoked the agent.
	ErrRevoked = errors.New("agent revoked")
	// ErrNeedsCredential: the agent id is enrolled, a token cannot reclaim it.
	ErrNeedsCredential = errors.New("agent id already enrolled: reclaiming it needs its credential")
	// ErrOtherBusiness: the host row belongs to another business than the token's.
	ErrOtherBusiness = errors.New("host belongs to another business than the token")
	// ErrAgentlessHost: the address is an agentless (SSH) host.
	ErrAgentlessHost = errors.New("host is an agentless (SSH) host")
)

// CredentialRecord is one row of agent_credential (schema 0070): an
// agent's own secret, as its SHA-256, bound to its business and host row.
type CredentialRecord struct {
	AgentID      string     `gorm:"column:agent_id;primaryKey"`
	BizID        int64      `gorm:"column:biz_id"`
	HostID       int64      `gorm:"column:host_id"`
	SecretSHA256 string     `gorm:"column:secret_sha256"`
	EnrolledAt   time.Time  `gorm:"column:enrolled_at"`
	ConfirmedAt  *time.Time `gorm:"column:confirmed_at"`
	RevokedAt    *time.Time `gorm:"column:revoked_at"`
	RevokedBy    string     `gorm:"column:revoked_by"`
}

// TableName is the agent credential table.
func (CredentialRecord) TableName() string { return "agent_credential" }

// newSecret returns a fresh credential and its stored hash.
func newSecret() (secret, hash string, err error) {
	b := make([]byte, credentialBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("generate agent credential: %w", err)
	}
	secret = hex.EncodeToString(b)
	return secret, hashSecret(secret), nil
}

// hashSecret is what agent_credential stores: one SHA-256, cheap enough
// that thousands of agents reconnecting at once cost nothing noticeable.
// A 256-bit random secret needs no slow hash.
func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// credential returns the record of agentID; found is false when there is none.
func credential(tx *gorm.DB, agentID string) (CredentialRecord, bool, error) {
	var rows []CredentialRecord
	if err := tx.Where("agent_id = ?", agentID).Limit(1).Find(&rows).Error; err != nil {
		return CredentialRecord{}, false, fmt.Errorf("find credential of agent %s: %w", agentID, err)
	}
	if len(rows) == 0 {
		return CredentialRecord{}, false, nil
	}
	return rows[0], true, nil
}

// Verify checks an agent's credential: the agent exists, is not revoked and
// secret hashes to the stored value (compared in constant time).
func (r *Registry) Verify(ctx context.Context, agentID, secret string) (CredentialRecord, error) {
	if agentID == "" || len(agentID) > maxAgentIDLen || secret == "" {
		return CredentialRecord{}, ErrBadCredential
	}
	rec, found, err := credential(r.db.WithContext(ctx), agentID)
	if err != nil {
		return CredentialRecord{}, err
	}
	if !found || rec.SecretSHA256 == "" {
		return CredentialRecord{}, ErrBadCredential
	}
	if subtle.ConstantTimeCompare([]byte(rec.SecretSHA256), []byte(hashSecret(secret))) != 1 {
		return CredentialRecord{}, ErrBadCredential
	}
	if rec.RevokedAt != nil {
		return CredentialRecord{}, ErrRevoked
	}
	return rec, nil
}

// Confirm records that agentID has stored its credential: from now on a
// token can no longer enrol that agent id again.
func (r *Registry) Confirm(ctx context.Context, agentID string) error {
	now := time.Now().UTC()
	err := r.db.WithContext(ctx).Model(&CredentialRecord{}).
		Where("agent_id = ? AND confirmed_at IS NULL AND revoked_at IS NULL", agentID).
		Update("confirmed_at", now).Error
	if err != nil {
		return fmt.Errorf("confirm credential of agent %s: %w", agentID, err)
	}
	return nil
}

// revokedChunk bounds the IN list of one revocation query.
const revokedChunk = 500

// RevokedAmong returns those of ids whose credential is revoked, whenever
// that happened, querying revokedChunk ids at a time.
func (r *Registry) RevokedAmong(ctx context.Context, ids []string) ([]string, error) {
	var out []string
	for start := 0; start < len(ids); start += revokedChunk {
		var chunk []string
		err := r.db.WithContext(ctx).Model(&CredentialRecord{}).
			Where("agent_id IN ? AND revoked_at IS NOT NULL", ids[start:min(start+revokedChunk, len(ids))]).
			Pluck("agent_id", &chunk).Error
		if err != nil {
			return nil, fmt.Errorf("find revoked agents: %w", err)
		}
		out = append(out, chunk...)
	}
	return out, nil
}

// Revoke refuses agentID from now on and frees its host row, so a new
// agent of the host's business can enrol for it. It reports whether there
// was such an agent. Operators reach it through manage's revoke_agent;
// the hub disconnects a revoked agent within a monitor tick.
func (r *Registry) Revoke(ctx context.Context, agentID, by string) (bool, error) {
	found := false
	err := r.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := time.Now().UTC()
		rec, ok, err := credential(tx, agentID)
		if err != nil {
			return err
		}
		host, err := first(tx.Where("agent_id = ?", agentID))
		if err != nil {
			return err
		}
		if !ok && host == nil {
			return nil
		}
		found = true
		if host != nil {
			if err := tx.Model(&HostRecord{}).Where("id = ?", host.ID).
				Updates(map[string]any{"agent_id": nil, "alive": false, "updated_at": now}).Error; err != nil {
				return fmt.Errorf("free host %d: %w", host.ID, err)
			}
		}
		if ok {
			if rec.RevokedAt != nil {
				return nil
			}
			return tx.Model(&CredentialRecord{}).Where("agent_id = ?", agentID).
				Updates(map[string]any{"revoked_at": now, "revoked_by": by}).Error
		}
		// A legacy agent (no credential yet): record the revocation so a
		// token can never enrol that id again.
		return tx.Create(&CredentialRecord{AgentID: agentID, BizID: host.BizID, HostID: host.ID,
			EnrolledAt: now, RevokedAt: &now, RevokedBy: by}).Error
	})
	if err != nil {
		return false, fmt.Errorf("revoke agent %s: %w", agentID, err)
	}
	return found, nil
}

// watchRevocations cuts off agents an operator revoked, checking every
// half heartbeat interval. Each check asks about every agent connected to
// this hub, however long ago it was revoked, so a missed check (database
// outage, stalled hub, clock skew) is made up by the next one. Their
// reconnection is refused by Verify.
func (h *Hub) watchRevocations() {
	ticker := time.NewTicker(max(h.cfg.HeartbeatInterval/2, 10*time.Millisecond))
	defer ticker.Stop()
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-ticker.C:
		}
		connected := h.connectedAgents()
		if len(connected) == 0 {
			continue
		}
		ctx, cancel := context.WithTimeout(h.ctx, 10*time.Second)
		ids, err := h.registry.RevokedAmong(ctx, connected)
		cancel()
		if err != nil {
			h.log.Warn("check revoked agents", "err", err)
			continue
		}
		if len(ids) > 0 {
			h.disconnect(ids)
		}
	}
}

// connectedAgents lists the ids of the agents connected to this hub.
func (h *Hub) connectedAgents() []string {
	var ids []string
	for _, l := range h.allLinks() {
		if c := l.currentConn(); c != nil {
			ids = append(ids, c.agentID)
		}
	}
	return ids
}

// disconnect closes the connections of the agents ids.
func (h *Hub) disconnect(ids []string) {
	revoked := make(map[string]bool, len(ids))
	for _, id := range ids {
		revoked[id] = true
	}
	for _, l := range h.allLinks() {
		if c := l.currentConn(); c != nil && revoked[c.agentID] {
			h.log.Warn("revoked agent disconnected", "agent_id", c.agentID, "host_id", c.hostID)
			_ = c.conn.CloseNow()
		}
	}
}
