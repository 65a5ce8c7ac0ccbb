package executeimpl

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/bkjob/bkjob/platform/errs"
)

const (
	// quotaLockWait is how long a create waits, in seconds, for the quota
	// lock another create (of any execute process) holds on MySQL.
	quotaLockWait = 10
	// quotaLockName is the MySQL GET_LOCK name, one per database: named
	// locks are server-wide, and two bkjob databases on one server must
	// not wait for each other. SHA1 keeps it under MySQL's 64 characters.
	quotaLockName = "CONCAT('bkjob.quota.', SHA1(COALESCE(DATABASE(), '')))"
)

// quotaTx runs fn in a transaction that no other quotaTx overlaps, in this
// process or another, so the running jobs fn counts cannot change before it
// has inserted its job and committed.
//
// SQLite: platform/db begins every transaction IMMEDIATE, which takes the
// database's single write lock at BEGIN; the transaction alone is enough.
// (Were it deferred, the second of two racing writers would fail with
// SQLITE_BUSY rather than both succeed.)
//
// MySQL: a transaction alone is not — two REPEATABLE READ transactions
// both count capacity-1 and both insert. The create first takes the named
// lock GET_LOCK on its own connection, begins the transaction only then (its
// snapshot is taken after the previous holder committed), and releases the
// lock after COMMIT or ROLLBACK. The lock belongs to the connection: a
// process that dies holding it loses its connection, and the server
// releases the lock with it.
func (s *gormStore) quotaTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if s.db.Dialector.Name() != "mysql" {
		return s.tx(ctx, fn)
	}
	return s.db.WithContext(ctx).Connection(func(pinned *gorm.DB) error {
		// Every statement below starts from a new statement on the pinned
		// connection: one chained on pinned would carry the previous one's
		// table and destination into the job's inserts.
		conn := pinned.Session(&gorm.Session{NewDB: true})
		var got sql.NullInt64
		// Through gorm, so an unreachable server is classified (1252001).
		if err := conn.Raw("SELECT GET_LOCK("+quotaLockName+", ?)", quotaLockWait).Scan(&got).Error; err != nil {
			return fmt.Errorf("take running-job quota lock: %w", err)
		}
		if !got.Valid || got.Int64 != 1 {
			return errs.ErrUnavailable.Withf("running-job quota: other job creations held its lock for %ds; retry", quotaLockWait)
		}
		defer func() {
			// On a fresh context: a cancelled caller must not leave the lock
			// with the pooled connection. Should RELEASE_LOCK fail, the
			// connection is discarded, which ends its session and so
			// releases the lock; the job, created or not, is unaffected.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if err := conn.WithContext(rctx).Exec("DO RELEASE_LOCK(" + quotaLockName + ")").Error; err != nil {
				if c, ok := conn.Statement.ConnPool.(*sql.Conn); ok {
					_ = c.Raw(func(any) error { return driver.ErrBadConn })
				}
			}
		}()
		return conn.Transaction(fn)
	})
}
