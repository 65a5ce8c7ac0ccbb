package db

import (
	"errors"

	"github.com/go-sql-driver/mysql"
)

// IsDataError reports whether err is the database refusing a value (bad
// UTF-8, too long, out of range): retrying the same write cannot succeed.
// Connection, lock and timeout errors are not data errors.
func IsDataError(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return mysqlDataError(me.Number)
	}
	return false
}

// mysqlDataError: the MySQL/MariaDB errors about a value itself; the same
// statement with the same values fails the same way however often it is
// retried, unlike a lost connection or a lock wait.
func mysqlDataError(n uint16) bool {
	switch n {
	case 1048, // ER_BAD_NULL_ERROR: column cannot be null
		1264, // ER_WARN_DATA_OUT_OF_RANGE: out of range value for column
		1265, // WARN_DATA_TRUNCATED: data truncated for column
		1292, // ER_TRUNCATED_WRONG_VALUE: incorrect datetime/number value
		1366, // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD: incorrect string value (bad UTF-8)
		1406, // ER_DATA_TOO_LONG: data too long for column
		3140: // ER_INVALID_JSON_TEXT
		return true
	}
	return false
}
