package db_test

import (
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/bkjob/bkjob/platform/db"
	"github.com/bkjob/bkjob/schema"
)

// Schema 0090 turns integer credential ids into bk-job's 32-hex strings and
// makes names unique per business, on a database that already holds
// credentials and agentless hosts naming them.
func TestMigrate0090SQLite(t *testing.T) { runMigrate0090Suite(t, sqliteBackend()) }

func TestMigrate0090MySQL(t *testing.T) { runMigrate0090Suite(t, mysqlBackend(t)) }

func runMigrate0090Suite(t *testing.T, b backend) {
	t.Run("existing rows are converted", func(t *testing.T) { runMigrate0090(t, b, false) })
	// MySQL commits each DDL statement, so a run that fails near the end
	// leaves its first statements applied: running it again must still
	// end right. (SQLite rolls the whole version back.)
	t.Run("a run that failed before its last statement is run again", func(t *testing.T) { runMigrate0090(t, b, true) })
}

// hex32 is the id 0090 gives the credential whose integer id was n.
func hex32(n int) string { return fmt.Sprintf("%032x", n) }

func runMigrate0090(t *testing.T, b backend, interrupted bool) {
	gdb := open(t, b.driver, b.newDSN(t))
	require.NoError(t, db.MigrateFS(t.Context(), gdb, b.driver, schemaBefore(t, b.driver, 90)))

	now := time.Now().UTC().Truncate(time.Second)
	long := strings.Repeat("é", 255)
	creds := []struct {
		id    int
		biz   int
		name  string
		value string
	}{
		{1, 1, "key", "v1:one"},
		{2, 1, "key", "v1:two"},            // a duplicate: renamed
		{3, 2, "key", "v1:three"},          // another business: kept
		{7, 1, "Key", "v1:seven"},          // another name (names compare exactly)
		{255, 1, "key", "v1:ff"},           // a third one: renamed
		{256, 1, long, "v1:long"},          // kept
		{4000, 1, long, "v1:long dup"},     // renamed, cut to fit
		{5000, 1, "solo", "v1:solo value"}, // untouched
	}
	for _, c := range creds {
		require.NoError(t, gdb.Exec(`INSERT INTO credential (id, biz_id, name, type, description, value, creator, last_modify_user, created_at, updated_at)
			VALUES (?, ?, ?, 2, 'd', ?, 'alice', 'bob', ?, ?)`, c.id, c.biz, c.name, c.value, now, now).Error)
	}
	hosts := []struct {
		ip      string
		sshAddr string
		cred    int
		want    string
	}{
		{"10.0.0.1", "10.0.0.1:22", 2, hex32(2)},
		{"10.0.0.2", "10.0.0.2:22", 255, hex32(255)},
		{"10.0.0.3", "10.0.0.3:22", 99, hex32(99)}, // a dangling reference keeps pointing at the same (missing) id
		{"10.0.0.4", "", 0, ""},                    // an agent host names no credential
	}
	for _, h := range hosts {
		require.NoError(t, gdb.Exec(`INSERT INTO host (biz_id, cloud_id, ip, ssh_addr, ssh_user, credential_id, created_at, updated_at)
			VALUES (1, 0, ?, ?, 'root', ?, ?, ?)`, h.ip, h.sshAddr, h.cred, now, now).Error)
	}

	if interrupted {
		broken := schemaBefore(t, b.driver, 90)
		name, stmts := migration0090(t, b.driver)
		broken[name] = &fstest.MapFile{Data: []byte(strings.Join(stmts[:len(stmts)-1], ";\n") +
			";\nINSERT INTO no_such_table VALUES (1);\n")}
		require.ErrorContains(t, db.MigrateFS(t.Context(), gdb, b.driver, broken), "0090")
	}
	require.NoError(t, db.Migrate(t.Context(), gdb, b.driver))
	require.NoError(t, db.Migrate(t.Context(), gdb, b.driver), "a second run is a no-op")

	type row struct {
		ID             string
		BizID          int64
		Name           string
		Value          string
		Creator        string
		LastModifyUser string
		CreatedAt      time.Time
	}
	var rows []row
	require.NoError(t, gdb.Raw("SELECT id, biz_id, name, value, creator, last_modify_user, created_at FROM credential ORDER BY value").Scan(&rows).Error)
	got := map[string]row{}
	for _, r := range rows {
		got[r.Value] = r
	}
	require.Len(t, got, len(creds), "no credential lost")
	wantName := map[int]string{
		1: "key", 2: "key-" + hex32(2), 3: "key", 7: "Key", 255: "key-" + hex32(255),
		256: long, 4000: strings.Repeat("é", 222) + "-" + hex32(4000), 5000: "solo",
	}
	for _, c := range creds {
		r := got[c.value]
		require.Equal(t, hex32(c.id), r.ID, "credential %d", c.id)
		require.Equal(t, int64(c.biz), r.BizID)
		require.Equal(t, wantName[c.id], r.Name, "credential %d", c.id)
		require.LessOrEqual(t, len([]rune(r.Name)), 255)
		require.Equal(t, "alice", r.Creator)
		require.Equal(t, "bob", r.LastModifyUser)
		require.True(t, now.Equal(r.CreatedAt.UTC()), "created_at kept: %v", r.CreatedAt)
	}

	for _, h := range hosts {
		var ref string
		require.NoError(t, gdb.Raw("SELECT credential_id FROM host WHERE ip = ?", h.ip).Row().Scan(&ref))
		require.Equal(t, h.want, ref, "host %s", h.ip)
	}

	// The columns are text now: ids that look like numbers stay as given.
	for _, id := range []string{hex32(5), "1e000000000000000000000000000000", "12345678901234567890123456789012"} {
		require.NoError(t, gdb.Exec(`INSERT INTO credential (id, biz_id, name, type, description, value, creator, last_modify_user, created_at, updated_at)
			VALUES (?, 9, ?, 2, '', 'v1:x', '', '', ?, ?)`, id, "n"+id, now, now).Error)
		require.NoError(t, gdb.Exec("UPDATE host SET credential_id = ? WHERE ip = '10.0.0.1'", id).Error)
		var back, ref string
		require.NoError(t, gdb.Raw("SELECT id FROM credential WHERE name = ?", "n"+id).Row().Scan(&back))
		require.NoError(t, gdb.Raw("SELECT credential_id FROM host WHERE ip = '10.0.0.1'").Row().Scan(&ref))
		require.Equal(t, id, back)
		require.Equal(t, id, ref)
	}

	// The unique index holds from now on; another business or another
	// spelling is free.
	insert := func(biz int, name string) error {
		return gdb.Exec(`INSERT INTO credential (id, biz_id, name, type, description, value, creator, last_modify_user, created_at, updated_at)
			VALUES (?, ?, ?, 2, '', 'v1:x', '', '', ?, ?)`, fmt.Sprintf("%032x", time.Now().UnixNano()), biz, name, now, now).Error
	}
	require.ErrorIs(t, insert(1, "key"), gorm.ErrDuplicatedKey)
	require.ErrorIs(t, insert(1, "solo"), gorm.ErrDuplicatedKey)
	require.NoError(t, insert(3, "key"))
	require.NoError(t, insert(1, "KEY"))
}

// migration0090 is the file name and statements of driver's 0090.
func migration0090(t *testing.T, driver string) (string, []string) {
	t.Helper()
	sub, err := fs.Sub(schema.FS, driver)
	require.NoError(t, err)
	all, err := db.LoadMigrations(sub)
	require.NoError(t, err)
	for _, m := range all {
		if m.Version == 90 {
			return fmt.Sprintf("%04d_%s.sql", m.Version, m.Name), m.Statements
		}
	}
	require.FailNow(t, "no migration 0090")
	return "", nil
}

// schemaBefore is the embedded schema of driver without versions from
// version on: the database as an older release left it.
func schemaBefore(t *testing.T, driver string, version int) fstest.MapFS {
	t.Helper()
	sub, err := fs.Sub(schema.FS, driver)
	require.NoError(t, err)
	entries, err := fs.ReadDir(sub, ".")
	require.NoError(t, err)
	out := fstest.MapFS{}
	for _, e := range entries {
		if e.Name() >= fmt.Sprintf("%04d_", version) {
			continue
		}
		data, err := fs.ReadFile(sub, e.Name())
		require.NoError(t, err)
		out[e.Name()] = &fstest.MapFile{Data: data}
	}
	require.NotEmpty(t, out)
	return out
}
