package hub_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/bkjob/bkjob/gse/hub"
)

// storeToken writes an enrolment token of biz as manage's
// create_agent_token does and returns its secret.
func storeToken(t *testing.T, gdb *gorm.DB, biz int64, expires *time.Time) (string, hub.EnrolTokenRecord) {
	t.Helper()
	secret, hash, err := hub.NewEnrolToken()
	require.NoError(t, err)
	now := time.Now().UTC()
	rec := hub.EnrolTokenRecord{BizID: biz, Name: "t", SecretSHA256: hash, ExpiresAt: expires, CreatedAt: now, UpdatedAt: now}
	require.NoError(t, gdb.Create(&rec).Error)
	return secret, rec
}

// TestStoredEnrolTokens: a token kept in the database admits an agent to
// its own business next to the configured tokens, records its use, and
// stops admitting when rotated, expired or deleted, while the agents it
// enrolled keep their credentials.
func TestStoredEnrolTokens(t *testing.T) {
	gdb := newSQLite(t)
	th, _ := startHubOn(t, gdb, tokOne)
	ctx := context.Background()

	secret, tok := storeToken(t, gdb, 2, nil)
	r := rawHello(t, th, tokenHeader(secret), "stored-1", "10.30.0.1")
	require.NoError(t, r.err)
	require.NotEmpty(t, r.welcome.Credential, "enrolled with its own credential")
	require.EqualValues(t, 2, hostRow(t, th, "10.30.0.1").BizID, "the host goes to the token's business")
	var used hub.EnrolTokenRecord
	require.NoError(t, gdb.Where("id = ?", tok.ID).Take(&used).Error)
	require.NotNil(t, used.LastUsedAt, "last use recorded")

	// The configured token works as before.
	require.NoError(t, rawHello(t, th, tokenHeader(secretOf(tokOne)), "config-1", "10.30.0.2").err)

	// Refused: a wrong secret, an expired token, one shaped like ours but unknown.
	past := time.Now().Add(-time.Minute)
	expired, _ := storeToken(t, gdb, 2, &past)
	fresh, _, err := hub.NewEnrolToken()
	require.NoError(t, err)
	for name, s := range map[string]string{"wrong": secret[:len(secret)-2] + "00", "expired": expired, "unknown": fresh, "prefix only": hub.EnrolTokenPrefix} {
		r := rawHello(t, th, tokenHeader(s), "stored-"+name, "10.30.0.9")
		require.Equal(t, http.StatusUnauthorized, r.status, name)
	}

	// Rotation: the old secret no longer enrols; the enrolled agent's
	// credential still admits it.
	_, hash, err := hub.NewEnrolToken()
	require.NoError(t, err)
	require.NoError(t, gdb.Model(&hub.EnrolTokenRecord{}).Where("id = ?", tok.ID).Update("secret_sha256", hash).Error)
	require.Equal(t, http.StatusUnauthorized, rawHello(t, th, tokenHeader(secret), "stored-2", "10.30.0.3").status)
	_ = r.conn.CloseNow()
	back := rawHello(t, th, credHeader("stored-1", r.welcome.Credential), "stored-1", "10.30.0.1")
	require.NoError(t, back.err, "rotation leaves enrolled agents alone")
	require.Empty(t, back.welcome.Credential)

	// Deleted: the same.
	require.NoError(t, gdb.Delete(&hub.EnrolTokenRecord{}, tok.ID).Error)
	_ = back.conn.CloseNow()
	require.NoError(t, rawHello(t, th, credHeader("stored-1", r.welcome.Credential), "stored-1", "10.30.0.1").err)
	_, err = th.hub.Registry().MatchEnrolToken(ctx, secret, time.Now())
	require.Error(t, err)
}
