package manageimpl

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"testing"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"
	"gorm.io/gorm"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/bus"
	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/crypto"
	"github.com/bkjob/bkjob/platform/db"
	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/testenv"
)

// credEnv is a migrated SQLite database, the service with a secret box,
// and a bus serving it.
type credEnv struct {
	db   *gorm.DB
	impl *Service
	bus  bus.Bus
}

func newCredEnv(t *testing.T, gdb *gorm.DB) credEnv {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	box, err := crypto.Open("", t.TempDir())
	require.NoError(t, err)
	impl := New(gdb, log, WithCrypto(box))
	require.NoError(t, impl.Bootstrap(ctx))
	require.NoError(t, gdb.Create(&application{ID: 2, ScopeType: "biz", ScopeID: "2", Name: "Other"}).Error)
	b, err := bus.Open(ctx, config.Bus{Backend: "memory", CallTimeout: 5e9, Prefetch: 4, ExchangePrefix: "t"}, log)
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	require.NoError(t, manage.Serve(b, impl))
	return credEnv{db: gdb, impl: impl, bus: b}
}

// eachBackend runs fn with a migrated database of every backend: SQLite,
// and MySQL when BKJOB_TEST_MYSQL_DSN is set (required under CI=true).
func eachBackend(t *testing.T, fn func(t *testing.T, env credEnv)) {
	backends := map[string]func(t *testing.T) *gorm.DB{"sqlite": openSQLite, "mysql": openMySQL}
	for name, open := range backends {
		t.Run(name, func(t *testing.T) { fn(t, newCredEnv(t, open(t))) })
	}
}

func openSQLite(t *testing.T) *gorm.DB {
	t.Helper()
	ctx := context.Background()
	gdb, err := db.Open(ctx, config.DB{Driver: db.DriverSQLite, MaxOpenConns: 4}, t.TempDir(), slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close(gdb) })
	require.NoError(t, db.Migrate(ctx, gdb, db.DriverSQLite))
	return gdb
}

// openMySQL migrates a database of its own on the test server and drops it
// after the test.
func openMySQL(t *testing.T) *gorm.DB {
	t.Helper()
	ctx := context.Background()
	cfg, err := gomysql.ParseDSN(testenv.Require(t, "BKJOB_TEST_MYSQL_DSN"))
	require.NoError(t, err)
	conn, err := sql.Open("mysql", cfg.FormatDSN())
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	suffix := make([]byte, 6)
	_, err = rand.Read(suffix)
	require.NoError(t, err)
	name := "bkjob_manage_" + hex.EncodeToString(suffix)
	_, err = conn.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4")
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = conn.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name) })
	cfg.DBName = name
	gdb, err := db.Open(ctx, config.DB{Driver: db.DriverMySQL, DSN: cfg.FormatDSN(), MaxOpenConns: 4}, "", slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close(gdb) })
	require.NoError(t, db.Migrate(ctx, gdb, db.DriverMySQL))
	require.NoError(t, db.Migrate(ctx, gdb, db.DriverMySQL), "migrating again is a no-op")
	return gdb
}

// each runs fn against the implementation and against the bus client.
func (e credEnv) each(t *testing.T, fn func(t *testing.T, svc manage.Full)) {
	for name, svc := range map[string]manage.Full{"impl": e.impl, "bus client": manage.NewClient(e.bus)} {
		t.Run(name, func(t *testing.T) { fn(t, svc) })
	}
}

// testPrivateKey is a fresh ed25519 key in OpenSSH PEM.
func testPrivateKey(t *testing.T) string {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	block, err := ssh.MarshalPrivateKey(priv, "test")
	require.NoError(t, err)
	return string(pem.EncodeToMemory(block))
}

func biz1(req manage.CreateCredentialRequest) manage.CreateCredentialRequest {
	req.ScopeRef = manage.ScopeRef{ScopeType: "biz", ScopeID: "1", BizID: 1}
	req.Operator = "alice"
	return req
}

func TestCredentialRoundTripNeverShowsSecrets(t *testing.T) {
	eachBackend(t, testCredentialRoundTrip)
}

func testCredentialRoundTrip(t *testing.T, env credEnv) {
	key := testPrivateKey(t)
	env.each(t, func(t *testing.T, svc manage.Full) {
		ctx := context.Background()
		cases := []struct {
			name   string
			req    manage.CreateCredentialRequest
			secret []string
			login  manage.SSHCredential
			noSSH  bool
		}{
			{name: "password", req: manage.CreateCredentialRequest{Name: "pw", Type: "PASSWORD",
				CredentialValues: manage.CredentialValues{Password: "s3cret-pw", Username: "dropped"}},
				secret: []string{"s3cret-pw", "dropped"},
				login:  manage.SSHCredential{Password: "s3cret-pw"}},
			{name: "username password", req: manage.CreateCredentialRequest{Name: "up", Type: "username_password",
				CredentialValues: manage.CredentialValues{Username: "deploy", Password: "s3cret-up"}},
				secret: []string{"s3cret-up", "deploy"},
				login:  manage.SSHCredential{Username: "deploy", Password: "s3cret-up"}},
			{name: "secret key", req: manage.CreateCredentialRequest{Name: "key", Type: "SECRET_KEY", Description: "ssh key",
				CredentialValues: manage.CredentialValues{SecretKey: key}},
				secret: []string{key, "PRIVATE KEY"},
				login:  manage.SSHCredential{PrivateKey: key}},
			{name: "access key", req: manage.CreateCredentialRequest{Name: "ak", Type: "ACCESS_KEY_SECRET_KEY",
				CredentialValues: manage.CredentialValues{AccessKey: "AKID-1", SecretKey: "s3cret-sk"}},
				secret: []string{"AKID-1", "s3cret-sk"},
				noSSH:  true},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				tc.req.Name += runSuffix(svc)
				ref, err := svc.CreateCredential(ctx, biz1(tc.req))
				require.NoError(t, err)
				require.Regexp(t, `^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$`, string(ref.ID), "a version 4 UUID without dashes, as bk-job's")
				require.Equal(t, tc.req.Name, ref.Name)

				got, err := svc.GetCredential(ctx, manage.GetCredentialRequest{
					ScopeRef: manage.ScopeRef{ScopeType: "biz", ScopeID: "1", BizID: 1}, ID: ref.ID})
				require.NoError(t, err)
				require.Equal(t, tc.req.Name, got.Name)
				require.Equal(t, "alice", got.Creator)
				require.Equal(t, "alice", got.LastModifyUser)
				require.Equal(t, ref.ID, got.ID)
				require.Equal(t, manage.CredentialTypeName(mustType(t, tc.req.Type)), got.Type)
				require.Positive(t, got.CreateTime)
				out, err := json.Marshal(got)
				require.NoError(t, err)
				requireDetailFields(t, out)
				var row credential
				require.NoError(t, env.db.Where("id = ?", string(ref.ID)).Take(&row).Error)
				require.Regexp(t, `^v1:`, row.Value, "stored sealed")
				for _, s := range tc.secret {
					require.NotContains(t, string(out), s, "answer shows a secret")
					require.NotContains(t, row.Value, s, "stored in clear")
				}

				login, err := svc.SSHCredential(ctx, ref.ID)
				if tc.noSSH {
					require.ErrorIs(t, err, manage.ErrCredentialNotForSSH)
					return
				}
				require.NoError(t, err)
				require.Equal(t, tc.login, login)
				require.NotContains(t, login.String(), "s3cret")
			})
		}
	})
}

func TestCreateCredentialBadInput(t *testing.T) {
	env := newCredEnv(t, openSQLite(t))
	env.each(t, func(t *testing.T, svc manage.Full) {
		cases := []struct {
			name  string
			req   manage.CreateCredentialRequest
			field string
		}{
			{name: "no business", req: manage.CreateCredentialRequest{Name: "a", Type: "PASSWORD",
				CredentialValues: manage.CredentialValues{Password: "x"}}, field: "bk_scope_id"},
			{name: "no name", req: biz1(manage.CreateCredentialRequest{Name: "  ", Type: "PASSWORD",
				CredentialValues: manage.CredentialValues{Password: "x"}}), field: "name"},
			{name: "no type", req: biz1(manage.CreateCredentialRequest{Name: "a",
				CredentialValues: manage.CredentialValues{Password: "x"}}), field: "type"},
			{name: "unknown type", req: biz1(manage.CreateCredentialRequest{Name: "a", Type: "TOKEN",
				CredentialValues: manage.CredentialValues{Password: "x"}}), field: "type"},
			{name: "password missing", req: biz1(manage.CreateCredentialRequest{Name: "a", Type: "PASSWORD"}), field: "credential_password"},
			{name: "username missing", req: biz1(manage.CreateCredentialRequest{Name: "a", Type: "USERNAME_PASSWORD",
				CredentialValues: manage.CredentialValues{Password: "x"}}), field: "credential_username"},
			{name: "secret key missing", req: biz1(manage.CreateCredentialRequest{Name: "a", Type: "SECRET_KEY",
				CredentialValues: manage.CredentialValues{Password: "x"}}), field: "credential_secret_key"},
			{name: "access key missing", req: biz1(manage.CreateCredentialRequest{Name: "a", Type: "APP_ID_SECRET_KEY",
				CredentialValues: manage.CredentialValues{SecretKey: "x"}}), field: "credential_access_key"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := svc.CreateCredential(context.Background(), tc.req)
				require.ErrorIs(t, err, errs.ErrInvalid)
				require.Equal(t, tc.field, errs.From(err).Field)
			})
		}
		var n int64
		require.NoError(t, env.db.Model(&credential{}).Count(&n).Error)
		require.Zero(t, n, "nothing written")
	})
}

func TestUpdateCredential(t *testing.T) {
	eachBackend(t, testUpdateCredential)
}

func testUpdateCredential(t *testing.T, env credEnv) {
	env.each(t, func(t *testing.T, svc manage.Full) {
		ctx := context.Background()
		scope := manage.ScopeRef{ScopeType: "biz", ScopeID: "1", BizID: 1}
		ref, err := svc.CreateCredential(ctx, biz1(manage.CreateCredentialRequest{Name: "c" + runSuffix(svc), Type: "PASSWORD",
			CredentialValues: manage.CredentialValues{Password: "old"}}))
		require.NoError(t, err)

		desc := "renamed"
		renamed, err := svc.UpdateCredential(ctx, manage.UpdateCredentialRequest{ScopeRef: scope, Operator: "bob", ID: ref.ID, Name: "c2" + runSuffix(svc), Description: &desc})
		require.NoError(t, err)
		require.Equal(t, manage.CredentialRef{ID: ref.ID, Name: "c2" + runSuffix(svc)}, renamed, "the id stays")
		got, err := svc.GetCredential(ctx, manage.GetCredentialRequest{ScopeRef: scope, ID: ref.ID})
		require.NoError(t, err)
		require.Equal(t, "c2"+runSuffix(svc), got.Name)
		require.Equal(t, "renamed", got.Description)
		require.Equal(t, "bob", got.LastModifyUser)
		require.Equal(t, "alice", got.Creator)
		login, err := svc.SSHCredential(ctx, ref.ID)
		require.NoError(t, err)
		require.Equal(t, "old", login.Password, "a rename keeps the secrets")

		_, err = svc.UpdateCredential(ctx, manage.UpdateCredentialRequest{ScopeRef: scope, ID: ref.ID, Type: "USERNAME_PASSWORD",
			CredentialValues: manage.CredentialValues{Password: "new"}})
		require.ErrorIs(t, err, errs.ErrInvalid)
		require.Equal(t, "credential_username", errs.From(err).Field, "a new type needs all its values")
		login, err = svc.SSHCredential(ctx, ref.ID)
		require.NoError(t, err)
		require.Equal(t, "old", login.Password, "a refused update writes nothing")

		_, err = svc.UpdateCredential(ctx, manage.UpdateCredentialRequest{ScopeRef: scope, ID: ref.ID, Type: "USERNAME_PASSWORD",
			CredentialValues: manage.CredentialValues{Username: "u", Password: "new"}})
		require.NoError(t, err)
		login, err = svc.SSHCredential(ctx, ref.ID)
		require.NoError(t, err)
		require.Equal(t, manage.SSHCredential{Username: "u", Password: "new"}, login)

		_, err = svc.UpdateCredential(ctx, manage.UpdateCredentialRequest{
			ScopeRef: manage.ScopeRef{ScopeType: "biz", ScopeID: "2", BizID: 2}, ID: ref.ID, Name: "x"})
		require.ErrorIs(t, err, manage.ErrCredentialNotFound, "credentials do not leak across businesses")
		require.Equal(t, "id", errs.From(err).Field)
		_, err = svc.GetCredential(ctx, manage.GetCredentialRequest{ScopeRef: scope, ID: unknownCredentialID})
		require.ErrorIs(t, err, manage.ErrCredentialNotFound)
		_, err = svc.SSHCredential(ctx, unknownCredentialID)
		require.ErrorIs(t, err, manage.ErrCredentialNotFound)
	})
}

func TestCredentialsNeedASecretBox(t *testing.T) {
	svc := newService(t)
	_, err := svc.CreateCredential(context.Background(), biz1(manage.CreateCredentialRequest{Name: "c", Type: "PASSWORD",
		CredentialValues: manage.CredentialValues{Password: "x"}}))
	require.ErrorIs(t, err, manage.ErrSecretsUnavailable)
}

// unknownCredentialID is well formed and names no credential.
const unknownCredentialID manage.CredentialID = "0123456789abcdef0123456789abcdef"

// runSuffix keeps the names env.each's two runs create in one database
// apart (names are unique per business).
func runSuffix(svc manage.Full) string {
	if _, ok := svc.(*manage.Client); ok {
		return " (bus)"
	}
	return ""
}

func mustType(t *testing.T, name string) int {
	t.Helper()
	typ, ok := manage.ParseCredentialType(name)
	require.True(t, ok, name)
	return typ
}

// bkJobDetailFields are get_credential_detail's data fields in bk-job's
// reference, all of them and nothing else.
var bkJobDetailFields = []string{"bk_scope_type", "bk_scope_id", "id", "name", "type", "description",
	"creator", "create_time", "last_modify_user", "last_modify_time"}

// requireDetailFields checks a detail as JSON: bk-job's fields exactly,
// with bk-job's JSON types (strings; the times integers).
func requireDetailFields(t *testing.T, raw []byte) {
	t.Helper()
	var got map[string]any
	require.NoError(t, json.Unmarshal(raw, &got))
	keys := make([]string, 0, len(got))
	for k := range got {
		keys = append(keys, k)
	}
	require.ElementsMatch(t, bkJobDetailFields, keys, "exactly bk-job's fields: %s", raw)
	for _, k := range bkJobDetailFields {
		if k == "create_time" || k == "last_modify_time" {
			require.IsType(t, float64(0), got[k], k)
			continue
		}
		require.IsType(t, "", got[k], k)
	}
}
